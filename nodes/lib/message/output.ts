// The messages sms-queue-in emits (README, "The message").
import type { DeviceId, SmsMessage } from '../types';
import { batchTopic, type TopicFunction } from './topic';

type DeviceMap = Record<string, string>;

interface OutputContext {
  accountName: string;
  source: 'queue' | 'callback';
  topic: TopicFunction;
}

export interface SingleContext extends OutputContext {
  block: string;
  index: number;
  key: string;
  /** Callbacks only (ISO 8601). */
  receivedAt?: string;
  /** Callbacks only: `timestamp` is our receive time. */
  timestampLocal?: boolean;
  /** Auto mode keeps nothing, so the message may take the array itself (see smsFields). */
  shareDeviceIds?: boolean;
}

type BatchContext = OutputContext & { block: string };

// Type aliases, not interfaces: assignable to Node-RED's NodeMessage (an index signature) without a cast.
type SmsFields = {
  payload: string;
  topic: string;
  deviceIds: DeviceId[];
  device: DeviceMap;
  timestamp: string;
};

/** Routed back, `block` + `index` acknowledge the SMS (manual mode). */
type SingleMeta = Pick<SingleContext, 'accountName' | 'source' | 'block' | 'index' | 'key' | 'receivedAt'> & { timestampLocal?: true };

type SingleMessage = SmsFields & { thingspace: SingleMeta };

/** `index: -1` acknowledges the whole block. */
type BatchMeta = Pick<BatchContext, 'accountName' | 'source' | 'block'> & { index: -1; count: number };

type BatchMessage = { payload: SmsFields[]; topic: string; thingspace: BatchMeta };

/** Lower-case kind to id; the first id of a repeated kind wins. */
export function deviceMap(deviceIds: readonly DeviceId[]): DeviceMap {
  const map: DeviceMap = {};
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
export function toSingleMessage(sms: SmsMessage, ctx: SingleContext): SingleMessage {
  const thingspace: SingleMeta = {
    accountName: ctx.accountName,
    source: ctx.source,
    block: ctx.block,
    index: ctx.index,
    key: ctx.key,
  };
  if (ctx.receivedAt !== undefined) thingspace.receivedAt = ctx.receivedAt;
  if (ctx.timestampLocal === true) thingspace.timestampLocal = true;
  const share = ctx.shareDeviceIds === true;
  return {
    payload: sms.message,
    topic: ctx.topic(ctx.accountName, sms),
    deviceIds: share ? sms.deviceIds : copyIds(sms.deviceIds),
    device: deviceMap(sms.deviceIds),
    timestamp: sms.timestamp,
    thingspace,
  };
}

export function toBatchMessage(items: ReadonlyArray<{ sms: SmsMessage }>, ctx: BatchContext): BatchMessage {
  return {
    payload: items.map((item) => smsFields(item.sms, ctx)),
    topic: batchTopic(ctx.accountName),
    thingspace: { accountName: ctx.accountName, source: ctx.source, block: ctx.block, index: -1, count: items.length },
  };
}

function smsFields(sms: SmsMessage, ctx: OutputContext): SmsFields {
  return {
    payload: sms.message,
    topic: ctx.topic(ctx.accountName, sms),
    deviceIds: copyIds(sms.deviceIds),
    device: deviceMap(sms.deviceIds),
    timestamp: sms.timestamp,
  };
}

// Copied unless shared: Node-RED hands the first wire the message uncloned, and manual mode keeps these SMS to
// emit again, so a function node editing msg.deviceIds must not change what is re-delivered.
function copyIds(deviceIds: DeviceId[]): DeviceId[] {
  return deviceIds.map(({ kind, id }) => ({ kind, id }));
}
