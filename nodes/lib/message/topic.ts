// `msg.topic` from the node's template (docs/nodes.md, "sms-queue-in").
import type { DeviceId, SmsMessage } from '../types';

export const DEFAULT_TOPIC_TEMPLATE = 'thingspace/{account}/sms/{id}';

export type TopicFunction = (account: string, sms: SmsMessage) => string;

/** Kind is lower-cased, so `MDN` and `mdn` devices land on one topic; an unknown `{name}` stays.
 *  The template is split once: literal text at even indexes, a placeholder's name at odd ones. */
export function compileTopic(template: string = DEFAULT_TOPIC_TEMPLATE): TopicFunction {
  const parts = (template || DEFAULT_TOPIC_TEMPLATE).split(/\{(account|kind|id)\}/);
  return (account, sms) => {
    const device = sendingDevice(sms.deviceIds);
    let topic = parts[0];
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i];
      if (name === 'account') topic += sanitizeTopicValue(account);
      else if (device === undefined)
        topic += 'unknown'; // an SMS naming no device at all
      else topic += sanitizeTopicValue(name === 'kind' ? device.kind.toLowerCase() : device.id);
      topic += parts[i + 1];
    }
    return topic;
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
