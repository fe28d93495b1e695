// Drains the ThingSpace SMS queue: one poll loop, at-least-once, knows nothing of Node-RED.
//
// The acknowledgement of block n is the request for block n+1 carrying `next` (docs/thingspace-api.md, "History paging").
// So the loop asks for the next block only once the current one was handed on: emitted
// (auto mode) or acknowledged by the flow (manual mode). A crash or stop in between means
// re-delivery, never loss; the dedupe window then hides the repeat.
//
// The consumer is always in exactly one phase. go() is the only way to change it and
// TRANSITIONS (below) the only list of the changes allowed:
//
//   created
//      │ start()
//      v
//   loading ─── SMS kept by an earlier run (manual mode) ───────┐
//      │                                                         v
//      │ interval > 0, or poll() meanwhile             ┌───> delivering ─── manual mode ───> waiting-ack
//      v                                               │       │    ^                          │    │
//   polling ──────── a block with new SMS ─────────────┘       │    └──── ack timeout ─────────┘    │
//    ^ ^ ^ ^                                                   │                                    │
//    │ │ │ └──── emitted (auto mode): ask for the next ────────┘                                    │
//    │ │ └────── all acked (manual mode): ask for the next ─────────────────────────────────────────┘
//    │ └──────── a block of only duplicates (from polling): ask for the next; a `next` refused
//    │           that our own lost answer or the store explains: ask again without it, at once
//    ├── idle          interval timer, or poll()
//    ├── listening     poll()
//    └── backing-off   retry timer only: poll() would undercut Retry-After and the backoff
//
//   the queue is empty (from polling, delivering, waiting-ack) ──> idle if interval > 0,
//       else listening (also straight from loading when nothing is kept)
//   a request failed (polling), a 'block' listener threw (delivering) ──> backing-off
//   backing-off ──> delivering: the retry timer, with a final block kept when its listener threw
//   credentials rejected, bad config (polling) ──> halted
//   stop(), from any phase before stopping ──> stopping ── loop settled, store saved ──> stopped
//
// With a ReaderGate (coordination across runtimes, nodes/lib/coordination) the consumer
// reads only while its runtime holds the account's lease:
//
//   created ── start() ──> standby ── lead() ──> loading ── ... as above
//   loading, polling, delivering, waiting-ack, idle, listening, backing-off
//       ── standBy(), or a confirm() that fails ──> standby
//
// Every history request is confirmed with the gate first (the confirmation for the next
// request travels beside the current one, see ReaderGate in ./types.ts); a lost lease stops
// the drain at once, acknowledging nothing, and lead() reloads the store (another runtime
// may have moved the queue on meanwhile).
//
// poll() while the loop is busy (or before it started) sets `again`: drain once more when
// this drain ends. That flag is orthogonal to the phase (it may be set in created, loading,
// polling, delivering and waiting-ack alike), so it stays a flag of its own.
import { randomBytes } from 'crypto';
import { EventEmitter } from 'events';
import type { HistoryBlock, ThingSpaceApi } from '../client/api';
import { ThingSpaceError, isThingSpaceError, unexpected } from '../client/errors';
import { dedupeKey } from '../message/dedupe-key';
import { IdempotentRetryPolicy, answerLost, type RetryPolicy } from '../retry/retry-policy';
import type { SmsMessage } from '../types';
import { AckTracker } from './ack-tracker';
import { DedupeWindow } from './dedupe-window';
import { PendingStore } from './pending-store';
import type { AckRef, ConsumerBlock, ConsumerItem, ConsumerState, PersistedState, Phase, QueueConsumerEvents, QueueConsumerOptions } from './types';

export type {
  AckMode,
  AckRef,
  ConsumerBlock,
  ConsumerItem,
  ConsumerState,
  ConsumerStore,
  PersistedState,
  Phase,
  QueueConsumerEvents,
  QueueConsumerOptions,
  ReaderGate,
} from './types';
export { CALLBACK_BLOCK } from './ack-tracker';

