// Checked before anything is sent, against the limits of docs/thingspace-api.md, "Sending SMS".
import { DATA_ENCODINGS, type DataEncoding } from '../types';
import { GSM7_MAX_SEPTETS, countGsm7 } from './gsm7';

export const MAX_8BIT_BYTES = 140;

type TextCheck = { ok: true; smsMessage: string; used: number; limit: number } | { ok: false; code: 'SMS_TOO_LONG' | 'BAD_INPUT'; reason: string };

export function isDataEncoding(value: unknown): value is DataEncoding {
  return typeof value === 'string' && (DATA_ENCODINGS as readonly string[]).includes(value);
}

/** The text as sent, unless it takes more than one SMS holds. */
function fits(smsMessage: string, used: number, limit: number, unit: string, encoding: DataEncoding): TextCheck {
  if (used <= limit) return { ok: true, smsMessage, used, limit };
  return { ok: false, code: 'SMS_TOO_LONG', reason: `The SMS takes ${used} ${unit}, more than the ${limit} one ${encoding} SMS holds` };
}

function badInput(reason: string): TextCheck {
  return { ok: false, code: 'BAD_INPUT', reason };
}

/** The code point alone when the character would not print. */
function shown(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? hex : `"${c}" (${hex})`;
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
      const count = countGsm7(text);
      if (count.unsupported) {
        const { char, position } = count.unsupported;
        return badInput(`Character ${position}, ${shown(char)}, is not in the GSM 7-bit alphabet: choose 8-bit-UTF-8, or leave it out`);
      }
      return fits(text, count.septets, GSM7_MAX_SEPTETS, 'GSM 7-bit characters', encoding);
    }
    case '8-bit-ASCII': {
      let position = 0;
      for (const c of text) {
        position++;
        if ((c.codePointAt(0) ?? 0) > 0xff) return badInput(`Character ${position}, ${shown(c)}, does not fit in one byte of 8-bit-ASCII: choose 8-bit-UTF-8`);
      }
      return fits(text, text.length, MAX_8BIT_BYTES, 'bytes', encoding);
    }
    case '8-bit-UTF-8':
      return fits(text, Buffer.byteLength(text, 'utf8'), MAX_8BIT_BYTES, 'bytes of UTF-8', encoding);
  }
}
