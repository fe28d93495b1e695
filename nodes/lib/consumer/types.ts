// The public types of the queue consumer (re-exported by queue-consumer.ts).
import type { ThingSpaceApi } from '../client/api';
import type { ThingSpaceError } from '../client/errors';
import type { BackoffOptions } from '../retry/backoff';
import type { SmsMessage } from '../types';

export type AckMode = 'auto' | 'manual';

export type HistoryApi = Pick<ThingSpaceApi, 'history'>;

/** Names one emitted SMS for `ack()`: its block's id (unique across instances) and its index in
 *  `items`, or -1 for the whole block. Pushed SMS carry block 'callback' and a running index. */
export interface AckRef {
  block: string;
  index: number;
}

export interface ConsumerItem {
  sms: SmsMessage;
  /** dedupeKey(sms). */
  key: string;
  ref: AckRef;
}

export interface ConsumerBlock {
  id: string;
  /** From a 200 answer: no `next` can acknowledge it. */
  final: boolean;
  /** Emitted again from the store after a restart. */
  restored: boolean;
  /** Never empty: duplicates are left out. */
  items: ConsumerItem[];
}

/** Where the consumer is in its life (drawn in docs/architecture.md, "Consumer"), with what the status shows of it. */
export type ConsumerState =
  | { phase: 'created' | 'loading' | 'polling' | 'listening' | 'standby' | 'stopping' | 'stopped' }
  | { phase: 'delivering'; count: number; total: number } // SMS in this block, and emitted since start
  | { phase: 'waiting-ack'; pending: number }
  | { phase: 'idle'; since: Date }
  | { phase: 'backing-off'; inMs: number; error: ThingSpaceError }
  | { phase: 'halted'; error: ThingSpaceError }; // credentials rejected or bad config: never again

export type Phase = ConsumerState['phase'];

/** Plain JSON, opaque to callers. The consumer mutates `dedupe` and `pending` in place. */
export interface PersistedState {
  v: 1;
  dedupe?: unknown;
  pending?: unknown;
  /** The `next` the last reader sent or was about to send: written by a ReaderGate, read at load, never saved. */
  next?: string;
}

/** Coordination (nodes/lib/coordination): each request is confirmed first, recording its `next`, so a reader
 *  that lost the lease acknowledges nothing more. A confirmation sent beside request n serves n+1 while `fresh()`. */
export interface ReaderGate {
  /** True: still the holder, `next` recorded. False or a rejection: send nothing. */
  confirm(next: string | undefined): Promise<boolean>;
  fresh(): boolean;
}

/** Where the consumer keeps its state. `save` gets the same live object every time: keeping the reference is enough. */
export interface ConsumerStore {
  load(): Promise<PersistedState | undefined>;
  /** A promise that settles once written: manual mode waits for it before emitting the SMS it holds. */
  save(state: PersistedState): void | Promise<void>;
}

export interface QueueConsumerOptions {
  api: HistoryApi;
  /** 0 = no timer at all, not even a first poll: polls only on poll(). */
  intervalMs: number;
  ackMode: AckMode;
  /** Manual mode: emit again what is not acknowledged after this long. <= 0: wait for ever. */
  ackTimeoutMs: number;
  dedupe: boolean;
  store?: ConsumerStore;
  backoff?: BackoffOptions;
  /** An illegal phase change throws (tests). Otherwise it is made and reported once: a bug must not stop the host. */
  strict?: boolean;
  /** With a gate, start() waits in standby until lead(). */
  gate?: ReaderGate;
  /** How long stop() waits for a history answer in flight (kept for the next run, not emitted). Default 2000. */
  stopGraceMs?: number;
}

export type QueueConsumerEvents = {
  /** Listeners send synchronously; in auto mode the block counts as handed on when they return. */
  block: [block: ConsumerBlock];
  state: [state: ConsumerState];
  error: [error: ThingSpaceError];
  /** How many SMS were suppressed as already delivered. */
  duplicates: [count: number];
  /** Signs that another reader drains the same queue. */
  suspect: [sign: 'next-refused' | 'acknowledged-again'];
  stopped: [];
};