/** Every phase change the consumer may make; anything else is a bug. */
export const TRANSITIONS = {
  created: ['loading', 'standby', 'stopping'],
  loading: ['polling', 'delivering', 'listening', 'standby', 'stopping'],
  polling: ['polling', 'delivering', 'idle', 'listening', 'backing-off', 'halted', 'standby', 'stopping'],
  delivering: ['polling', 'waiting-ack', 'idle', 'listening', 'backing-off', 'standby', 'stopping'],
  'waiting-ack': ['delivering', 'polling', 'idle', 'listening', 'standby', 'stopping'],
  idle: ['polling', 'standby', 'stopping'],
  listening: ['polling', 'standby', 'stopping'],
  'backing-off': ['polling', 'delivering', 'standby', 'stopping'],
  halted: ['stopping'],
  standby: ['loading', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
} as const satisfies Record<Phase, readonly Phase[]>;

/** TRANSITIONS as sets: a change is checked with one lookup. */
const ALLOWED = {} as Record<Phase, ReadonlySet<Phase>>;
for (const from of Object.keys(TRANSITIONS) as Phase[]) ALLOWED[from] = new Set<Phase>(TRANSITIONS[from]);

/** A phase change TRANSITIONS does not allow, in strict mode. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: Phase,
    readonly to: Phase,
  ) {
    super(`queue consumer: illegal phase change ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

const DEFAULT_DEDUPE_ENTRIES = 10_000;
/** How long stop() waits for the answer to a request in flight (Node-RED allows 15 s to close). */
const DEFAULT_STOP_GRACE_MS = 2_000;

/** Resolves when `p` settles or after `ms`, whichever comes first; never rejects. */
function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    p.then(done, done);
  });
}
const DEFAULT_DEDUPE_AGE_MS = 24 * 60 * 60_000;

/** How one run of the loop ended, and so what comes next. */
type Outcome = { kind: 'drained' } | { kind: 'retry'; inMs: number; error: ThingSpaceError } | { kind: 'halted' } | { kind: 'stopped' };

const DRAINED: Outcome = { kind: 'drained' };
/** Phases that standBy() leaves: the lease matters only while the consumer may read. */
const LEADING: ReadonlySet<Phase> = new Set<Phase>(['loading', 'polling', 'delivering', 'waiting-ack', 'idle', 'listening', 'backing-off']);
const HALTED: Outcome = { kind: 'halted' };
const STOPPED: Outcome = { kind: 'stopped' };

export class QueueConsumer extends EventEmitter<QueueConsumerEvents> {
  private readonly api: ThingSpaceApi;
  private readonly opts: QueueConsumerOptions;
  private readonly manual: boolean;
  private readonly now: () => number;
  private readonly retryPolicy: RetryPolicy;
  private readonly tracker = new AckTracker();
  /** Block ids are unique across instances: a ref from before a restart never matches. */
  private readonly blockPrefix = randomBytes(4).toString('hex');
  private blockSeq = 0;

  private dedupe: DedupeWindow | undefined;
  private pending = new PendingStore();
  private persisted: PersistedState;

  private current: Phase = 'created';
  /** poll() was called while busy: drain once more when this drain ends (see the top). */
  private again = false;
  /** An illegal phase change was reported already: one report is enough to find the bug. */
  private bugReported = false;
  /** What start(), the loop and stop() run, kept only to be awaited: the phase is the state. */
  private starting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** The interval timer (idle) or the retry timer (backing-off). */
  private timer: NodeJS.Timeout | undefined;
  /** Keys remembered before the store was loaded (push mode at deploy), see load(). */
  private early: Array<[string, number]> = [];
  /** The history request in flight, if any. */
  private inFlight: Promise<HistoryBlock> | undefined;
  /** Aborted by stop() and standBy(): cancels the request in flight, if any. A new one per lead(). */
  private requests = new AbortController();
  /** Counts lead() and standBy(): a lead() overtaken by a standBy() does nothing. */
  private tenure = 0;
  private ackWait: { blockId: string; done: (all: boolean) => void } | undefined;
  /** The `next` to send with the following request: it acknowledges what was handed on. */
  private carry: string | undefined;
  /** `carry` came from the store (another reader's, perhaps spent), not from our last answer. */
  private carryLoaded = false;
  /** The `next` of a request that may have reached ThingSpace but whose answer we never read:
   *  the server may have spent it, so its refusal is ours, not another reader's. */
  private lost: string | undefined;
  /** With a gate: the confirmation sent beside the last request, for the next one, and the
   *  tenure it belongs to (one of an earlier lead() authorises nothing). Used once. */
  private ahead: { tenure: number; answer: Promise<boolean> } | undefined;
  /** Dedupe key of the first SMS of the last block read, to see it served again after its next. */
  private firstKey: string | undefined;
  private total = 0;
  private lastState: ConsumerState = { state: 'stopped' };
  /** Auto mode: the keys of the block just emitted, remembered once the request that
   *  acknowledges it is on its way (see handOn), and in any case before the window is read. */
  private unremembered: { items: ConsumerItem[]; now: number } | undefined;
  private rememberSoon: NodeJS.Immediate | undefined;
  /** Signature of the last error reported in the current failure streak. */
  private streak: string | undefined;

