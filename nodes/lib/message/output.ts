// The flow messages sms-queue-in emits (README, "The message").
// Built fresh per SMS with no intermediate objects beyond the message itself.
import type { DeviceId, SmsMessage } from '../types';
import { batchTopic, type TopicFunction } from './topic';

export type MessageSource = 'queue' | 'callback';

/** Lower-case kind to id, e.g. `{mdn: '15551230001', imei: '356938035643809'}`. */
export type DeviceMap = Record<string, string>;

/** What every message of a node shares. */
export interface OutputContext {
  accountName: string;
  source: MessageSource;
  /** From `compileTopic(node.topic)`, compiled once per node. */
  topic: TopicFunction;
}

/** One SMS: the shared context plus its acknowledgement ref (`AckRef` in nodes/lib/consumer/types.ts) and dedupe key. */
export interface SingleContext extends OutputContext {
  block: string;
  index: number;
  key: string;
  /** Callbacks only: when the body reached us (ISO 8601). */
  receivedAt?: string;
  /** Callbacks only: the body had no timestamp, so `timestamp` is our receive time. */
  timestampLocal?: boolean;
  /** Nobody keeps this SMS once its message is built (auto mode): the message may take its
   *  `deviceIds` array itself instead of a copy. */
  shareDeviceIds?: boolean;
}

export interface BatchContext extends OutputContext {
  block: string;
}

// Messages are type aliases, not interfaces, so they are assignable to Node-RED's
// NodeMessage (which has an index signature) without a cast in the node.

/** The SMS fields of a message: a single-mode message without `thingspace`. */
export type SmsFields = {
  payload: string;
  topic: string;
  deviceIds: DeviceId[];
  device: DeviceMap;
  timestamp: string;
};

/** `msg.thingspace` in single mode. Routed back, `block` + `index` acknowledge the SMS (manual mode). */
export interface SingleMeta {
  accountName: string;
  source: MessageSource;
  block: string;
  index: number;
  key: string;
  receivedAt?: string;
  timestampLocal?: true;
}

export type SingleMessage = SmsFields & {
  thingspace: SingleMeta;
};

/** `msg.thingspace` in batch mode; `index: -1` acknowledges the whole block. */
export interface BatchMeta {
  accountName: string;
  source: MessageSource;
  block: string;
  index: -1;
  count: number;
}

export type BatchMessage = {
  payload: SmsFields[];
  topic: string;
  thingspace: BatchMeta;
};

/** Lower-case kind to id; the first id of a kind wins when a kind repeats. */
export function deviceMap(deviceIds: readonly DeviceId[]): DeviceMap {
  const map: DeviceMap = {};
  for (let i = 0; i < deviceIds.length; i++) {
    const kind = deviceIds[i].kind.toLowerCase();
    if (Object.prototype.hasOwnProperty.call(map, kind)) continue;
    if (kind === '__proto__') {
      // A plain assignment would try to set the prototype and lose the id.
      Object.defineProperty(map, kind, { value: deviceIds[i].id, enumerable: true, writable: true, configurable: true });
    } else {
      map[kind] = deviceIds[i].id;
    }
  }
  return map;
}

/** One message per SMS (single mode). Carries no callback credentials: only the fields below exist. */
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
  return {
    payload: sms.message,
    topic: ctx.topic(ctx.accountName, sms),
    deviceIds: ctx.shareDeviceIds === true ? sms.deviceIds : copyDeviceIds(sms.deviceIds),
    device: deviceMap(sms.deviceIds),
    timestamp: sms.timestamp,
    thingspace,
  };
}

/** One message per block (batch mode); routed back, it acknowledges the whole block. */
export function toBatchMessage(items: ReadonlyArray<{ sms: SmsMessage }>, ctx: BatchContext): BatchMessage {
  const payload = new Array<SmsFields>(items.length);
  for (let i = 0; i < items.length; i++) payload[i] = smsFields(items[i].sms, ctx);
  return {
    payload,
    topic: batchTopic(ctx.accountName),
    thingspace: { accountName: ctx.accountName, source: ctx.source, block: ctx.block, index: -1, count: items.length },
  };
}

function smsFields(sms: SmsMessage, ctx: OutputContext): SmsFields {
  return {
    payload: sms.message,
    topic: ctx.topic(ctx.accountName, sms),
    deviceIds: copyDeviceIds(sms.deviceIds),
    device: deviceMap(sms.deviceIds),
    timestamp: sms.timestamp,
  };
}

// A copy, not the consumer's own array: Node-RED hands the first wire the message uncloned,
// and in manual mode the consumer keeps these SMS to emit them again (and to dedupe), so a
// function node editing msg.deviceIds must not change what is re-delivered. In auto mode
// nothing is kept and the caller says so (shareDeviceIds): no copy then.
function copyDeviceIds(deviceIds: readonly DeviceId[]): DeviceId[] {
  const out = new Array<DeviceId>(deviceIds.length);
  for (let i = 0; i < deviceIds.length; i++) out[i] = { kind: deviceIds[i].kind, id: deviceIds[i].id };
  return out;
}
