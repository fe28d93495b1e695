// The notice JSON is undocumented and may reach the SMS listener (docs/thingspace-api.md, "Delivery notices"):
// every plausible shape is read, and recognised before the SMS parser.
import type { DeviceId } from '../types';
import { FROM_CALLBACK, readDeviceIds } from '../client/device-ids';
import { describe, isObject, type Obj } from '../client/json-values';
import { MAX_FIELDS, isResponseKey } from './callback-body';

/** `sent`: handed to the network, more may follow. */
export type DeliveryStatus = 'sent' | 'delivered' | 'failed' | 'expired' | 'unknown';

export interface DeliveryNotice {
  requestId: string;
  status: DeliveryStatus;
  /** delivered, failed and expired end a send; sent and unknown may be followed by more. */
  final: boolean;
  thingspaceStatus: string;
  /** Empty when the notice names no device. */
  deviceIds: DeviceId[];
  /** As received, else our receive time (then `timestampLocal`). */
  timestamp: string;
  timestampLocal: boolean;
  reason?: string;
}

const MAX_ID_LENGTH = 256;
const MAX_TEXT = 300;

const DELIVERY_KEY = /deliver|confirmation|receipt/i;
const STATUS_FIELDS = ['deliveryStatus', 'smsStatus', 'status', 'Status', 'state'] as const;
const TEXT_FIELDS = ['message', 'smsMessage', 'sms', 'SmsMessage'] as const;
/** Squashed: spaces, hyphens and underscores removed. */
const NOTICE_WORDS = /^(sent|senttonetwork|delivered|deliveredtodevice|undelivered|undeliverable|failed|failure|expired|rejected)$/;

function nestedOf(root: Obj): { delivery: Obj[]; responses: Obj[]; deliveryKey: boolean } {
  const delivery: Obj[] = [];
  const responses: Obj[] = [];
  let deliveryKey = false;
  let seen = 0;
  for (const key in root) {
    if (++seen > MAX_FIELDS) break;
    if (DELIVERY_KEY.test(key)) deliveryKey = true;
    const value = root[key];
    if (!isObject(value) || key === 'deviceIds') continue;
    if (DELIVERY_KEY.test(key)) delivery.push(value);
    else if (isResponseKey(key)) responses.push(value);
  }
  for (const nested of responses) for (const key in nested) if (DELIVERY_KEY.test(key)) deliveryKey = true;
  return { delivery, responses, deliveryKey };
}

function squash(status: string): string {
  return status.toLowerCase().replace(/[\s_-]+/g, '');
}

/** A delivery-named field, a status only a notice uses, or a requestId and status without text. */
export function looksLikeDeliveryNotice(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { delivery, responses, deliveryKey } = nestedOf(value);
  if (deliveryKey) return true;
  const status = textField([...responses, value], STATUS_FIELDS);
  if (status === undefined) return false;
  if (NOTICE_WORDS.test(squash(status))) return true;
  return value.requestId !== undefined && ![value, ...delivery, ...responses].some((o) => TEXT_FIELDS.some((f) => typeof o[f] === 'string'));
}

/** 'success' means delivered only in a delivery-named notice. */
export function readStatus(text: string, deliveryNamed: boolean): { status: DeliveryStatus; final: boolean } {
  const s = squash(text);
  if (s.includes('expire')) return { status: 'expired', final: true };
  if (/undeliver|notdeliver|fail|reject|error|invalid|cancel/.test(s)) return { status: 'failed', final: true };
  if (s.includes('deliver') || (deliveryNamed && /^(success|successful|ok|acknowledged|received)$/.test(s))) return { status: 'delivered', final: true };
  if (/sent|network|queued|submitted|accepted|pending|inprogress|enroute/.test(s)) return { status: 'sent', final: false };
  return { status: 'unknown', final: false };
}

/** The first text among `fields` of `objects`, trimmed, and cut at MAX_TEXT. */
function textField(objects: Obj[], fields: readonly string[]): string | undefined {
  for (const obj of objects) {
    for (const f of fields) {
      const v = typeof obj[f] === 'string' ? (obj[f] as string).trim() : '';
      if (v !== '') return v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}...` : v;
    }
  }
  return undefined;
}

export function parseDeliveryNotice(value: unknown, receivedAt: Date): { ok: true; notice: DeliveryNotice } | { ok: false; reason: string } {
  if (!isObject(value)) return { ok: false, reason: `notice body is ${describe(value)}, expected a JSON object` };
  const { delivery, responses, deliveryKey } = nestedOf(value);
  const inner = [...delivery, ...responses];
  const all = [...inner, value];
  const rawId = value.requestId ?? inner.map((o) => o.requestId).find((v) => v !== undefined);
  const requestId = typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : rawId;
  if (typeof requestId !== 'string' || requestId === '' || requestId.length > MAX_ID_LENGTH) {
    return { ok: false, reason: `delivery notice without a readable requestId (it is ${describe(rawId)})` };
  }
  const thingspaceStatus = textField(all, STATUS_FIELDS) ?? (deliveryKey ? textField(all, ['result']) : undefined);
  if (thingspaceStatus === undefined) return { ok: false, reason: 'delivery notice without a status (deliveryStatus, smsStatus or status)' };
  let deviceIds: DeviceId[] = [];
  const idsAt = [value, ...inner].find((o) => o.deviceIds !== undefined && o.deviceIds !== null);
  const rawIds = idsAt?.deviceIds ?? value.Device;
  if (rawIds !== undefined && rawIds !== null) {
    const ids = readDeviceIds(rawIds, idsAt ? 'deviceIds' : 'Device', FROM_CALLBACK);
    if (typeof ids === 'string') return { ok: false, reason: ids };
    deviceIds = ids;
  }
  const stamp = textField(all, ['timestamp', 'deliveryTimestamp', 'Timestamp', 'dateTime']);
  const notice: DeliveryNotice = {
    requestId,
    ...readStatus(thingspaceStatus, deliveryKey),
    thingspaceStatus,
    deviceIds,
    timestamp: stamp ?? receivedAt.toISOString(),
    timestampLocal: stamp === undefined,
  };
  const reason = textField(all, ['reason', 'failureReason', 'errorMessage', 'description']);
  if (reason !== undefined) notice.reason = reason;
  return { ok: true, notice };
}