  constructor(opts: QueueConsumerOptions) {
    super();
    if (!opts || !opts.api) throw new TypeError('QueueConsumer needs an api');
    this.opts = opts;
    this.api = opts.api;
    this.manual = opts.ackMode === 'manual';
    this.now = opts.now ?? Date.now;
    this.retryPolicy = new IdempotentRetryPolicy({ ...opts.backoff, random: opts.random });
    this.dedupe = this.newWindow(undefined);
    this.persisted = this.freshPersisted();
  }

  /** Between start() and stop(), unless halted on rejected credentials or bad config. */
  get running(): boolean {
    const p = this.current;
    return p !== 'created' && p !== 'halted' && p !== 'stopping' && p !== 'stopped';
  }

  /** The last state emitted. */
  get state(): ConsumerState {
    return this.lastState;
  }

  /** Where the consumer is in its life (the diagram at the top of this file). */
  get phase(): Phase {
    return this.current;
  }

  /** Loads the store, re-emits a kept final block, then polls if intervalMs > 0. With a
   *  gate: waits in standby for lead() instead. */
  start(): Promise<void> {
    if (this.starting === undefined) {
      if (this.current === 'created' && this.opts.gate) {
        this.go('standby', { state: 'standby' });
        this.starting = Promise.resolve();
      } else {
        if (this.current === 'created') this.go('loading');
        this.starting = this.load();
      }
    }
    return this.starting;
  }

  /** Coordination: this runtime holds the account's lease now. Reloads the store once the
   *  previous tenure's loop has settled, then reads as start() does. */
  lead(): void {
    if (this.current !== 'standby') return;
    const tenure = ++this.tenure;
    const before = Promise.all([this.starting, this.loop]);
    this.starting = before.then(async () => {
      if (this.current !== 'standby' || this.tenure !== tenure) return;
      this.requests = new AbortController();
      // The store's next may be older than our last (a Redis failover loses its last writes):
      // a block we read before standing by may be served again, no sign of another reader.
      this.firstKey = undefined;
      this.go('loading');
      await this.load();
    });
  }

  /**
   * Coordination: the lease is lost, or given up. Stops reading at once: the request in
   * flight is aborted after the stop grace, a wait for acknowledgements ends, nothing more is acknowledged.
   * Resolves once the loop has settled, so that no request of ours is in flight.
   */
  standBy(): Promise<void> {
    if (LEADING.has(this.current)) {
      this.tenure++;
      this.clearTimer();
      this.go('standby', { state: 'standby' });
      // The request in flight was sent under the lease: its answer may be a final block the
      // server counts delivered (drain() hands it on), so it gets the stop grace before the cut.
      const requests = this.requests;
      const grace = this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
      if (this.inFlight && grace > 0) void settledWithin(this.inFlight, grace).then(() => requests.abort());
      else requests.abort();
      this.ackWait?.done(false);
      this.rememberEmitted();
    }
    return Promise.all([this.starting, this.loop]).then(() => undefined);
  }

