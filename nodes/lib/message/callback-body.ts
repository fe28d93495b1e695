// The REST callback JSON is undocumented: every shape in docs/thingspace-api.md, "Pushed SMS bodies" is read.
import { timingSafeEqual } from 'node:crypto';
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

export interface CallbackCredentials {
  username?: string;
  password?: string;
}

interface ParseCallbackOptions {
  receivedAt: Date;
  expected?: CallbackCredentials;
}

export type CallbackParseResult =
  { ok: true; sms: SmsMessage; timestampLocal: boolean; requestId?: string } | { ok: false; code: 'BAD_INPUT' | 'CALLBACK_UNAUTHORIZED'; reason: string };

type Failure = Extract<CallbackParseResult, { ok: false }>;

export function parseCallbackBody(body: unknown, opts: ParseCallbackOptions): CallbackParseResult {
  const decoded = decodeCallbackBody(body);
  // Credentials first, so a caller without them learns nothing about what else is wrong.
  const denied = callbackCredentialsFailure(decoded.ok ? decoded.value : undefined, opts.expected);
  if (denied) return denied;
  if (!decoded.ok) return badInput(decoded.reason);

  const value = decoded.value;
  if (!isObject(value)) return badInput(`callback body is ${describe(value)}, expected a JSON object`);
  const root = isObject(value.SmsCallbackRequest) ? value.SmsCallbackRequest : value;

  const scan = scanNested(root);
  if (typeof scan === 'string') return badInput(scan);

  const text = findText(root, scan.responses, scan.others);
  if (typeof text === 'string') return badInput(text);
  if (text.value.length > MAX_TEXT_LENGTH) {
    return badInput(`SMS text is ${text.value.length} characters long, more than the ${MAX_TEXT_LENGTH} accepted`);
  }

  const ids = findDeviceIds(root, scan.responses);
  if (typeof ids === 'string') return badInput(ids);

  const stamp = findTimestamp([root, ...scan.responses, text.from]);
  if (stamp.error) return badInput(stamp.error);

  const requestId = root.requestId;
  const result: CallbackParseResult = {
    ok: true,
    sms: {
      deviceIds: ids,
      message: text.value,
      timestamp: stamp.value ?? opts.receivedAt.toISOString(),
    },
    timestampLocal: stamp.value === undefined,
  };
  if ((typeof requestId === 'string' && requestId.length <= MAX_REQUEST_ID_LENGTH) || typeof requestId === 'number') {
    result.requestId = String(requestId);
  }
  return result;
}

/** Tells a pushed SMS from a poll trigger. Strings and Buffers are not inspected: those come
 *  only from `http in`, recognised by `msg.req`. */
export function looksLikeCallbackBody(payload: unknown): boolean {
  if (!isObject(payload)) return false;
  const root = isObject(payload.SmsCallbackRequest) ? payload.SmsCallbackRequest : payload;
  if ('SmsMessage' in root && ('Device' in root || 'Username' in root)) return true;
  let hasText = 'message' in root || 'smsMessage' in root || 'sms' in root;
  let hasIds = 'deviceIds' in root;
  if (hasText && hasIds) return true;
  let seen = 0;
  for (const key in root) {
    if (++seen > MAX_FIELDS) break;
    const nested = root[key];
    if (!isObject(nested) || key === 'deviceIds') continue;
    if (!hasText && 'message' in nested) hasText = true;
    if (!hasIds && isResponseKey(key) && 'deviceIds' in nested) hasIds = true;
    if (hasText && hasIds) return true;
  }
  return false;
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
  if (Buffer.isBuffer(body)) {
    if (body.length > MAX_RAW_BODY_LENGTH) return { ok: false, reason: `callback body is ${body.length} bytes, more than the ${MAX_RAW_BODY_LENGTH} accepted` };
    return decodeCallbackBody(body.toString('utf8'));
  }
  if (typeof body !== 'string') return { ok: true, value: body };
  if (body.length > MAX_RAW_BODY_LENGTH)
    return { ok: false, reason: `callback body is ${body.length} characters, more than the ${MAX_RAW_BODY_LENGTH} accepted` };
  if (body.trim() === '') return { ok: false, reason: 'callback body is empty' };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, reason: 'callback body is a string but not valid JSON' };
  }
}

/** Empty fields are not configured. */
function configured(expected: CallbackCredentials | undefined): CallbackCredentials | undefined {
  if (!expected?.username && !expected?.password) return undefined;
  return { username: expected.username || undefined, password: expected.password || undefined };
}

