// The REST callback JSON is undocumented: every shape in docs/thingspace-api.md, "Pushed SMS bodies" is read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceId, SmsMessage } from '../types';
import { FROM_CALLBACK, readDeviceIds } from '../client/device-ids';
import { describe, isObject, type Obj } from '../client/json-values';

/** UTF-16 units; real SMS are a few hundred characters at most. */
export const MAX_TEXT_LENGTH = 64 * 1024;
export const MAX_RAW_BODY_LENGTH = 1024 * 1024;
/** Top-level fields looked through before the body is called absurd. */
export const MAX_FIELDS = 200;
const MAX_TIMESTAMP_LENGTH = 64;
const MAX_REQUEST_ID_LENGTH = 256;
/** In this order at the top level; a nested object is read for its `message` or `smsMessage`. */
const TEXT_FIELDS = ['message', 'smsMessage', 'sms', 'SmsMessage'] as const;
const CREDENTIALS = ['username', 'password'] as const;

export type CallbackCredentials = Partial<Record<(typeof CREDENTIALS)[number], string>>;

type Failure = { ok: false; code: 'BAD_INPUT' | 'CALLBACK_UNAUTHORIZED'; reason: string };

export type CallbackParseResult = { ok: true; sms: SmsMessage; timestampLocal: boolean; requestId?: string } | Failure;

export function parseCallbackBody(body: unknown, opts: { receivedAt: Date; expected?: CallbackCredentials }): CallbackParseResult {
  const decoded = decodeCallbackBody(body);
  // Credentials first, so a caller without them learns nothing about what else is wrong.
  const denied = callbackCredentialsFailure(decoded.ok ? decoded.value : undefined, opts.expected);
  if (denied) return denied;
  if (!decoded.ok) return fail(decoded.reason);
  if (!isObject(decoded.value)) return fail(`callback body is ${describe(decoded.value)}, expected a JSON object`);

  const root = unwrap(decoded.value);
  const nested = nestedObjects(root);
  if (nested.tooMany) return fail(`callback body has more than ${MAX_FIELDS} fields`);

  const text = findText(root, [...nested.responses, ...nested.others]);
  if (typeof text === 'string') return fail(text);
  if (text.value.length > MAX_TEXT_LENGTH) {
    return fail(`SMS text is ${text.value.length} characters long, more than the ${MAX_TEXT_LENGTH} accepted`);
  }

  const ids = findDeviceIds(root, nested.responses);
  if (typeof ids === 'string') return fail(ids);

  const stamp = findTimestamp([root, ...nested.responses, text.from]);
  if (stamp.error) return fail(stamp.error);

  const requestId = root.requestId;
  const keepId = (typeof requestId === 'string' && requestId.length <= MAX_REQUEST_ID_LENGTH) || typeof requestId === 'number';
  return {
    ok: true,
    sms: { deviceIds: ids, message: text.value, timestamp: stamp.value ?? opts.receivedAt.toISOString() },
    timestampLocal: stamp.value === undefined,
    ...(keepId && { requestId: String(requestId) }),
  };
}

/** Tells a pushed SMS from a poll trigger. Strings and Buffers are not inspected: those come
 *  only from `http in`, recognised by `msg.req`. */
export function looksLikeCallbackBody(payload: unknown): boolean {
  if (!isObject(payload)) return false;
  const root = unwrap(payload);
  if ('SmsMessage' in root && ('Device' in root || 'Username' in root)) return true;
  const { responses, others } = nestedObjects(root);
  const hasText = ['message', 'smsMessage', 'sms'].some((f) => f in root) || [...responses, ...others].some((o) => 'message' in o);
  return hasText && ('deviceIds' in root || responses.some((o) => 'deviceIds' in o));
}

/** For errors that carry the body: no secret may appear in an error or debug message. */
export function redactCallbackBody(body: unknown): unknown {
  if (!isObject(body)) return body;
  const copy: Obj = { ...body };
  for (const key of ['password', 'Password', 'username', 'Username']) {
    if (key in copy) copy[key] = '***';
  }
  if (isObject(copy.SmsCallbackRequest)) copy.SmsCallbackRequest = redactCallbackBody(copy.SmsCallbackRequest);
  return copy;
}