  /** Poll now; if the loop is busy, drain once more right after it settles. Never two at once. */
  poll(): void {
    switch (this.current) {
      case 'idle':
      case 'listening':
        this.kick();
        return;
      case 'created':
      case 'loading':
      case 'polling':
      case 'delivering':
      case 'waiting-ack':
        this.again = true;
        return;
      case 'backing-off': // the retry timer is the poll: sooner would undercut Retry-After and the backoff
      case 'standby': // another runtime reads
      case 'halted':
      case 'stopping':
      case 'stopped':
        return;
    }
  }

  /** Manual mode: the flow is done with this SMS (or, index -1, the whole block). */
  ack(ref: AckRef): boolean {
    // After stop a successor may own the persisted state: never write to it from here.
    if (!this.manual || this.stopRequested || !ref || typeof ref.block !== 'string') return false;
    const settled = this.tracker.ack(ref);
    if (!settled) return false;
    const now = this.now();
    for (const item of settled) {
      this.remember(item.key, now);
      this.pending.delete(item.key);
    }
    this.save();
    const wait = this.ackWait;
    if (wait && this.tracker.remaining(wait.blockId) === 0) wait.done(true);
    return true;
  }

  /**
   * Push mode: a callback SMS through the same dedupe. null = already delivered.
   * Auto mode remembers it at once; manual mode when its ref (block 'callback', a running
   * index) comes back on ack().
   */
  pushed(sms: SmsMessage): ConsumerItem | null {
    this.rememberEmitted();
    const key = dedupeKey(sms);
    const now = this.now();
    if (this.dedupe?.has(key, now)) {
      this.emit('duplicates', 1);
      return null;
    }
    const item: ConsumerItem = { sms, key, ref: this.tracker.callbackRef() };
    if (this.manual) {
      this.tracker.trackCallback(item);
    } else if (!this.stopRequested) {
      this.remember(key, now);
      this.save();
    }
    return item;
  }

  /** Aborts the request in flight, clears timers, saves the store. Acknowledges nothing more. */
  stop(): Promise<void> {
    if (this.stopping === undefined) {
      // Not loaded means our state is empty, not the stored one: saving it would erase that.
      // Nor in standby: the state is the lease holder's.
      const loaded = this.current !== 'created' && this.current !== 'loading' && this.current !== 'standby';
      this.go('stopping');
      this.stopping = this.shutdown(loaded);
    }
    return this.stopping;
  }

  private get stopRequested(): boolean {
    return this.current === 'stopping' || this.current === 'stopped';
  }

  /** The loop must not go on: stopped, or the lease is lost. */
  private get interrupted(): boolean {
    return this.current === 'stopping' || this.current === 'stopped' || this.current === 'standby';
  }

  /**
   * The one way to change phase. A change TRANSITIONS does not list is a bug of ours: strict
   * mode throws; otherwise it is made (the code that asked for it relies on it) and reported
   * once, after the change, since an 'error' listener may call stop().
   */
  private go(to: Phase, state?: ConsumerState): void {
    const from = this.current;
    const legal = ALLOWED[from].has(to);
    if (!legal && this.opts.strict) throw new IllegalTransitionError(from, to);
    this.current = to;
    this.opts.onTransition?.(from, to);
    if (!legal) this.reportBug(new IllegalTransitionError(from, to));
    if (state) this.setState(state);
  }

  /** Asks the gate before a request; a refusal (or a failure to ask) means standby, now.
   *  The confirmation sent beside the previous request serves if it said yes and the gate
   *  is still fresh; else this request waits for one of its own. */
  private async confirmed(): Promise<boolean> {
    const gate = this.opts.gate!;
    const ahead = this.ahead?.tenure === this.tenure ? this.ahead.answer : undefined;
    this.ahead = undefined;
    let ok: boolean;
    try {
      ok = (ahead !== undefined && (await ahead) && gate.fresh()) || (await gate.confirm(this.carry));
    } catch {
      ok = false;
    }
    if (this.interrupted) return false;
    if (!ok) void this.standBy();
    return ok;
  }

  /** Sent with a request (recording the `next` it carries): the next request's confirmation. */
  private confirmAhead(sent: string | undefined): void {
    let answer: Promise<boolean>;
    try {
      answer = this.opts.gate!.confirm(sent).catch(() => false);
    } catch {
      answer = Promise.resolve(false);
    }
    this.ahead = { tenure: this.tenure, answer };
  }

