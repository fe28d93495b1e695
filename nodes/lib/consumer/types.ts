// The public types of the queue consumer (re-exported by queue-consumer.ts).
import type { ThingSpaceApi } from '../client/api';
import type { ThingSpaceError } from '../client/errors';
import type { SmsMessage } from '../types';

export type AckMode = 'auto' | 'manual';

/**
 * Names one emitted SMS for `ack()`. `block` is the id of the block it came in (unique
 * across consumer instances, so refs from before a restart never match a new block);
 * `index` its position in `ConsumerBlock.items`, or -1 for the whole block (batch mode).
 * SMS from `pushed()` carry block 'callback' and a running index of their own.
 */
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
  /** Re-emitted from the store after a restart (manual mode, final-block SMS never acknowledged). */
  restored: boolean;
  /** The SMS to emit; duplicates are already left out. Never empty. */
  items: ConsumerItem[];
}

export type ConsumerState =
  | { state: 'polling' }
  | { state: 'received'; count: number; total: number } // count in this block, total since start
  | { state: 'idle'; since: Date }
  | { state: 'listening' } // interval 0 and nothing to do
  | { state: 'waiting-ack'; pending: number }
  | { state: 'retrying'; inMs: number; error: ThingSpaceError }
  | { state: 'credentials-rejected'; error: ThingSpaceError }
  /** Stopped for good on an unusable configuration ('bad_config'). */
  | { state: 'failed'; error: ThingSpaceError }
  /** Coordination: another runtime holds the account's lease; this one does not read. */
  | { state: 'standby' }
  | { state: 'stopped' };

/** Plain JSON, opaque to callers. The consumer mutates `dedupe` and `pending` in place. */
export interface PersistedState {
  v: 1;
  dedupe?: unknown;
  pending?: unknown;
  /** The `next` the last reader of the account sent or was about to send. Only a store kept
   *  by a ReaderGate has it (its confirm() writes it); the consumer reads it at load and
   *  never saves it. */
  next?: string;
}

/**
 * Coordination across runtimes (nodes/lib/coordination): only the holder of the account's
 * lease reads. Every history request is sent only after a confirmation of its own: the gate
 * answers from the shared store, and records a `next` in the same round trip, so that a
 * reader which lost its lease (paused, partitioned) acknowledges nothing more.
 *
 * In a drain the confirmation for request n+1 travels beside request n (sent as request n
 * is, recording the `next` request n carries), so it costs no round trip of its own; it
 * counts for request n+1 only if it said yes and the gate is still `fresh()` when request
 * n+1 is about to go. Otherwise (the first request, after a wait) the consumer confirms
 * first and waits for the answer.
 */
export interface ReaderGate {
  /** True: still the holder, `next` (undefined: none) recorded. False (or a rejection):
   *  not the holder any more; send nothing. */
  confirm(next: string | undefined): Promise<boolean>;
  /** Still the holder, confirmed by a command sent recently enough (a fraction of the
   *  lease) that a confirmation answered yes may authorise one more request now. */
  fresh(): boolean;
}

/**
 * Where the consumer keeps its state (node context in the node). `save` receives the same
 * live object every time: storing the reference is enough, and is what keeps saves O(1).
 */
export interface ConsumerStore {
  load(): Promise<PersistedState | undefined>;
  /**
   * May return a promise that settles once the state is on disk (node context's set
   * callback): manual mode waits for it before emitting the SMS it holds, so a crash right
   * after the emit cannot lose them (a file store without cache is written asynchronously).
   */
  save(state: PersistedState): void | Promise<void>;
}

export interface QueueConsumerOptions {
  api: ThingSpaceApi;
  /** 0 = no timer at all, not even a first poll: polls only on poll(). */
  intervalMs: number;
  ackMode: AckMode;
  /** Manual mode: re-read a block not fully acknowledged after this long. <= 0: wait for ever. */
  ackTimeoutMs: number;
  dedupe: boolean;
  dedupeMaxEntries?: number; // default 10_000
  dedupeMaxAgeMs?: number; // default 24 h
  store?: ConsumerStore;
  backoff?: { initialMs?: number; maxMs?: number }; // defaults 1 s .. 60 s
  random?: () => number;
  /** Clock for dedupe ages, default Date.now. */
  now?: () => number;
  /** A phase change the transition table forbids throws (tests set this). Otherwise it is
   *  reported once as an 'internal' error and made anyway: a bug must not stop the host. */
  strict?: boolean;
  /** Coordination: with a gate, start() waits in standby until lead(), and every history
   *  request is confirmed first. Without one, the consumer reads as the only reader. */
  gate?: ReaderGate;
  /** Called after every phase change, for tests and debugging. */
  onTransition?: (from: Phase, to: Phase) => void;
  /** How long stop() waits for the answer to a history request in flight before cutting
   *  it; an answer that arrives is kept for the next run, not emitted. Default 2000. */
  stopGraceMs?: number;
}

/** Where the consumer is in its life; see the diagram at the top of queue-consumer.ts. */
export type Phase =
  'created' | 'loading' | 'polling' | 'delivering' | 'waiting-ack' | 'idle' | 'listening' | 'backing-off' | 'halted' | 'standby' | 'stopping' | 'stopped';

export type QueueConsumerEvents = {
  /** Listeners send the messages synchronously; in auto mode the block counts as handed on when they return. */
  block: [block: ConsumerBlock];
  state: [state: ConsumerState];
  error: [error: ThingSpaceError];
  /** How many SMS were suppressed as already delivered. */
  duplicates: [count: number];
  /** Signs that another reader drains the same queue: a `next` we were given refused as
   *  unknown, or a block we acknowledged served again. */
  suspect: [sign: 'next-refused' | 'acknowledged-again'];
  stopped: [];
};
