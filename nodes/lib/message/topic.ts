// `msg.topic` from the node's template (docs/nodes.md, "sms-queue-in"): parsed once per node, since
// every SMS passes here.
import type { DeviceId, SmsMessage } from '../types';

export const DEFAULT_TOPIC_TEMPLATE = 'thingspace/{account}/sms/{id}';

/** Stands in for `{kind}` and `{id}` when an SMS names no device at all. */
export const UNKNOWN_DEVICE = 'unknown';

export type TopicFunction = (account: string, sms: SmsMessage) => string;

const ACCOUNT = 0;
const KIND = 1;
const ID = 2;
type Part = string | typeof ACCOUNT | typeof KIND | typeof ID;

const PLACEHOLDERS: Record<string, Part> = { '{account}': ACCOUNT, '{kind}': KIND, '{id}': ID };

/** Kind is lower-cased, so `MDN` and `mdn` devices land on one topic; an unknown `{name}` stays. */
export function compileTopic(template: string = DEFAULT_TOPIC_TEMPLATE): TopicFunction {
  const parts = parseTemplate(template || DEFAULT_TOPIC_TEMPLATE);
  const needsDevice = parts.some((p) => p === KIND || p === ID);
  let lastAccount: string | undefined;
  let safeAccount = '';

  return (account, sms) => {
    if (account !== lastAccount) {
      lastAccount = account;
      safeAccount = sanitizeTopicValue(account);
    }
    const device = needsDevice ? sendingDevice(sms.deviceIds) : undefined;
    let topic = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (typeof part === 'string') topic += part;
      else if (part === ACCOUNT) topic += safeAccount;
      else if (device === undefined) topic += UNKNOWN_DEVICE;
      else if (part === KIND) topic += sanitizeTopicValue(device.kind.toLowerCase());
      else topic += sanitizeTopicValue(device.id);
    }
    return topic;
  };
}

/** README, "The message". */
export function batchTopic(account: string): string {
  return 'thingspace/' + sanitizeTopicValue(account) + '/sms';
}

/** Its `mdn` if it has one, else the first; kinds compare case-insensitively
 *  (docs/thingspace-api.md, "Device ids"). */
export function sendingDevice(deviceIds: readonly DeviceId[] | undefined): DeviceId | undefined {
  if (!deviceIds || deviceIds.length === 0) return undefined;
  for (let i = 0; i < deviceIds.length; i++) {
    const kind = deviceIds[i].kind;
    if (kind === 'mdn' || (kind.length === 3 && kind.toLowerCase() === 'mdn')) return deviceIds[i];
  }
  return deviceIds[0];
}

/** Ids may come from anyone who can POST a callback: a `/` would publish into another MQTT
 *  subtree, and a `+` or `#` would make the broker drop the flow's client (MQTT, section 4.7). */
export function sanitizeTopicValue(value: string): string {
  for (let i = 0; i < value.length; i++) {
    if (isUnsafe(value.charCodeAt(i))) return replaceUnsafe(value, i);
  }
  return value;
}

function isUnsafe(c: number): boolean {
  return c < 0x20 || c === 0x2f /* / */ || c === 0x2b /* + */ || c === 0x23 /* # */ || (c >= 0x7f && c <= 0x9f);
}

function replaceUnsafe(value: string, from: number): string {
  let out = value.slice(0, from);
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += isUnsafe(c) ? '_' : value[i];
  }
  return out;
}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  const re = /\{(?:account|kind|id)\}/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push(PLACEHOLDERS[m[0]]);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}
