// Reads a pushed MO-SMS callback body as the history shape {deviceIds, message, timestamp}.
//
// The REST callback JSON is not documented (docs/thingspace-api.md, "Pushed SMS bodies" and "Open questions" 5), so this
// accepts every shape listed there:
//   - REST envelope: `deviceIds` at the top level or inside a response object (`smsResponse`,
//     or any `*Response`, as the NIDD MO callback does), text in the first of `message`,
//     `smsMessage`, `sms`, or a nested `*.message`; `timestamp` and `requestId` optional;
//     `username`/`password` copied into the body when registered (6.1).
//   - SOAP-like (the confirmed legacy `SmsCallbackRequest`): `Username`, `Password`,
//     `Device` (one `{Kind, Identifier}` or an array of them) and `SmsMessage`, no timestamp;
//     also accepted wrapped as `{SmsCallbackRequest: {...}}`.
// Device ids are read as in history answers (client/device-ids.ts), bounded and copied. A body
// without a timestamp is stamped with our receive time, flagged local.
//
// Input recognition order in sms-queue-in (README, "sms-queue-in", input messages):
//   1. the message carries the `thingspace` property the node gave it -> manual acknowledgement;
//   2. it comes from `http in` (has `req`) or `looksLikeCallbackBody(msg.payload)` -> push mode,
//      through `parseCallbackBody` (failure -> Catch error BAD_INPUT / CALLBACK_UNAUTHORIZED);
//   3. anything else -> an immediate poll.
import { timingSafeEqual } from 'node:crypto';
import type { DeviceId, SmsMessage } from '../types';
import { FROM_CALLBACK, readDeviceIds } from '../client/device-ids';
import { describe, isObject, type Obj } from '../client/json-values';

export { MAX_DEVICE_IDS } from '../client/device-ids';

/** Longest SMS text we accept (UTF-16 units). Real SMS are a few hundred characters at most. */
export const MAX_TEXT_LENGTH = 64 * 1024;
/** Largest string or Buffer body we will JSON.parse. */
export const MAX_RAW_BODY_LENGTH = 1024 * 1024;
/** Top-level fields we look through (for `*Response` objects) before calling the body absurd. */
export const MAX_FIELDS = 200;
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
 * body: no secret may ever appear in an error or debug message.
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

/** A body as http in hands it over (object, JSON text or Buffer), decoded and bounded. */
export function decodeCallbackBody(body: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  return decode(body);
}

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
/** The credentials check alone, for other callback bodies (delivery notices): undefined when
 *  the body carries what the config node expects (or it expects nothing). */
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
  if (root.deviceIds !== undefined && root.deviceIds !== null) return readDeviceIds(root.deviceIds, 'deviceIds', FROM_CALLBACK);
  for (const nested of responses) {
    if (nested.deviceIds !== undefined && nested.deviceIds !== null) return readDeviceIds(nested.deviceIds, 'deviceIds', FROM_CALLBACK);
  }
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

// ---- helpers --------------------------------------------------------------------------

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

function badInput(reason: string): Failure {
  return { ok: false, code: 'BAD_INPUT', reason };
}

function unauthorized(reason: string): Failure {
  return { ok: false, code: 'CALLBACK_UNAUTHORIZED', reason };
}
