// What a simulated device answers to an SMS it got (option deviceReplies): the text back, or
// the answer to a command from a small table, so a demo shows a round trip.
import type { DeviceId } from '../nodes/lib/types';
import type { DeviceReplies } from './options';
import { deviceIds, sensorText } from './sms-factory';

const FIRST_MDN = 15551230000;
const FLEET_SPAN = 1_000_000;

/** The commands a device understands, for the README and the demo. */
export const COMMANDS: Record<string, string> = {
  PING: 'PONG',
  REBOOT: 'REBOOTING',
  VERSION: 'FW 2.1.0',
  'LED ON': 'LED=ON',
  'LED OFF': 'LED=OFF',
};

/** Every id of the device an SMS went to: a simulated device by its mdn has an imei and more. */
export function replyingDevice(target: DeviceId): { ids: DeviceId[]; index: number } {
  const n = Number(target.id);
  if (target.kind.toLowerCase() === 'mdn' && Number.isSafeInteger(n) && n >= FIRST_MDN && n < FIRST_MDN + FLEET_SPAN) {
    return { ids: deviceIds(n - FIRST_MDN), index: n - FIRST_MDN };
  }
  return { ids: [{ kind: target.kind, id: target.id }], index: 0 };
}

/** The answer, or undefined when the device stays silent. `seq` numbers the answers. */
export function deviceAnswer(mode: DeviceReplies, text: string, encoding: string, device: number, seq: number): string | undefined {
  if (mode === 'off') return undefined;
  if (encoding === '8-bit-DATA') return `DATA ${Buffer.from(text, 'base64').length} bytes`;
  if (mode === 'echo') return `ECHO ${text}`;
  const command = text.trim().replace(/\s+/g, ' ').toUpperCase();
  if (command === 'STATUS') return sensorText(device, seq).replace(/ seq=\d+$/, '');
  return COMMANDS[command] ?? `ERR unknown command ${command.split(' ')[0].slice(0, 20)}`;
}