  private reportBug(bug: Error): void {
    if (this.bugReported) return;
    this.bugReported = true;
    if (this.listenerCount('error') > 0) this.emit('error', unexpected(bug, 'consumer', 'Bug in the queue consumer'));
  }

  private async shutdown(loaded: boolean): Promise<void> {
    this.clearTimer();
    this.ackWait?.done(false);
    // A request in flight may bring SMS the server already counts as delivered: give its
    // answer a moment to arrive (it is kept, see drain()), then cut it.
    const inFlight = this.inFlight;
    const grace = this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    if (inFlight && grace > 0) await settledWithin(inFlight, grace);
    this.requests.abort();
    await this.starting;
    await this.loop;
    this.rememberEmitted();
    if (loaded) this.save();
    this.go('stopped', { state: 'stopped' });
    this.emit('stopped');
  }

  private async load(): Promise<void> {
    let saved: PersistedState | undefined;
    try {
      saved = await this.opts.store?.load();
    } catch {
      saved = undefined; // an unreadable store costs dedupe history, never an SMS
    }
    if (this.current !== 'loading') return; // stopped meanwhile
    if (saved && saved.v === 1) {
      // A reload (lead() again) keeps what this runtime still holds and the store lost.
      const held = this.pending;
      if (saved.dedupe !== undefined || !this.opts.gate) this.dedupe = this.newWindow(saved.dedupe);
      this.pending = new PendingStore(saved.pending);
      for (const [key, sms] of held.entries()) if (!this.pending.has(key)) this.pending.add(key, sms);
      this.persisted = this.freshPersisted();
      // Pushes and acks that came while the store loaded were remembered in a window that
      // the stored one just replaced: remember them again, or their repeats would pass.
      for (const [key, at] of this.early) this.dedupe?.remember(key, at);
    }
    const merged = this.early.length > 0;
    this.early = [];
    if (this.opts.gate) {
      this.carry = saved?.next;
      this.carryLoaded = this.carry !== undefined;
    }
    const restored = this.restoredBlock();
    if (restored || this.opts.intervalMs > 0 || this.again) this.kick(restored);
    else this.go('listening', { state: 'listening' });
    if (merged) this.save();
  }

  /** Starts the loop; its first step (polling, or delivering a restored block) is synchronous. */
  private kick(restored?: ConsumerBlock): void {
    this.clearTimer();
    this.loop = this.cycle(restored);
  }

  /** One run of the loop: the restored block if any, then drains until the queue is empty. */
  private async cycle(restored?: ConsumerBlock): Promise<void> {
    let outcome: Outcome = DRAINED;
    let pollNow = !restored || this.opts.intervalMs > 0;
    try {
      if (restored) outcome = await this.handOnRestored(restored);
      while (outcome.kind === 'drained' && (pollNow || this.again) && !this.interrupted) {
        pollNow = false;
        this.again = false;
        outcome = await this.drain();
      }
    } catch (e) {
      if (e instanceof IllegalTransitionError) throw e; // strict mode: a bug must be loud
      // Only a throwing 'block' listener gets here: that block was not handed on, so it is
      // read again. Not the API's fault, whatever the listener threw.
      outcome = this.failure(unexpected(e, 'deliver', 'Unexpected failure while handing on a block'));
    }
    this.loop = undefined;
    this.rememberEmitted();
    this.schedule(outcome);
  }

