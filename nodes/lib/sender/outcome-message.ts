// sms-out's second output, one message per delivery outcome (docs/sending.md). Kept properties come back at the
// top level, so a join or a switch can pair an outcome with what was sent.
import type { DeviceId } from '../types';
import type { DeliveryNotice } from '../message/delivery-notice';
import { fromDeviceKey, type PendingSend } from './correlations';

/** Most bytes (as JSON) kept of one original message. */
export const MAX_KEPT_BYTES = 16 * 1024;

/** The properties `names` of `msg` as JSON values, for node context; one not JSON or past the bound is `skipped`. */
export function keepProperties(msg: Record<string, unknown>, names: readonly string[]): { kept: Record<string, unknown>; skipped: string[] } {
  const kept: Record<string, unknown> = {};
  const skipped: string[] = [];
  let bytes = 0;
  for (const name of names) {
    if (msg[name] === undefined) continue;
    let json: string | undefined;
    try {
      json = JSON.stringify(msg[name]);
    } catch {
      json = undefined;
    }
    if (json === undefined || bytes + json.length > MAX_KEPT_BYTES) {
      skipped.push(name);
      continue;
    }
    bytes += json.length;
    kept[name] = JSON.parse(json) as unknown;
  }
  return { kept, skipped };
}

/** `payload` as docs/sending.md describes it; `correlated` false: no send of this runtime has its requestId. */
function message(accountName: string, kept: Record<string, unknown>, payload: Record<string, unknown> & { requestId: string }): Record<string, unknown> {
  return { ...kept, payload, thingspace: { accountName, requestId: payload.requestId } };
}

/** The outcome a notice carries; `send` when it is one of ours. */
export function noticeOutcome(accountName: string, notice: DeliveryNotice, send?: PendingSend, device?: DeviceId): Record<string, unknown> {
  const payload: Record<string, unknown> & { requestId: string } = {
    requestId: notice.requestId,
    status: notice.status,
    final: notice.final,
    correlated: send !== undefined,
    deviceIds: notice.deviceIds.length > 0 ? notice.deviceIds : device ? [device] : [],
    timestamp: notice.timestamp,
    thingspaceStatus: notice.thingspaceStatus,
  };
  if (notice.reason !== undefined) payload.reason = notice.reason;
  if (send) payload.sentAt = new Date(send.sentAt).toISOString();
  return message(accountName, send?.kept ?? {}, payload);
}

/** One `unconfirmed` outcome per device of `send` still without one; none for a send that named no devices. */
export function unconfirmedOutcomes(accountName: string, send: PendingSend, reason: string, now = new Date()): Record<string, unknown>[] {
  const open = send.devices.filter((k) => !send.done.includes(k));
  const base = {
    requestId: send.requestId,
    status: 'unconfirmed',
    final: true,
    correlated: true,
    timestamp: now.toISOString(),
    reason,
    sentAt: new Date(send.sentAt).toISOString(),
  };
  return open.map((k) => message(accountName, send.kept, { ...base, deviceIds: [fromDeviceKey(k)] }));
}
