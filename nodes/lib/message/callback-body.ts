// Reads a pushed MO-SMS callback body as the history shape {deviceIds, message, timestamp}.
//
// The REST callback JSON is not documented (thingspace-api.md 6.2, open question 5), so this
// accepts every shape listed there:
//   - REST envelope: `deviceIds` at the top level or inside a response object (`smsResponse`,
//     or any `*Response`, as the NIDD MO callback does), text in the first of `message`,
//     `smsMessage`, `sms`, or a nested `*.message`; `timestamp` and `requestId` optional;
//     `username`/`password` copied into the body when registered (6.1).
//   - SOAP-like (the confirmed legacy `SmsCallbackRequest`): `Username`, `Password`,
//     `Device` (one `{Kind, Identifier}` or an array of them) and `SmsMessage`, no timestamp;
//     also accepted wrapped as `{SmsCallbackRequest: {...}}`.
// Kinds are kept as received (compared case-insensitively elsewhere, 4.4); numeric ids are
// stringified. A body without a timestamp is stamped with our receive time, flagged local.
//
// Input recognition order in sms-queue-in (SPEC.md, "Input messages"):
//   1. the message carries the `thingspace` property the node gave it -> manual acknowledgement;
//   2. it comes from `http in` (has `req`) or `looksLikeCallbackBody(msg.payload)` -> push mode,
//      through `parseCallbackBody` (failure -> Catch error BAD_INPUT / CALLBACK_UNAUTHORIZED);
//   3. anything else -> an immediate poll.
import { timingSafeEqual } from 'node:crypto';
import type { DeviceId, SmsMessage } from '../types';

/** Longest SMS text we accept (UTF-16 units). Real SMS are a few hundred characters at most. */
export const MAX_TEXT_LENGTH = 64 * 1024;
/** Most device ids per SMS; real ones carry 1-4 (api 4.2, 6.2). */
export const MAX_DEVICE_IDS = 100;
/** Largest string or Buffer body we will JSON.parse. */
export const MAX_RAW_BODY_LENGTH = 1024 * 1024;
/** Top-level fields we look through (for `*Response` objects) before calling the body absurd. */
export const MAX_FIELDS = 200;
const MAX_KIND_LENGTH = 32;
const MAX_ID_LENGTH = 128;
const MAX_TIMESTAMP_LENGTH = 64;
const MAX_REQUEST_ID_LENGTH = 256;

export interface CallbackCredentials {
  username?: string;
  password?: string;
}

export interface ParseCallbackOptions {
  receivedAt: Date;
  /** The config node's callback credentials; when set, the body must carry them. */
  expected?: CallbackCredentials;
}

export type CallbackParseResult =
  | { ok: true; sms: SmsMessage; timestampLocal: boolean; requestId?: string }
  | { ok: false; code: 'BAD_INPUT' | 'CALLBACK_UNAUTHORIZED'; reason: string };

type Obj = Record<string, unknown>;
type Failure = Extract<CallbackParseResult, { ok: false }>;

export function parseCallbackBody(body: unknown, opts: ParseCallbackOptions): CallbackParseResult {
  const expected = configured(opts.expected);
  const decoded = decode(body);

  // Credentials first, so a caller without them learns nothing about what else is wrong.
  if (expected) {
    const denied = checkCredentials(decoded.ok ? decoded.value : undefined, expected);
    if (denied) return denied;
  }
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

/**
 * A cheap test whether a message payload is a callback body, so sms-queue-in can tell a
 * pushed SMS from a trigger (see the recognition order at the top of this file). True for a
 * plain object with a message-ish text field and device ids somewhere, or SOAP-like fields.
 * Strings and Buffers are not inspected: those only come from `http in`, recognised by `msg.req`.
 */
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

/**
 * A copy of a callback body with its credentials masked, for error messages that carry the
 * body (SPEC.md: no secret ever appears in an error or debug message).
 */
export function redactCallbackBody(body: unknown): unknown {
  if (!isObject(body)) return body;
  const copy: Obj = { ...body };
  for (const key of ['password', 'Password', 'username', 'Username']) {
    if (key in copy) copy[key] = '***';
  }
  if (isObject(copy.SmsCallbackRequest)) copy.SmsCallbackRequest = redactCallbackBody(copy.SmsCallbackRequest);
  return copy;
}

// ---- decoding -------------------------------------------------------------------------

function decode(body: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  // http in normally hands us an object; a text/plain or raw body arrives as a string or Buffer.
  if (Buffer.isBuffer(body)) {
    if (body.length > MAX_RAW_BODY_LENGTH) return { ok: false, reason: `callback body is ${body.length} bytes, more than the ${MAX_RAW_BODY_LENGTH} accepted` };
    return decode(body.toString('utf8'));
  }
  if (typeof body !== 'string') return { ok: true, value: body };
  if (body.length > MAX_RAW_BODY_LENGTH) return { ok: false, reason: `callback body is ${body.length} characters, more than the ${MAX_RAW_BODY_LENGTH} accepted` };
  if (body.trim() === '') return { ok: false, reason: 'callback body is empty' };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, reason: 'callback body is a string but not valid JSON' };
  }
}

