// The properties of an sms-out node, read and checked once at deploy.
import type { NodeDef } from 'node-red';
import { checkTimeToLive, isDataEncoding, type SendSettings } from '../message/send-request';
import { DEVICE_KINDS, configuredTarget, type TargetType } from '../message/sms-target';
import { DATA_ENCODINGS } from '../types';
import { configError } from './report';

type TextProps = 'targetType' | 'deviceKind' | 'deviceId' | 'groupName' | 'servicePlan' | 'encoding' | 'keep';
type NumberProps = 'timeToLive' | 'concurrency' | 'queueLimit' | 'outcomeTimeout';

/** As the editor saves them (numbers may come as text); accountName empty: the config node's account. */
export type SmsOutDef = NodeDef & { thingspace: string; accountName?: string } & Record<TextProps, string> & Record<NumberProps, string | number>;

export type SmsOutSettings = ReturnType<typeof readSmsOutSettings>;

/** Sends waiting for an outcome at most; the oldest is given up beyond. */
const MAX_PENDING = 10_000;
const TARGET_TYPES: readonly TargetType[] = ['msg', 'device', 'group', 'servicePlan'];

function wholeNumber(value: unknown, dflt: number, min: number, max: number, label: string): number {
  const n = value === undefined || value === null || value === '' ? dflt : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw configError(`Invalid ${label} "${String(value)}": a whole number from ${min} to ${max}`);
  return n;
}

/** Reads the node's properties; throws a BAD_CONFIG NodeError naming the bad one. */
export function readSmsOutSettings(def: Partial<SmsOutDef>) {
  const type = (def.targetType || 'msg') as TargetType;
  if (!TARGET_TYPES.includes(type)) throw configError(`Invalid target "${String(def.targetType)}"`);
  const deviceKind = (def.deviceKind || 'mdn').toLowerCase();
  if (!DEVICE_KINDS.includes(deviceKind)) throw configError(`Invalid device id kind "${String(def.deviceKind)}": one of ${DEVICE_KINDS.join(', ')}`);
  const fixed = configuredTarget({ type, deviceKind, deviceId: def.deviceId ?? '', groupName: def.groupName ?? '', servicePlan: def.servicePlan ?? '' });
  if (!fixed.ok) throw configError(fixed.reason);
  const encoding = def.encoding || '7-bit';
  if (!isDataEncoding(encoding)) throw configError(`Invalid encoding "${String(def.encoding)}": one of ${DATA_ENCODINGS.join(', ')}`);
  const ttl = checkTimeToLive(def.timeToLive);
  if (typeof ttl !== 'string') throw configError(`Invalid time to live: ${ttl.reason}`);
  const keep = String(def.keep ?? '_msgid,correlationId').match(/[^\s,]+/g) ?? [];
  const reserved = keep.find((k) => k === 'payload' || k === 'thingspace' || !/^[A-Za-z_$][\w$]*$/.test(k));
  if (reserved !== undefined) throw configError(`Cannot keep "${reserved}": name plain message properties other than payload and thingspace`);
  return {
    send: { deviceKind, fixedTarget: fixed.value, encoding, timeToLive: ttl } satisfies SendSettings,
    /** Requests in flight at most, and sends waiting at most, for the account (the lowest of its sms-out nodes). */
    concurrency: wholeNumber(def.concurrency, 4, 1, 64, 'number of sends in flight'),
    queueLimit: wholeNumber(def.queueLimit, 1000, 1, 100_000, 'queue size'),
    /** Properties of the original message that come back with its outcome. */
    keep,
    outcomeTimeoutMs: wholeNumber(def.outcomeTimeout, 86_400, 1, 604_800, 'outcome timeout (seconds)') * 1000,
    maxPending: MAX_PENDING,
  };
}