/** The check alone, for delivery notices. ThingSpace copies the registered credentials into each
 *  body (docs/thingspace-api.md, "Callback listeners"); reasons never contain them. */
export function callbackCredentialsFailure(body: unknown, expected: CallbackCredentials | undefined): Failure | undefined {
  const wanted = configured(expected);
  return wanted ? checkCredentials(body, wanted) : undefined;
}

function checkCredentials(body: unknown, expected: CallbackCredentials): Failure | undefined {
  const root = isObject(body) && isObject(body.SmsCallbackRequest) ? body.SmsCallbackRequest : body;
  const given = isObject(root) ? root : {};
  const username = pick(given, 'username', 'Username');
  const password = pick(given, 'password', 'Password');

  const missing: string[] = [];
  if (expected.username !== undefined && typeof username !== 'string') missing.push('username');
  if (expected.password !== undefined && typeof password !== 'string') missing.push('password');
  if (missing.length > 0) {
    const what = isObject(root) ? 'callback body' : `callback body (${body === undefined ? 'unreadable' : describe(body)})`;
    return unauthorized(`${what} carries no callback ${missing.join(' or ')}`);
  }
  // Both compared every time, so the timing does not tell which one was wrong.
  const userOk = expected.username === undefined || safeEqual(username as string, expected.username);
  const passOk = expected.password === undefined || safeEqual(password as string, expected.password);
  if (!userOk || !passOk) return unauthorized('callback credentials do not match the ones configured');
  return undefined;
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Nested {
  responses: Obj[];
  /** Where a `*.message` may hide. */
  others: Obj[];
}

function scanNested(root: Obj): Nested | string {
  const responses: Obj[] = [];
  const others: Obj[] = [];
  let seen = 0;
  for (const key in root) {
    if (++seen > MAX_FIELDS) return `callback body has more than ${MAX_FIELDS} fields`;
    const value = root[key];
    if (!isObject(value) || key === 'deviceIds' || key === 'Device') continue;
    if (isResponseKey(key)) responses.push(value);
    else others.push(value);
  }
  return { responses, others };
}

const TOP_TEXT_FIELDS = ['message', 'smsMessage', 'sms', 'SmsMessage'] as const;
const NESTED_TEXT_FIELDS = ['message', 'smsMessage'] as const;

function findText(root: Obj, responses: Obj[], others: Obj[]): { value: string; from: Obj } | string {
  const wrongType: string[] = [];
  for (const field of TOP_TEXT_FIELDS) {
    const value = root[field];
    if (typeof value === 'string') return { value, from: root };
    if (value !== undefined && value !== null && !isObject(value)) wrongType.push(`${field} is ${describe(value)}`);
  }
  for (const group of [responses, others]) {
    for (const nested of group) {
      for (const field of NESTED_TEXT_FIELDS) {
        const value = nested[field];
        if (typeof value === 'string') return { value, from: nested };
      }
    }
  }
  const why = wrongType.length > 0 ? ` (${wrongType.join(', ')})` : '';
  return `no SMS text: expected a string in message, smsMessage, sms, SmsMessage or a nested *.message${why}`;
}

function findDeviceIds(root: Obj, responses: Obj[]): DeviceId[] | string {
  const at = [root, ...responses].find((o) => o.deviceIds !== undefined && o.deviceIds !== null);
  if (at) return readDeviceIds(at.deviceIds, 'deviceIds', FROM_CALLBACK);
  if (root.Device !== undefined && root.Device !== null) return readDeviceIds(root.Device, 'Device', FROM_CALLBACK);
  return 'no device ids: expected deviceIds (top level or in a *Response object) or Device';
}

function findTimestamp(candidates: Obj[]): { value?: string; error?: string } {
  for (const obj of candidates) {
    const value = pick(obj, 'timestamp', 'Timestamp');
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return { error: `timestamp is ${describe(value)}, expected an ISO 8601 string` };
    if (value.length > MAX_TIMESTAMP_LENGTH) return { error: `timestamp is longer than ${MAX_TIMESTAMP_LENGTH} characters` };
    return { value };
  }
  return {};
}

/** `*Response` objects nest the body in some shapes. */
export function isResponseKey(key: string): boolean {
  return key.length > 8 && key.slice(-8).toLowerCase() === 'response';
}

function pick(obj: Obj, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = obj[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

function badInput(reason: string): Failure {
  return { ok: false, code: 'BAD_INPUT', reason };
}

function unauthorized(reason: string): Failure {
  return { ok: false, code: 'CALLBACK_UNAUTHORIZED', reason };
}
