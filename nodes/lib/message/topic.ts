// `msg.topic` from the node's `topic` template (README, "sms-queue-in"). The template is
// parsed once per node; per message we only concatenate, because every SMS goes through
// here (the benchmark pushes 200,000 SMS/s).
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

/**
 * Compiles a topic template into a function. `{account}`, `{kind}` and `{id}` are replaced
 * (kind lower-cased, so `MDN` and `mdn` devices land on one topic); any other `{name}`
 * stays literally. An empty template means the default.
 */
export function compileTopic(template: string = DEFAULT_TOPIC_TEMPLATE): TopicFunction {
  const parts = parseTemplate(template || DEFAULT_TOPIC_TEMPLATE);
  const needsDevice = parts.some((p) => p === KIND || p === ID);
  // The account is the same for every message of a node: sanitise it once, not per SMS.
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

/** The topic of a batch message (README, "The message"): fixed, only the account varies. */
export function batchTopic(account: string): string {
  return 'thingspace/' + sanitizeTopicValue(account) + '/sms';
}

/** The device an SMS is filed under: its `mdn` if it has one (kind compared case-insensitively, docs/thingspace-api.md, "Device ids"), else its first id. */
export function sendingDevice(deviceIds: readonly DeviceId[] | undefined): DeviceId | undefined {
  if (!deviceIds || deviceIds.length === 0) return undefined;
  for (let i = 0; i < deviceIds.length; i++) {
    const kind = deviceIds[i].kind;
    if (kind === 'mdn' || (kind.length === 3 && kind.toLowerCase() === 'mdn')) return deviceIds[i];
  }
  return deviceIds[0];
}

/**
 * Makes a value safe to insert as (part of) one MQTT topic level: `/`, `+`, `#` and control
 * characters become `_`.
 *
 * Why: device ids and kinds come from the network, and in push mode from a callback body that
 * anyone can POST when no callback credentials are set. In MQTT (3.1.1 and 5.0, section 4.7)
 * `/` separates levels, so an id like `123/cmd` would publish into another topic subtree
 * (one a device or a rule may listen on); `+` and `#` are wildcards that a PUBLISH topic must
 * not contain, so the broker would drop the connection of the flow's MQTT client; U+0000 is
 * forbidden and other control characters are discouraged. Replacing keeps one value = one level.
 */
export function sanitizeTopicValue(value: string): string {
  for (let i = 0; i < value.length; i++) {
    if (isUnsafe(value.charCodeAt(i))) return replaceUnsafe(value, i);
  }
  return value; // the common case: no copy
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
