// A history block with one unreadable SMS is refused whole: dropping the SMS would lose it
// silently, and acknowledging the block would lose it for good.
import { M2M_ROOT, type CallbackActionResult, type CallbackListener, type SmsMessage, type SmsSendResponse } from '../types';
import { badResponse, type Operation } from './classify';
import { FROM_HISTORY, readDeviceIds } from './device-ids';
import { isRecord } from './json-values';

/** The SMS, or why it cannot be read. A clean one is ours alone (parsed just now), so kept as it is. */
function smsMessage(v: unknown): SmsMessage | string {
  if (!isRecord(v)) return 'it is not an object';
  const ids = readDeviceIds(v.deviceIds, 'deviceIds', FROM_HISTORY);
  if (typeof ids === 'string') return ids;
  if (typeof v.message !== 'string') return 'its message is not a string';
  if (typeof v.timestamp !== 'string') return 'its timestamp is not a string';
  if (ids === v.deviceIds && Object.keys(v).length === 3) return v as unknown as SmsMessage;
  return { deviceIds: ids, message: v.message, timestamp: v.timestamp };
}

/** `hasMoreData` only when the body has it (docs/thingspace-api.md, "SMS history"): the status decides. */
export function historyBody(body: unknown, status: number): { hasMoreData?: boolean; messages: SmsMessage[] } {
  if (!isRecord(body) || !Array.isArray(body.messages)) throw badResponse('history', status, 'the body is not a history block (no messages array)');
  const flag = body.hasMoreData;
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
    throw badResponse('history', status, 'the body is not a history block (hasMoreData is not true or false)');
  }
  const messages = body.messages.map((m: unknown, i) => {
    const sms = smsMessage(m);
    if (typeof sms === 'string') throw badResponse('history', status, `message ${i} of the block is malformed: ${sms}`);
    return sms;
  });
  return typeof flag === 'boolean' ? { hasMoreData: flag, messages } : { messages };
}

export function successBody(body: unknown, status: number): { success: boolean } {
  if (!isRecord(body) || typeof body.success !== 'boolean') throw badResponse('startCallbacks', status, 'the body has no success flag');
  return { success: body.success };
}

export function actionResult(body: unknown, status: number, operation: Operation): CallbackActionResult {
  if (!isRecord(body) || typeof body.accountName !== 'string' || typeof body.serviceName !== 'string') {
    throw badResponse(operation, status, 'the body has no accountName and serviceName');
  }
  return { accountName: body.accountName, serviceName: body.serviceName };
}

export function listenerList(body: unknown, status: number): CallbackListener[] {
  if (!Array.isArray(body)) throw badResponse('listCallbacks', status, 'the body is not a list');
  return body.map((item, i) => {
    if (!isRecord(item) || typeof item.serviceName !== 'string' || typeof item.url !== 'string') {
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

/** Longest request id we keep; Verizon's are UUIDs. */
const MAX_REQUEST_ID_LENGTH = 256;

/** A 2xx without a requestId (docs/thingspace-api.md, "Sending SMS"): ThingSpace took the SMS but we cannot follow
 *  it, a bad response and never a reason to send again. */
export function sendAnswer(body: unknown, status: number): SmsSendResponse {
  const id = isRecord(body) ? body.requestId : undefined;
  if (typeof id !== 'string' || id === '' || id.length > MAX_REQUEST_ID_LENGTH) {
    throw badResponse('sendSms', status, 'the answer has no requestId (ThingSpace accepted the SMS, but it cannot be followed)');
  }
  return { requestId: id };
}

/** Longer is not a paging token: refused rather than echoed into a URL. */
export const MAX_NEXT_LENGTH = 1024;
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:|^\/\//;

type NextParse = { ok: true; next: string } | { ok: false; reason: string };

function isHistoryPath(pathname: string, serverPath: string, accountName: string): boolean {
  const match = /^(.*)\/sms\/([^/]+)\/history$/.exec(pathname);
  if (!match) return false;
  try {
    if (decodeURIComponent(match[2]) !== accountName) return false;
  } catch {
    return false;
  }
  return match[1] === '' || match[1] === M2M_ROOT || match[1] === serverPath + M2M_ROOT;
}

/** Location may be relative, prefixed or absolute (docs/thingspace-api.md, "Open questions" 4). `next` is taken only from
 *  this account's history on this server, so a header cannot send our credentials elsewhere; it stays a string. */
export function nextFromLocation(location: string | undefined, server: string, accountName: string): NextParse {
  if (location === undefined || location.trim() === '') return { ok: false, reason: 'no Location header' };
  const text = location.trim();
  const base = new URL(server);
  let url: URL;
  try {
    url = new URL(text, base.origin);
  } catch {
    return { ok: false, reason: 'the Location header is not a URL' };
  }
  if (ABSOLUTE.test(text) && url.origin !== base.origin) return { ok: false, reason: 'the Location header points at another host' };
  if (!ABSOLUTE.test(text) && !text.startsWith('/')) return { ok: false, reason: 'the Location header is not an absolute path' };
  const serverPath = base.pathname.replace(/\/+$/, '');
  if (!isHistoryPath(url.pathname, serverPath, accountName)) return { ok: false, reason: "the Location header does not point at this account's SMS history" };
  const values = url.searchParams.getAll('next');
  if (values.length !== 1 || values[0] === '') return { ok: false, reason: 'the Location header has no single next value' };
  if (values[0].length > MAX_NEXT_LENGTH) return { ok: false, reason: 'the next token in the Location header is too long' };
  return { ok: true, next: values[0] };
}
