// `msg.topic` from the node's template (docs/nodes.md, "sms-queue-in").
import type { DeviceId, SmsMessage } from '../types';

export const DEFAULT_TOPIC_TEMPLATE = 'thingspace/{account}/sms/{id}';

export type TopicFunction = (account: string, sms: SmsMessage) => string;

/** Kind is lower-cased, so `MDN` and `mdn` devices land on one topic; an unknown `{name}` stays. */
export function compileTopic(template: string = DEFAULT_TOPIC_TEMPLATE): TopicFunction {
  const text = template || DEFAULT_TOPIC_TEMPLATE;
  return (account, sms) => {
    const device = sendingDevice(sms.deviceIds);
    return text.replace(/\{(account|kind|id)\}/g, (_, name: string) => {
      if (name === 'account') return sanitizeTopicValue(account);
      if (device === undefined) return 'unknown'; // an SMS naming no device at all
      return sanitizeTopicValue(name === 'kind' ? device.kind.toLowerCase() : device.id);
    });
  };
}

/** README, "The message". */
export function batchTopic(account: string): string {
  return 'thingspace/' + sanitizeTopicValue(account) + '/sms';
}

/** Its `mdn` if it has one, else the first; kinds compare case-insensitively (docs/thingspace-api.md, "Device ids"). */
export function sendingDevice(deviceIds: readonly DeviceId[] | undefined): DeviceId | undefined {
  return deviceIds?.find((d) => d.kind.toLowerCase() === 'mdn') ?? deviceIds?.[0];
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f/+#\u007f-\u009f]/g;

/** Ids may come from anyone who can POST a callback: a `/` would publish into another MQTT
 *  subtree, and a `+` or `#` would make the broker drop the flow's client (MQTT, section 4.7). */
export function sanitizeTopicValue(value: string): string {
  return value.replace(UNSAFE, '_');
}