/** `http in` hands over an object, JSON text or a Buffer. */
export function decodeCallbackBody(body: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return { ok: true, value: body };
  if (body.length > MAX_RAW_BODY_LENGTH) {
    const unit = Buffer.isBuffer(body) ? 'bytes' : 'characters';
    return { ok: false, reason: `callback body is ${body.length} ${unit}, more than the ${MAX_RAW_BODY_LENGTH} accepted` };
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return { ok: false, reason: 'callback body is empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'callback body is a string but not valid JSON' };
  }
}

/** The check alone, for delivery notices. ThingSpace copies the registered credentials into each body
 *  (docs/thingspace-api.md, "Callback listeners"); reasons never contain them. Empty fields are not configured. */
export function callbackCredentialsFailure(body: unknown, expected: CallbackCredentials | undefined): Failure | undefined {
  const wanted = CREDENTIALS.filter((k) => expected?.[k]);
  if (wanted.length === 0) return undefined;
  const root = isObject(body) ? unwrap(body) : undefined;
  const given = { username: root?.username ?? root?.Username, password: root?.password ?? root?.Password };
  const missing = wanted.filter((k) => typeof given[k] !== 'string');
  if (missing.length > 0) {
    const what = root ? 'callback body' : `callback body (${body === undefined ? 'unreadable' : describe(body)})`;
    return fail(`${what} carries no callback ${missing.join(' or ')}`, 'CALLBACK_UNAUTHORIZED');
  }
  // Each compared every time, so the timing does not tell which one was wrong.
  const matches = wanted.map((k) => sameSecret(given[k] as string, expected![k]!));
  return matches.includes(false) ? fail('callback credentials do not match the ones configured', 'CALLBACK_UNAUTHORIZED') : undefined;
}

/** Digests have one length, so the comparison time says nothing about the secret's. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function unwrap(body: Obj): Obj {
  return isObject(body.SmsCallbackRequest) ? body.SmsCallbackRequest : body;
}

/** The object fields of the body's root: `*Response` ones may nest the whole body, the others a `*.message`. */
function nestedObjects(root: Obj): { responses: Obj[]; others: Obj[]; tooMany: boolean } {
  const found = { responses: [] as Obj[], others: [] as Obj[], tooMany: false };
  let seen = 0;
  for (const key in root) {
    if (++seen > MAX_FIELDS) return { ...found, tooMany: true };
    const value = root[key];
    if (isObject(value) && key !== 'deviceIds' && key !== 'Device') (isResponseKey(key) ? found.responses : found.others).push(value);
  }
  return found;
}

function findText(root: Obj, nested: Obj[]): { value: string; from: Obj } | string {
  const top = TEXT_FIELDS.find((f) => typeof root[f] === 'string');
  if (top) return { value: root[top] as string, from: root };
  for (const from of nested) {
    const value = typeof from.message === 'string' ? from.message : from.smsMessage;
    if (typeof value === 'string') return { value, from };
  }
  const wrong = TEXT_FIELDS.filter((f) => root[f] != null && !isObject(root[f])).map((f) => `${f} is ${describe(root[f])}`);
  const why = wrong.length > 0 ? ` (${wrong.join(', ')})` : '';
  return `no SMS text: expected a string in message, smsMessage, sms, SmsMessage or a nested *.message${why}`;
}

function findDeviceIds(root: Obj, responses: Obj[]): DeviceId[] | string {
  const at = [root, ...responses].find((o) => o.deviceIds !== undefined && o.deviceIds !== null);
  if (at) return readDeviceIds(at.deviceIds, 'deviceIds', FROM_CALLBACK);
  if (root.Device !== undefined && root.Device !== null) return readDeviceIds(root.Device, 'Device', FROM_CALLBACK);
  return 'no device ids: expected deviceIds (top level or in a *Response object) or Device';
}

function findTimestamp(candidates: Obj[]): { value?: string; error?: string } {
  const value = candidates.map((o) => o.timestamp ?? o.Timestamp).find((v) => v !== undefined && v !== null && v !== '');
  if (value === undefined) return {};
  if (typeof value !== 'string') return { error: `timestamp is ${describe(value)}, expected an ISO 8601 string` };
  if (value.length > MAX_TIMESTAMP_LENGTH) return { error: `timestamp is longer than ${MAX_TIMESTAMP_LENGTH} characters` };
  return { value };
}

/** `*Response` objects nest the body in some shapes. */
export function isResponseKey(key: string): boolean {
  return /.response$/i.test(key);
}

function fail(reason: string, code: Failure['code'] = 'BAD_INPUT'): Failure {
  return { ok: false, code, reason };
}