  private async drain(): Promise<Outcome> {
    for (;;) {
      if (this.interrupted) return STOPPED;
      this.go('polling', { state: 'polling' });
      if (this.opts.gate && !(await this.confirmed())) return STOPPED;
      const sent = this.carry;
      let res: HistoryBlock;
      const call = this.api.history(sent, { signal: this.requests.signal });
      this.inFlight = call;
      if (this.opts.gate) this.confirmAhead(sent);
      try {
        res = await call;
      } catch (e) {
        if (this.interrupted) return STOPPED;
        // `carry` stays: what it acknowledges was handed on, so the retry may carry it again.
        // Unless the server refused the request itself (e.g. a token it no longer knows):
        // then read without it; the worst that costs is a re-delivery, which dedupe hides.
        if (isThingSpaceError(e) && e.kind === 'api') {
          // A token from the store may be spent (its reader was stopped after sending it), and
          // so may one whose own request reached ThingSpace before its answer was lost: read
          // again without it, now. Otherwise only another reader acknowledging meanwhile
          // makes the server forget a token it gave us.
          const explained = this.carryLoaded || (sent !== undefined && sent === this.lost);
          this.carry = undefined;
          this.carryLoaded = false;
          this.lost = undefined;
          if (explained) continue;
          if (sent !== undefined && e.errorCode?.endsWith('.UnexpectedError')) this.emit('suspect', 'next-refused');
        } else if (sent !== undefined && isThingSpaceError(e) && answerLost(e)) {
          this.lost = sent;
        }
        return this.failure(unexpected(e, 'history', 'Unexpected failure of the history call'));
      } finally {
        this.inFlight = undefined;
      }
      // An answer that came after stop() is neither emitted nor acknowledged. The server may
      // already count it as delivered (a final block, or a read without `next`: open
      // questions 1 and 2 of docs/thingspace-api.md), so its SMS are kept for the next run.
      if (this.stopRequested) {
        await this.keepForNextRun(res);
        return STOPPED;
      }
      // A response that raced the loss of the lease (or of Redis) is not acknowledged: the
      // server keeps a block with more after it for the next leader; a final block is handed on.
      if (this.interrupted) {
        this.handOnAfterLease(res);
        return STOPPED;
      }
      this.recovered();
      this.carryLoaded = false;
      this.lost = undefined;

      const more = res.hasMoreData || res.status === 202;
      if (more && !res.next) {
        this.lost = sent; // the server took `sent`, but gave us nothing to go on with
        return this.failure(new ThingSpaceError({ kind: 'bad_response', message: 'history said more data but gave no next token', operation: 'history' }));
      }
      const acked = sent === undefined ? undefined : this.firstKey;
      const block = this.accept(res, !more);
      if (acked !== undefined && acked === this.firstKey) this.emit('suspect', 'acknowledged-again');
      if (block) {
        await this.handOn(block);
        if (this.interrupted) return STOPPED;
      }
      this.carry = res.next;
      if (!more) return DRAINED;
    }
  }

  /**
   * Emit a block. In manual mode, resolve only once the flow acknowledged every SMS in it
   * (false if stopped first); SMS not acknowledged within ackTimeout are emitted again.
   */
  private async handOn(block: ConsumerBlock): Promise<boolean> {
    this.go('delivering');
    if (!this.manual) {
      try {
        this.emitBlock(block);
      } catch (e) {
        // Not handed on. The server may count a final block as delivered on its answer
        // (docs/thingspace-api.md, "Open questions" 2): keep it, emitted again after the backoff.
        if (block.final) {
          for (const item of block.items) this.pending.add(item.key, item.sms);
          await this.saveDurably();
        }
        throw e;
      }
      // Delivered means emitted: remember only once the listeners returned. Not now but on
      // the next turn of the event loop: by then the request that acknowledges this block
      // is written, so the window and the store are updated while the server answers, not
      // before it is asked. Whatever reads the window first remembers them itself.
      this.rememberEmitted();
      this.unremembered = { items: block.items, now: this.now() };
      this.rememberSoon = setImmediate(() => {
        this.rememberSoon = undefined;
        this.rememberEmitted();
      });
      return true;
    }
    // From emission until the flow acknowledges them, these SMS are held here too (node
    // context): a 200 may count as acknowledged on delivery (docs/thingspace-api.md, "Open questions" 2), and a read
    // without `next` may count a delivered block as consumed (docs/thingspace-api.md, "Open questions" 1). So after a
    // restart they are emitted again whatever the server does.
    for (const item of block.items) this.pending.add(item.key, item.sms);
    // Emitted only once held: a crash between the emit and the store's write would lose a
    // final block the server already counted as delivered.
    await this.saveDurably();
    if (this.interrupted) return false;
    let current = block;
    for (;;) {
      this.tracker.track(current);
      this.emitBlock(current);
      if (await this.awaitAcks(current)) return true;
      if (this.interrupted) return false;
      // Ack timeout: emit again what the flow has not acknowledged, from our own copy. The
      // server's block stays unacknowledged meanwhile (no request at all), so neither open
      // question decides whether these SMS come back: we hold them.
      const left = this.tracker.unacked(current.id);
      if (left.length === 0) return true;
      const id = this.newBlockId();
      current = {
        id,
        final: block.final,
        restored: block.restored,
        items: left.map((item, index) => ({ sms: item.sms, key: item.key, ref: { block: id, index } })),
      };
      this.go('delivering');
    }
  }

