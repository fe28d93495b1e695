// The messages sms-queue-in emits (README, "The message").
import type { DeviceId, SmsMessage } from '../types';
import { batchTopic, type TopicFunction } from './topic';

type BatchContext = { accountName: string; source: 'queue' | 'callback'; block: string; topic: TopicFunction };

export interface SingleContext extends BatchContext {
  index: number;
  key: string;
  /** Callbacks only (ISO 8601). */
  receivedAt?: string;
  /** Callbacks only: `timestamp` is our receive time. */
  timestampLocal?: boolean;
  /** Auto mode keeps nothing, so the message may take the array itself (see copyIds). */
  shareDeviceIds?: boolean;
}

/** Routed back, `block` + `index` acknowledge the SMS (manual mode). A type alias, not an interface: the
 *  messages stay assignable to Node-RED's NodeMessage (an index signature) without a cast. */
type SingleMeta = Pick<SingleContext, 'accountName' | 'source' | 'block' | 'index' | 'key' | 'receivedAt'> & { timestampLocal?: true };

/** Lower-case kind to id; the first id of a repeated kind wins. */
export function deviceMap(deviceIds: readonly DeviceId[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { kind, id } of deviceIds) {
    const key = kind.toLowerCase();
    if (Object.hasOwn(map, key)) continue;
    // An assignment to '__proto__' would set the prototype and lose the id.
    if (key === '__proto__') Object.defineProperty(map, key, { value: id, enumerable: true, writable: true, configurable: true });
    else map[key] = id;
  }
  return map;
}

/** Carries no callback credentials: only the fields below exist. Built field by field (no spread): it runs per SMS. */
export function toSingleMessage(sms: SmsMessage, ctx: SingleContext) {
  const thingspace: SingleMeta = {
    accountName: ctx.accountName,
    source: ctx.source,
    block: ctx.block,
    index: ctx.index,
    key: ctx.key,
  };
  if (ctx.receivedAt !== undefined) thingspace.receivedAt = ctx.receivedAt;
  if (ctx.timestampLocal === true) thingspace.timestampLocal = true;
  return {
    payload: sms.message,
    topic: ctx.topic(ctx.accountName, sms),
    deviceIds: ctx.shareDeviceIds === true ? sms.deviceIds : copyIds(sms.deviceIds),
    device: deviceMap(sms.deviceIds),
    timestamp: sms.timestamp,
    thingspace,
  };
}

/** `index: -1` acknowledges the whole block. */
export function toBatchMessage(items: ReadonlyArray<{ sms: SmsMessage }>, ctx: BatchContext) {
  return {
    payload: items.map(({ sms }) => ({
      payload: sms.message,
      topic: ctx.topic(ctx.accountName, sms),
      deviceIds: copyIds(sms.deviceIds),
      device: deviceMap(sms.deviceIds),
      timestamp: sms.timestamp,
    })),
    topic: batchTopic(ctx.accountName),
    thingspace: { accountName: ctx.accountName, source: ctx.source, block: ctx.block, index: -1 as const, count: items.length },
  };
}

// Copied unless shared: Node-RED hands the first wire the message uncloned, and manual mode keeps these SMS to
// emit again, so a function node editing msg.deviceIds must not change what is re-delivered.
function copyIds(deviceIds: DeviceId[]): DeviceId[] {
  return deviceIds.map(({ kind, id }) => ({ kind, id }));
}
