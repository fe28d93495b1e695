// Who an SMS goes to (docs/thingspace-api.md, "Sending SMS"), checked before anything is sent.
import type { DeviceId, SmsSendRequest } from '../types';
import { describe, isObject } from '../client/json-values';

export type Target = Pick<SmsSendRequest, 'deviceIds' | 'groupName' | 'servicePlan' | 'customFields'>;

export type TargetType = 'msg' | 'device' | 'group' | 'servicePlan';

export const MAX_TARGET_DEVICES = 1000;
const MAX_NAME_LENGTH = 256;
const MAX_CUSTOM_FIELDS = 20;

/** Generous where Verizon's pages differ (docs/thingspace-api.md, "Device ids"). */
const ID_FORMS: Record<string, { test: RegExp; what: string }> = {
  mdn: { test: /^\d{10,15}$/, what: '10 to 15 digits' },
  msisdn: { test: /^\d{10,15}$/, what: '10 to 15 digits' },
  imei: { test: /^\d{14,16}$/, what: '14 to 16 digits' },
  iccid: { test: /^\d{18,22}$/, what: '18 to 22 digits' },
  eid: { test: /^\d{32}$/, what: '32 digits' },
  esn: { test: /^(?:\d{11}|[0-9A-Fa-f]{8})$/, what: '11 digits or 8 hexadecimal characters' },
  meid: { test: /^(?:[0-9A-Fa-f]{14}|\d{18})$/, what: '14 hexadecimal characters or 18 digits' },
};

export const DEVICE_KINDS = Object.keys(ID_FORMS);

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const no = <T>(reason: string): Checked<T> => ({ ok: false, reason });
const map = <T, U>(c: Checked<T>, f: (value: T) => U): Checked<U> => (c.ok ? ok(f(c.value)) : c);

/** Kind lower-cased. */
export function checkDeviceId(kind: unknown, id: unknown, where = 'device id'): Checked<DeviceId> {
  if (typeof kind !== 'string' || kind.trim() === '') return no(`${where} has no kind`);
  const k = kind.trim().toLowerCase();
  const form = ID_FORMS[k];
  if (!form) return no(`${where} has kind "${kind.slice(0, 20)}"; expected one of ${DEVICE_KINDS.join(', ')}`);
  const text = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
  if (typeof text !== 'string' || text.trim() === '') return no(`${where} (${k}) has no id`);
  if (!form.test.test(text.trim())) return no(`${where} is not a well-formed ${k}: expected ${form.what}`);
  return ok({ kind: k, id: text.trim() });
}

function name(value: unknown, field: string): Checked<string> {
  if (typeof value !== 'string' || value.trim() === '') return no(`${field} is ${describe(value)}, expected a name`);
  if (value.length > MAX_NAME_LENGTH) return no(`${field} is longer than ${MAX_NAME_LENGTH} characters`);
  return ok(value.trim());
}

/** The node's named targets: the field each fills, and what it is called in an error. */
const NAMED = { group: ['groupName', 'the group name'], servicePlan: ['servicePlan', 'the service plan'] } as const;

/** Checked at deploy; undefined for 'msg' (the message decides). */
export function configuredTarget(
  s: { type: TargetType } & Record<'deviceKind' | 'deviceId' | 'groupName' | 'servicePlan', string>,
): Checked<Target | undefined> {
  if (s.type === 'msg') return ok(undefined);
  if (s.type === 'device') return map(checkDeviceId(s.deviceKind, s.deviceId, "the node's device id"), (id) => ({ deviceIds: [id] }));
  const [field, label] = NAMED[s.type];
  return map(name(s[field], label), (value) => ({ [field]: value }));
}

/** `msg.deviceIds`, else the filters (which combine), else the last segment of `msg.topic` as
 *  `kind:id` or a bare id of `defaultKind`. */
export function messageTarget(msg: Record<string, unknown>, defaultKind: string): Checked<Target> {
  const filters = msg.groupName !== undefined || msg.servicePlan !== undefined || msg.customFields !== undefined;
  if (msg.deviceIds !== undefined && msg.deviceIds !== null) {
    if (filters) return no('msg.deviceIds cannot be combined with msg.groupName, msg.servicePlan or msg.customFields: choose one way of naming the target');
    return map(deviceList(msg.deviceIds, msg.device), (deviceIds) => ({ deviceIds }));
  }
  if (filters) return filterTarget(msg);
  if (typeof msg.topic === 'string' && msg.topic.trim() !== '') {
    const last = msg.topic.trim().split('/').pop()!;
    const colon = last.indexOf(':');
    const [kind, id] = colon === -1 ? [defaultKind, last] : [last.slice(0, colon), last.slice(colon + 1)];
    return map(checkDeviceId(kind, id, 'the device id in msg.topic'), (d) => ({ deviceIds: [d] }));
  }
  return no('No target: set msg.deviceIds (or msg.groupName, msg.servicePlan, msg.customFields, or msg.topic as kind:id), or choose a target in the node');
}

/** ThingSpace wants one id per device: a message from sms-queue-in (`msg.device` agrees) is answered once, by its mdn. */
function deviceList(raw: unknown, device: unknown): Checked<DeviceId[]> {
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (!list) return no(`msg.deviceIds is ${describe(raw)}, expected an array of {kind, id}`);
  if (list.length === 0) return no('msg.deviceIds is empty: no device to send to');
  if (list.length > MAX_TARGET_DEVICES) return no(`msg.deviceIds has ${list.length} devices, more than the ${MAX_TARGET_DEVICES} accepted per message`);
  const ids: DeviceId[] = [];
  for (const [i, entry] of (list as unknown[]).entries()) {
    if (!isObject(entry)) return no(`msg.deviceIds[${i}] is ${describe(entry)}, expected {kind, id}`);
    const id = checkDeviceId(entry.kind, entry.id, `msg.deviceIds[${i}]`);
    if (!id.ok) return id;
    ids.push(id.value);
  }
  const same = ids.length > 1 && isObject(device) && Object.keys(device).length === ids.length && ids.every((d) => device[d.kind] === d.id);
  return ok(same ? [ids.find((d) => d.kind === 'mdn') ?? ids.find((d) => d.kind === 'msisdn') ?? ids[0]] : ids);
}

function filterTarget(msg: Record<string, unknown>): Checked<Target> {
  const target: Target = {};
  for (const field of ['groupName', 'servicePlan'] as const) {
    if (msg[field] === undefined) continue;
    const n = name(msg[field], `msg.${field}`);
    if (!n.ok) return n;
    target[field] = n.value;
  }
  if (msg.customFields !== undefined) {
    const f = customFields(msg.customFields);
    if (!f.ok) return f;
    target.customFields = f.value;
  }
  return ok(target);
}

function customFields(raw: unknown): Checked<Array<{ key: string; value: string }>> {
  const entries = Array.isArray(raw)
    ? raw.map((e: unknown) => (isObject(e) ? [e.key, e.value] : [undefined, undefined]))
    : isObject(raw)
      ? Object.entries(raw)
      : undefined;
  if (!entries) return no(`msg.customFields is ${describe(raw)}, expected [{key, value}] or an object`);
  if (entries.length === 0 || entries.length > MAX_CUSTOM_FIELDS) return no(`msg.customFields needs 1 to ${MAX_CUSTOM_FIELDS} fields`);
  const out: Array<{ key: string; value: string }> = [];
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || key === '' || typeof value !== 'string') return no('each of msg.customFields needs a key and a string value');
    out.push({ key, value });
  }
  return ok(out);
}
