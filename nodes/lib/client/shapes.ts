// Strict checks of the success bodies we rely on. A history block with one unreadable item
// is refused as a whole ('bad_response'): dropping that item would lose an SMS silently,
// and acknowledging the block would lose it for good. Extra fields are tolerated, and a
// device id or kind sent as a number is accepted as its decimal string (older SDKs type
// some ids as numbers); the SMS text and timestamp must be strings.
import type { CallbackActionResult, CallbackListener, DeviceId, SmsMessage } from '../types';
import { badResponse, type Operation } from './classify';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function idText(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Exactly `n` own enumerable keys (JSON.parse makes no others): nothing to strip. */
function hasKeys(o: Obj, n: number): boolean {
  let count = 0;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || ++count > n) return false;
  }
  return count === n;
}

// The body was parsed from this answer's text, so its objects are ours alone. One that
// already has exactly the known fields, as strings, is kept as it is; only the rest is
// copied (to drop extra fields, or to turn numeric ids into strings). Every SMS of a block
// passes here, so the common case allocates nothing.

function deviceIds(v: unknown): DeviceId[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  let out: DeviceId[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const d: unknown = v[i];
    if (!isObj(d)) return undefined;
    const kind = idText(d.kind);
    const id = idText(d.id);
    if (kind === undefined || id === undefined) return undefined;
    const asIs = kind === d.kind && id === d.id && hasKeys(d, 2);
    if (!asIs && out === undefined) out = (v as DeviceId[]).slice(0, i);
    if (out !== undefined) out.push(asIs ? (d as unknown as DeviceId) : { kind, id });
  }
  return out ?? (v as DeviceId[]);
}

function smsMessage(v: unknown): SmsMessage | undefined {
  if (!isObj(v)) return undefined;
  const ids = deviceIds(v.deviceIds);
  if (ids === undefined || typeof v.message !== 'string' || typeof v.timestamp !== 'string') return undefined;
  if (ids === v.deviceIds && hasKeys(v, 3)) return v as unknown as SmsMessage;
  return { deviceIds: ids, message: v.message, timestamp: v.timestamp };
}

/** The body of a 200/202 history answer (api §4.2). Returns messages holding only known fields. */
export function historyBody(body: unknown, status: number): { hasMoreData: boolean; messages: SmsMessage[] } {
  if (!isObj(body) || typeof body.hasMoreData !== 'boolean' || !Array.isArray(body.messages)) {
    throw badResponse('history', status, 'the body is not a history block (hasMoreData, messages)');
  }
  const messages = new Array<SmsMessage>(body.messages.length);
  for (let i = 0; i < body.messages.length; i++) {
    const sms = smsMessage(body.messages[i]);
    if (sms === undefined) throw badResponse('history', status, `message ${i} of the block is malformed`);
    messages[i] = sms;
  }
  return { hasMoreData: body.hasMoreData, messages };
}

export function successBody(body: unknown, status: number): { success: boolean } {
  if (!isObj(body) || typeof body.success !== 'boolean') throw badResponse('startCallbacks', status, 'the body has no success flag');
  return { success: body.success };
}

export function actionResult(operation: Operation, body: unknown, status: number): CallbackActionResult {
  if (!isObj(body) || typeof body.accountName !== 'string' || typeof body.serviceName !== 'string') {
    throw badResponse(operation, status, 'the body has no accountName and serviceName');
  }
  return { accountName: body.accountName, serviceName: body.serviceName };
}

export function listenerList(body: unknown, status: number): CallbackListener[] {
  if (!Array.isArray(body)) throw badResponse('listCallbacks', status, 'the body is not a list');
  return body.map((item, i) => {
    if (!isObj(item) || typeof item.serviceName !== 'string' || typeof item.url !== 'string') {
      throw badResponse('listCallbacks', status, `listener ${i} has no serviceName and url`);
    }
    const listener: CallbackListener = {
      accountName: typeof item.accountName === 'string' ? item.accountName : '',
      serviceName: item.serviceName,
      url: item.url,
    };
    if (typeof item.username === 'string') listener.username = item.username;
    if (typeof item.password === 'string') listener.password = item.password;
    return listener;
  });
}