// ---- credentials ----------------------------------------------------------------------

function configured(expected: CallbackCredentials | undefined): CallbackCredentials | undefined {
  if (!expected) return undefined;
  const username = expected.username ? expected.username : undefined;
  const password = expected.password ? expected.password : undefined;
  return username === undefined && password === undefined ? undefined : { username, password };
}

// ThingSpace copies the registered username/password into each body in plain text (api 6.1);
// the legacy SOAP body names them Username/Password (6.2). Reasons never contain either value.
function checkCredentials(body: unknown, expected: CallbackCredentials): Failure | undefined {
  const root = isObject(body) && isObject(body.SmsCallbackRequest) ? body.SmsCallbackRequest : body;
  const given = isObject(root) ? root : {};
  const username = pick(given, 'username', 'Username');
  const password = pick(given, 'password', 'Password');

  const missing: string[] = [];
  if (expected.username !== undefined && typeof username !== 'string') missing.push('username');
  if (expected.password !== undefined && typeof password !== 'string') missing.push('password');
  if (missing.length > 0) {
    const what = isObject(root) ? 'callback body' : `callback body (${decodedKind(body)})`;
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
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

function decodedKind(body: unknown): string {
  return body === undefined ? 'unreadable' : describe(body);
}

// ---- fields ---------------------------------------------------------------------------

interface Nested {
  /** Values of `*Response` keys, in key order. */
  responses: Obj[];
  /** Other nested plain objects, where a `*.message` may hide. */
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
  if (root.deviceIds !== undefined && root.deviceIds !== null) return readIds(root.deviceIds, 'deviceIds');
  for (const nested of responses) {
    if (nested.deviceIds !== undefined && nested.deviceIds !== null) return readIds(nested.deviceIds, 'deviceIds');
  }
  if (root.Device !== undefined && root.Device !== null) return readIds(root.Device, 'Device');
  return 'no device ids: expected deviceIds (top level or in a *Response object) or Device';
}

function readIds(raw: unknown, field: string): DeviceId[] | string {
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (!list) return `${field} is ${describe(raw)}, expected an array of {kind, id}`;
  if (list.length === 0) return `${field} is an empty array: no device ids`;
  if (list.length > MAX_DEVICE_IDS) return `${field} has ${list.length} entries, more than the ${MAX_DEVICE_IDS} accepted`;
  const ids = new Array<DeviceId>(list.length);
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    const where = `${field}[${i}]`;
    if (!isObject(entry)) return `${where} is ${describe(entry)}, expected {kind, id}`;
    const kind = pick(entry, 'kind', 'Kind');
    const id = pick(entry, 'id', 'Identifier', 'identifier');
    if (typeof kind !== 'string' || kind === '') return `${where} has no kind`;
    if (kind.length > MAX_KIND_LENGTH) return `${where} has a kind longer than ${MAX_KIND_LENGTH} characters`;
    const idText = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
    if (typeof idText !== 'string' || idText === '') return `${where} has no id`;
    if (idText.length > MAX_ID_LENGTH) return `${where} has an id longer than ${MAX_ID_LENGTH} characters`;
    ids[i] = { kind, id: idText };
  }
  return ids;
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

// ---- helpers --------------------------------------------------------------------------

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function isResponseKey(key: string): boolean {
  return key.length > 8 && key.slice(-8).toLowerCase() === 'response';
}

function pick(obj: Obj, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = obj[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** What a value is, for a reason; never the value itself (it may be a password). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  switch (typeof value) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'undefined': return 'missing';
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

function badInput(reason: string): Failure {
  return { ok: false, code: 'BAD_INPUT', reason };
}

function unauthorized(reason: string): Failure {
  return { ok: false, code: 'CALLBACK_UNAUTHORIZED', reason };
}
