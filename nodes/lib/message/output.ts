// The messages sms-queue-in emits (README, "The message"), built with no intermediate objects
// since every SMS passes here.
import type { DeviceId, SmsMessage } from '../types';
import { batchTopic, type TopicFunction } from './topic';

export type MessageSource = 'queue' | 'callback';

export type DeviceMap = Record<string, string>;

export interface OutputContext {
  accountName: string;
  source: MessageSource;
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
  /** Auto mode keeps nothing, so the message may take the array itself (see copyDeviceIds). */
  shareDeviceIds?: boolean;
}

export interface BatchContext extends OutputContext {
  block: string;
}

// Type aliases, not interfaces: assignable to Node-RED's NodeMessage (an index signature) without a cast.
export type SmsFields = {
  payload: string;
  topic: string;
  deviceIds: DeviceId[];
  device: DeviceMap;
  timestamp: string;
};

/** Routed back, `block` + `index` acknowledge the SMS (manual mode). */
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

/** `index: -1` acknowledges the whole block. */
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

/** Lower-case kind to id; the first id of a repeated kind wins. */
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

/** Carries no callback credentials: only the fields below exist. */
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

// Node-RED hands the first wire the message uncloned, and manual mode keeps these SMS to emit
// again: a function node editing msg.deviceIds must not change what is re-delivered.
function copyDeviceIds(deviceIds: readonly DeviceId[]): DeviceId[] {
  const out = new Array<DeviceId>(deviceIds.length);
  for (let i = 0; i < deviceIds.length; i++) out[i] = { kind: deviceIds[i].kind, id: deviceIds[i].id };
  return out;
}
