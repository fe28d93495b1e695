// The body of `POST /sms` (docs/thingspace-api.md, "Sending SMS"): its text, encoding and time to live,
// checked against the API's limits before anything is sent (the target: sms-target.ts).
import { DATA_ENCODINGS, type DataEncoding, type SmsSendRequest } from '../types';
import { describe } from '../client/json-values';
import { messageTarget, type Target } from './sms-target';

export interface SendSettings {
  /** The kind of a bare id in msg.topic. */
  deviceKind: string;
  /** Checked at deploy; undefined when the message names it. */
  fixedTarget: Target | undefined;
  encoding: DataEncoding;
  /** Passed to ThingSpace as given; empty: ThingSpace's default (5 days). */
  timeToLive: string;
}

export type SendRequestBody = Omit<SmsSendRequest, 'accountName'>;

type Refusal = { ok: false; code: 'BAD_INPUT' | 'SMS_TOO_LONG'; reason: string };

const badInput = (reason: string): Refusal => ({ ok: false, code: 'BAD_INPUT', reason });

const MAX_TTL_LENGTH = 32;

/** ThingSpace does not document its form (docs/thingspace-api.md, "Open questions" 12); '' for none. */
export function checkTimeToLive(value: unknown): string | { reason: string } {
  if (value === undefined || value === null || value === '') return '';
  const text = typeof value === 'number' && Number.isFinite(value) && value > 0 ? String(value) : value;
  if (typeof text !== 'string' || text.length > MAX_TTL_LENGTH || !/^[\x21-\x7e]+$/.test(text.trim())) {
    return { reason: `time to live is ${typeof text === 'string' ? 'not a short printable text' : describe(text)}` };
  }
  return text.trim();
}

export function sendRequest(msg: Record<string, unknown>, settings: SendSettings): { ok: true; request: SendRequestBody } | Refusal {
  const enc = msg.dataEncoding === undefined || msg.dataEncoding === '' ? settings.encoding : msg.dataEncoding;
  if (!isDataEncoding(enc)) return badInput(`msg.dataEncoding must be one of ${DATA_ENCODINGS.join(', ')}`);
  const text = checkSmsText(msg.payload, enc);
  if (!text.ok) return text;
  const target = settings.fixedTarget ? { ok: true as const, value: settings.fixedTarget } : messageTarget(msg, settings.deviceKind);
  if (!target.ok) return badInput(target.reason);
  const ttl = msg.timeToLive === undefined ? settings.timeToLive : checkTimeToLive(msg.timeToLive);
  if (typeof ttl !== 'string') return badInput(`msg.timeToLive: ${ttl.reason}`);
  const request: SendRequestBody = { ...target.value, smsMessage: text.smsMessage, dataEncoding: enc };
  if (ttl !== '') request.timeToLive = ttl;
  return { ok: true, request };
}

export const MAX_8BIT_BYTES = 140;

type TextCheck = { ok: true; smsMessage: string; used: number; limit: number } | Refusal;

export function isDataEncoding(value: unknown): value is DataEncoding {
  return typeof value === 'string' && (DATA_ENCODINGS as readonly string[]).includes(value);
}

/** The text as sent, unless it takes more than one SMS holds. */
function fits(smsMessage: string, used: number, limit: number, unit: string, encoding: DataEncoding): TextCheck {
  if (used <= limit) return { ok: true, smsMessage, used, limit };
  return { ok: false, code: 'SMS_TOO_LONG', reason: `The SMS takes ${used} ${unit}, more than the ${limit} one ${encoding} SMS holds` };
}

/** "Character <position>, <character>," of the first character `ok` refuses; positions count code points
 *  (an emoji is one character), and a character that would not print is shown by its code point. */
function firstMisfit(text: string, ok: (c: string) => boolean): string | undefined {
  const chars = [...text];
  const i = chars.findIndex((c) => !ok(c));
  if (i === -1) return undefined;
  const cp = chars[i].codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `Character ${i + 1}, ${cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? hex : `"${chars[i]}" (${hex})`},`;
}

function asText(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if ((typeof payload === 'number' && Number.isFinite(payload)) || typeof payload === 'boolean') return String(payload);
  return undefined;
}

export function checkSmsText(payload: unknown, encoding: DataEncoding): TextCheck {
  if (encoding === '8-bit-DATA') {
    if (!Buffer.isBuffer(payload)) return badInput('8-bit-DATA sends bytes: msg.payload must be a Buffer');
    if (payload.length === 0) return badInput('msg.payload is empty: nothing to send');
    return fits(payload.toString('base64'), payload.length, MAX_8BIT_BYTES, 'bytes', encoding);
  }
  const text = asText(payload);
  if (text === undefined) {
    const what = Buffer.isBuffer(payload) ? 'a Buffer (use 8-bit-DATA to send bytes)' : payload === undefined ? 'missing' : `a ${typeof payload}`;
    return badInput(`msg.payload must be the SMS text, but it is ${what}`);
  }
  if (text === '') return badInput('msg.payload is empty: nothing to send');
  switch (encoding) {
    case '7-bit': {
      const bad = firstMisfit(text, (c) => SEPTETS.has(c));
      if (bad) return badInput(`${bad} is not in the GSM 7-bit alphabet: choose 8-bit-UTF-8, or leave it out`);
      return fits(text, countGsm7(text), GSM7_MAX_SEPTETS, 'GSM 7-bit characters', encoding);
    }
    case '8-bit-ASCII': {
      const bad = firstMisfit(text, (c) => (c.codePointAt(0) ?? 0) <= 0xff);
      if (bad) return badInput(`${bad} does not fit in one byte of 8-bit-ASCII: choose 8-bit-UTF-8`);
      return fits(text, text.length, MAX_8BIT_BYTES, 'bytes', encoding);
    }
    case '8-bit-UTF-8':
      return fits(text, Buffer.byteLength(text, 'utf8'), MAX_8BIT_BYTES, 'bytes of UTF-8', encoding);
  }
}

// ThingSpace's `7-bit` is the GSM 03.38 default alphabet (docs/thingspace-api.md, "Sending SMS").
/** In code order; 0x1B is the escape, not a character. */
const BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Two septets each: the escape and the character. */
const EXTENSION = '\f^{}\\[~]|€';

const SEPTETS = new Map<string, 1 | 2>();
for (const c of BASIC) if (c !== '\u001b') SEPTETS.set(c, 1);
for (const c of EXTENSION) SEPTETS.set(c, 2);

export const GSM7_MAX_SEPTETS = 160;

/** Septets of `text`; a character outside the alphabet counts none (checkSmsText refuses it first). */
export function countGsm7(text: string): number {
  let septets = 0;
  for (const c of text) septets += SEPTETS.get(c) ?? 0;
  return septets;
}