  private async handOnRestored(block: ConsumerBlock): Promise<Outcome> {
    await this.handOn(block);
    if (!this.manual) {
      for (const item of block.items) this.pending.delete(item.key);
      this.save();
    }
    return this.interrupted ? STOPPED : DRAINED;
  }

  /** The block's SMS minus those already delivered; undefined if none are left. */
  private accept(res: HistoryBlock, final: boolean): ConsumerBlock | undefined {
    this.rememberEmitted();
    const messages = res.messages;
    this.firstKey = undefined;
    if (!messages || messages.length === 0) return undefined;
    const id = this.newBlockId();
    const items: ConsumerItem[] = [];
    const now = this.now();
    let duplicates = 0;
    for (const sms of messages) {
      const key = dedupeKey(sms);
      this.firstKey ??= key;
      // A duplicate counts as acknowledged: it was delivered before.
      if (this.dedupe?.has(key, now)) duplicates++;
      else items.push({ sms, key, ref: { block: id, index: items.length } });
    }
    if (duplicates > 0) this.emit('duplicates', duplicates);
    return items.length > 0 ? { id, final, restored: false, items } : undefined;
  }

  private remember(key: string, now: number): void {
    this.dedupe?.remember(key, now);
    if (this.current === 'created' || this.current === 'loading') this.early.push([key, now]);
  }

  /** An answer that arrived while stopping: its new SMS go to the pending store, durably,
   *  and the next run (after a redeploy or restart) emits them first. */
  private async keepForNextRun(res: HistoryBlock): Promise<void> {
    const now = this.now();
    let kept = 0;
    for (const sms of res.messages) {
      const key = dedupeKey(sms);
      if (this.dedupe?.has(key, now)) continue;
      this.pending.add(key, sms);
      kept++;
    }
    if (kept > 0) await this.saveDurably();
  }

  /** An answer that came in standby: a final block the server may count delivered on its answer
   *  (docs/thingspace-api.md, "Open questions" 2) is emitted anyway, at most once more than needed. */
  private handOnAfterLease(res: HistoryBlock): void {
    if (this.current !== 'standby' || res.hasMoreData || res.status === 202) return;
    const block = this.accept(res, true);
    if (!block) return;
    if (this.manual) {
      for (const item of block.items) this.pending.add(item.key, item.sms);
      this.tracker.track(block);
    }
    // Not emitBlock(): the status keeps saying why this runtime does not read.
    this.total += block.items.length;
    this.emit('block', block);
    if (!this.manual) this.dedupe?.rememberAll(block.items, this.now());
  }

  /** The kept final-block SMS of an earlier run, as one block to emit first. */
  private restoredBlock(): ConsumerBlock | undefined {
    if (this.pending.size === 0) return undefined;
    const id = this.newBlockId();
    const items: ConsumerItem[] = [];
    const now = this.now();
    for (const [key, sms] of this.pending.entries()) {
      if (this.dedupe?.has(key, now)) this.pending.delete(key);
      else items.push({ sms, key, ref: { block: id, index: items.length } });
    }
    return items.length > 0 ? { id, final: true, restored: true, items } : undefined;
  }

