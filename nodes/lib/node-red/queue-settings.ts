// The properties of an sms-queue-in node, read and checked once at deploy.
import type { NodeDef } from 'node-red';
import type { AckMode } from '../consumer/queue-consumer';
import { configError } from './report';
import { DEFAULT_TOPIC_TEMPLATE } from '../message/topic';
import { checkListenPath } from './push-listener';

export interface SmsQueueInDef extends NodeDef {
  thingspace: string;
  /** The billing account this node uses (one of the config node's user); empty: the config node's. */
  accountName?: string;
  interval: string | number;
  ackMode: string;
  ackTimeout: string | number;
  output: string;
  dedupe: boolean | string;
  topic: string;
  listen?: string;
}

export type Settings = ReturnType<typeof readSettings>;

/** Reads the node's properties; throws a BAD_CONFIG NodeError naming the bad one. */
export function readSettings(def: Partial<SmsQueueInDef>) {
  const num = (v: unknown, dflt: number): number => (v === undefined || v === null || v === '' ? dflt : Number(v));
  const interval = num(def.interval, 60);
  if (!Number.isFinite(interval) || interval < 0) throw configError(`Invalid interval "${String(def.interval)}": a number of seconds >= 0`);
  const ackTimeout = num(def.ackTimeout, 60);
  if (!Number.isFinite(ackTimeout) || ackTimeout <= 0) throw configError(`Invalid ackTimeout "${String(def.ackTimeout)}": a number of seconds > 0`);
  const ackMode = (def.ackMode || 'auto') as AckMode;
  if (ackMode !== 'auto' && ackMode !== 'manual') throw configError(`Invalid ackMode "${String(def.ackMode)}"`);
  const output = (def.output || 'single') as 'single' | 'batch';
  if (output !== 'single' && output !== 'batch') throw configError(`Invalid output "${String(def.output)}"`);
  return {
    intervalMs: Math.round(interval * 1000),
    ackMode,
    ackTimeoutMs: Math.round(ackTimeout * 1000),
    output,
    dedupe: !(def.dedupe === false || def.dedupe === 'false'),
    topic: typeof def.topic === 'string' && def.topic.trim() ? def.topic.trim() : DEFAULT_TOPIC_TEMPLATE,
    /** The node's own callback path on Node-RED's HTTP server; empty: none. */
    listen: checkListenPath(def.listen),
  };
}
