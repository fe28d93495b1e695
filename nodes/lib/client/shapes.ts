// Strict checks of the success bodies we rely on. A history block with one unreadable item
// is refused as a whole ('bad_response'): dropping that item would lose an SMS silently,
// and acknowledging the block would lose it for good. Extra fields are tolerated; device ids
// follow device-ids.ts; the SMS text and timestamp must be strings.
import type { CallbackActionResult, CallbackListener, SmsMessage } from '../types';
import { badResponse, type Operation } from './classify';
import { FROM_HISTORY, readDeviceIds } from './device-ids';
import { hasKeys, isRecord } from './json-values';

// The body was parsed from this answer's text, so its objects are ours alone. One that
// already has exactly the known fields, as strings, is kept as it is; only the rest is
// copied (to drop extra fields, or to turn numeric ids into strings). Every SMS of a block
// passes here, so the common case allocates nothing.

/** The SMS, or why it cannot be read. */
function smsMessage(v: unknown): SmsMessage | string {
  if (!isRecord(v)) return 'it is not an object';
  const ids = readDeviceIds(v.deviceIds, 'deviceIds', FROM_HISTORY);
  if (typeof ids === 'string') return ids;
  if (typeof v.message !== 'string') return 'its message is not a string';
  if (typeof v.timestamp !== 'string') return 'its timestamp is not a string';
  if (ids === v.deviceIds && hasKeys(v, 3)) return v as unknown as SmsMessage;
  return { deviceIds: ids, message: v.message, timestamp: v.timestamp };
}

/** The body of a 200/202 history answer (docs/thingspace-api.md, "SMS history"), messages holding only known fields.
 *  `hasMoreData` is optional in Verizon's SDK models, so it is returned only when the body
 *  has it (null counts as absent); the HTTP status is what says whether more is waiting. */
export function historyBody(body: unknown, status: number): { hasMoreData?: boolean; messages: SmsMessage[] } {
  if (!isRecord(body) || !Array.isArray(body.messages)) {
    throw badResponse('history', status, 'the body is not a history block (no messages array)');
  }
  const flag = body.hasMoreData;
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
    throw badResponse('history', status, 'the body is not a history block (hasMoreData is not true or false)');
  }
  const messages = new Array<SmsMessage>(body.messages.length);
  for (let i = 0; i < body.messages.length; i++) {
    const sms = smsMessage(body.messages[i]);
    if (typeof sms === 'string') throw badResponse('history', status, `message ${i} of the block is malformed: ${sms}`);
    messages[i] = sms;
  }
  return typeof flag === 'boolean' ? { hasMoreData: flag, messages } : { messages };
}

export function successBody(body: unknown, status: number): { success: boolean } {
  if (!isRecord(body) || typeof body.success !== 'boolean') throw badResponse('startCallbacks', status, 'the body has no success flag');
  return { success: body.success };
}

export function actionResult(operation: Operation, body: unknown, status: number): CallbackActionResult {
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