  private awaitAcks(block: ConsumerBlock): Promise<boolean> {
    const left = this.tracker.remaining(block.id);
    if (left === 0) return Promise.resolve(true); // listeners acked while we emitted
    if (this.interrupted) return Promise.resolve(false);
    this.go('waiting-ack', { state: 'waiting-ack', pending: left });
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (all: boolean): void => {
        if (timer) clearTimeout(timer);
        this.ackWait = undefined;
        resolve(all);
      };
      if (this.opts.ackTimeoutMs > 0) timer = setTimeout(() => done(false), this.opts.ackTimeoutMs);
      this.ackWait = { blockId: block.id, done };
    });
  }

  private emitBlock(block: ConsumerBlock): void {
    this.total += block.items.length;
    this.emit('block', block);
    this.setState({ state: 'received', count: block.items.length, total: this.total });
  }

  /** What comes after a failed request or hand-on: the retry policy decides. */
  private failure(error: ThingSpaceError): Outcome {
    if (this.interrupted) return STOPPED; // aborted by stop() or standBy(), or racing them: silent
    const decision = this.retryPolicy.decide(error);
    if (decision.action === 'halt') {
      // Never again until a new consumer is made. Halted before the report: an 'error'
      // listener that polls must find the consumer halted.
      this.go('halted');
      this.report(error);
      this.setState(error.kind === 'credentials_rejected' ? { state: 'credentials-rejected', error } : { state: 'failed', error });
      return HALTED;
    }
    this.report(error);
    return { kind: 'retry', inMs: decision.inMs, error };
  }

  /** Emit 'error' once per distinct failure in a streak; 'retrying' states carry each one. */
  private report(error: ThingSpaceError): void {
    const signature = `${error.kind}|${error.code}|${error.status ?? ''}`;
    if (signature === this.streak) return;
    this.streak = signature;
    // An 'error' event without a listener would throw inside the loop.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private recovered(): void {
    this.retryPolicy.succeeded();
    this.streak = undefined;
  }

  private schedule(outcome: Outcome): void {
    if (this.interrupted || outcome.kind === 'stopped' || outcome.kind === 'halted') return;
    if (outcome.kind === 'retry') {
      // SMS kept from a block that could not be handed on go out first (handOn).
      this.timer = setTimeout(() => this.kick(this.restoredBlock()), outcome.inMs);
      this.go('backing-off', { state: 'retrying', inMs: outcome.inMs, error: outcome.error });
    } else if (this.opts.intervalMs > 0) {
      this.timer = setTimeout(() => this.kick(), this.opts.intervalMs);
      this.go('idle', { state: 'idle', since: new Date() });
    } else {
      this.go('listening', { state: 'listening' });
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setState(state: ConsumerState): void {
    this.lastState = state;
    this.emit('state', state);
  }

  /** Remembers (and saves) the keys of the last block emitted in auto mode, if not done yet. */
  private rememberEmitted(): void {
    const block = this.unremembered;
    if (block === undefined) return;
    this.unremembered = undefined;
    if (this.rememberSoon) clearImmediate(this.rememberSoon);
    this.rememberSoon = undefined;
    this.dedupe?.rememberAll(block.items, block.now);
    this.save();
  }

  private save(): void {
    // Before the store has loaded, a save would overwrite what it is about to read (the SMS
    // an earlier run kept among them); load() saves once it has merged.
    if (this.current === 'created' || this.current === 'loading') return;
    try {
      void Promise.resolve(this.opts.store?.save(this.persisted)).catch(() => undefined);
    } catch {
      // A failing store costs persistence, not the loop; the node reports store trouble itself.
    }
  }

  /** save(), settled once the store says the state is written (or failed: reported there). */
  private async saveDurably(): Promise<void> {
    try {
      await this.opts.store?.save(this.persisted);
    } catch {
      // as in save()
    }
  }

  private newWindow(saved: unknown): DedupeWindow | undefined {
    if (!this.opts.dedupe) return undefined;
    return new DedupeWindow(
      { maxEntries: this.opts.dedupeMaxEntries ?? DEFAULT_DEDUPE_ENTRIES, maxAgeMs: this.opts.dedupeMaxAgeMs ?? DEFAULT_DEDUPE_AGE_MS },
      saved,
    );
  }

  private freshPersisted(): PersistedState {
    return { v: 1, dedupe: this.dedupe, pending: this.pending.data };
  }

  private newBlockId(): string {
    return `${this.blockPrefix}-${(++this.blockSeq).toString(36)}`;
  }
}

/** For tests only: a phase change made through go(), as the consumer's own code makes one. */
export function forcePhase(consumer: QueueConsumer, to: Phase): void {
  consumer['go'](to);
}
