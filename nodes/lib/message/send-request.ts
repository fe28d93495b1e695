// The body of `POST /sms` (docs/thingspace-api.md, "Sending SMS"), checked before anything is sent.
import type { DataEncoding, SmsSendRequest } from '../types';
import { describe } from '../client/json-values';
import { checkSmsText, isDataEncoding } from './sms-text';
import { messageTarget, type Target, type TargetSettings } from './sms-target';
import { DATA_ENCODINGS } from '../types';

export interface SendSettings {
  target: TargetSettings;
  /** Checked at deploy; undefined when the message names it. */
  fixedTarget: Target | undefined;
  encoding: DataEncoding;
  /** Passed to ThingSpace as given; empty: ThingSpace's default (5 days). */
  timeToLive: string;
}

export type SendRequestBody = Omit<SmsSendRequest, 'accountName'>;

type SendInput = { ok: true; request: SendRequestBody } | { ok: false; code: 'BAD_INPUT' | 'SMS_TOO_LONG'; reason: string };

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

export function sendRequest(msg: Record<string, unknown>, settings: SendSettings): SendInput {
  const enc = msg.dataEncoding === undefined || msg.dataEncoding === '' ? settings.encoding : msg.dataEncoding;
  if (!isDataEncoding(enc)) {
    return { ok: false, code: 'BAD_INPUT', reason: `msg.dataEncoding must be one of ${DATA_ENCODINGS.join(', ')}` };
  }
  const text = checkSmsText(msg.payload, enc);
  if (!text.ok) return text;
  let target = settings.fixedTarget;
  if (!target) {
    const t = messageTarget(msg, settings.target.deviceKind);
    if (!t.ok) return { ok: false, code: 'BAD_INPUT', reason: t.reason };
    target = t.value;
  }
  const ttl = msg.timeToLive === undefined ? settings.timeToLive : checkTimeToLive(msg.timeToLive);
  if (typeof ttl !== 'string') return { ok: false, code: 'BAD_INPUT', reason: `msg.timeToLive: ${ttl.reason}` };
  const request: SendRequestBody = { ...target, smsMessage: text.smsMessage, dataEncoding: enc };
  if (ttl !== '') request.timeToLive = ttl;
  return { ok: true, request };
}
