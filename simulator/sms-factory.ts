// Synthetic device ids and readable SMS text, shared by the device simulation and by
// generate(). Everything derives from numbers so a backlog can be stored as numbers and
// materialised only when a block is served.
import type { DeviceId, SmsMessage } from '../nodes/lib/types';

/** Ids of simulated device `d`: always an mdn and an imei; some also an iccid or a meid (docs/thingspace-api.md, "Device ids"). */
export function deviceIds(d: number): DeviceId[] {
  const ids: DeviceId[] = [
    { kind: 'mdn', id: String(15551230000 + d) },
    { kind: 'imei', id: String(356938035600000 + d) },
  ];
  if (d % 3 === 2) ids.push({ kind: 'iccid', id: `8914800000${String(d).padStart(10, '0')}` });
  if (d % 5 === 4) ids.push({ kind: 'meid', id: `A1000038${(d & 0xffffff).toString(16).toUpperCase().padStart(6, '0')}` });
  return ids;
}

/** "T=21.4C BAT=88 seq=17": temperature and battery derived from the sequence number. */
export function sensorText(device: number, seq: number): string {
  const tenths = 150 + ((device * 37 + seq * 7) % 150);
  const battery = 100 - ((device + seq) % 80);
  return `T=${(tenths / 10).toFixed(1)}C BAT=${battery} seq=${seq}`;
}

/** ISO 8601 with a UTC offset, as ThingSpace timestamps are (docs/thingspace-api.md, "SMS history"). */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** One generated SMS. `serial` is unique per simulator, so the text is unique too. */
export function generatedSms(serial: number, devices: number, timeMs: number): SmsMessage {
  const device = serial % devices;
  return {
    deviceIds: deviceIds(device),
    message: `${sensorText(device, Math.floor(serial / devices))} n=${serial}`,
    timestamp: isoTimestamp(timeMs),
  };
}
