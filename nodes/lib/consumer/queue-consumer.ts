// Drains one account's SMS queue: one poll loop, at-least-once, knows nothing of Node-RED.
// The request for block n+1 carries block n's `next` and so acknowledges it (docs/thingspace-api.md,
// "History paging"): it is made only once block n was handed on. Phases: docs/architecture.md, "Consumer".
import { EventEmitter } from 'events';
import type { HistoryBlock } from '../client/api';
import { ThingSpaceError, unexpected } from '../client/errors';
import { dedupeKey } from '../message/dedupe-key';
import type { SmsMessage } from '../types';
import { AckTracker } from './ack-tracker';
import { GatedHistory } from './gated-history';
import { ConsumerMemory } from './memory';
import { IdempotentRetryPolicy } from '../retry/retry-policy';
import { IllegalTransitionError, PhaseMachine } from './phases';
import type { AckRef, ConsumerBlock, ConsumerItem, ConsumerState, Phase, QueueConsumerEvents, QueueConsumerOptions } from './types';

export type * from './types';
export { CALLBACK_BLOCK } from './ack-tracker';

type Outcome = 'drained' | 'halted' | 'stopped' | { inMs: number; error: ThingSpaceError };
/** Phases in which poll() means "drain once more when this drain ends". */
const BUSY: ReadonlySet<Phase> = new Set<Phase>(['created', 'loading', 'polling', 'delivering', 'waiting-ack']);

export class QueueConsumer extends EventEmitter<QueueConsumerEvents> {
  private readonly manual: boolean;
  private readonly phases: PhaseMachine;
  private readonly history: GatedHistory;
  private readonly memory: ConsumerMemory;
  private readonly retries: IdempotentRetryPolicy;
  /** Signature of the last error reported in the current streak of failures: each is reported once. */
  private streak: string | undefined;
  private readonly tracker = new AckTracker();
  /** poll() while busy (in any phase up to waiting-ack): drain once more when this drain ends. */
  private again = false;
  /** Kept only to be awaited: the phase is the state. */
  private starting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** The interval timer (idle) or the retry timer (backing-off). */
  private timer: NodeJS.Timeout | undefined;
  /** Counts lead() and standBy(): a lead() overtaken by another does nothing. */
  private tenure = 0;
  /** Dedupe key of the first SMS of the last block read, to see it served again after its `next`. */
  private firstKey: string | undefined;
  private total = 0;

  constructor(private readonly opts: QueueConsumerOptions) {
    super();
    if (!opts || !opts.api) throw new TypeError('QueueConsumer needs an api');
    this.manual = opts.ackMode === 'manual';
    this.phases = new PhaseMachine(
      opts.strict === true,
      (state) => this.emit('state', state),
      (bug) => this.report(unexpected(bug, 'consumer', 'Bug in the queue consumer')),
    );
    this.history = new GatedHistory(opts.api, opts.gate, opts.stopGraceMs);
    this.memory = new ConsumerMemory(opts, () => this.phase === 'created' || this.phase === 'loading');
    this.retries = new IdempotentRetryPolicy(opts.backoff);
  }

  /** Between start() and stop(), unless halted on rejected credentials or bad config. */
  get running(): boolean {
    const p = this.phase;
    return p !== 'created' && p !== 'halted' && p !== 'stopping' && p !== 'stopped';
  }

  get state(): ConsumerState {
    return this.phases.state;
  }

  get phase(): Phase {
    return this.phases.state.phase;
  }

  /** Loads the store, emits what an earlier run kept, then polls if intervalMs > 0. With a gate: standby until lead(). */
  start(): Promise<void> {
    if (this.phase === 'created') {
      this.phases.go({ phase: this.opts.gate ? 'standby' : 'loading' });
      if (!this.opts.gate) this.starting = this.load();
    }
    return this.starting ?? Promise.resolve();
  }

  /** Coordination: the lease is ours. Reloads the store (another runtime may have read meanwhile), then reads. */
  lead(): void {
    if (this.phase !== 'standby') return;
    const tenure = ++this.tenure;
    const before = Promise.all([this.starting, this.loop]);
    this.starting = before.then(async () => {
      if (this.phase !== 'standby' || this.tenure !== tenure) return;
      // The store's next may be older than ours (a Redis failover loses its last writes): a block read
      // before standing by may be served again, which is no sign of another reader.
      this.firstKey = undefined;
      this.phases.go({ phase: 'loading' });
      await this.load();
    });
  }

  /** Coordination: the lease is lost. Stops reading now; resolves once no request of ours is in flight. */
  standBy(): Promise<void> {
    if (this.running && this.phase !== 'standby') {
      this.tenure++;
      this.clearTimer();
      this.phases.go({ phase: 'standby' });
      // The request in flight was sent under the lease: its answer may be a final block the server
      // counts delivered (drain() hands it on), so it gets the stop grace before the cut.
      void this.history.abort();
      this.tracker.endWait();
      this.memory.flush();
    }
    return Promise.all([this.starting, this.loop]).then(() => undefined);
  }

  /** Poll now; if the loop is busy, drain once more right after it settles. Never two at once. Ignored in
   *  backing-off (the retry timer is the poll: sooner would undercut Retry-After), standby (another runtime reads), after. */
  poll(): void {
    if (this.phase === 'idle' || this.phase === 'listening') this.kick();
    else if (BUSY.has(this.phase)) this.again = true;
  }

  /** Manual mode: the flow is done with this SMS (or, index -1, the whole block). */
  ack(ref: AckRef): boolean {
    // After stop a successor may own the persisted state: never write to it from here.
    if (!this.manual || this.stopRequested || !ref || typeof ref.block !== 'string') return false;
    const settled = this.tracker.ack(ref);
    if (!settled) return false;
    for (const item of settled) {
      this.memory.remember(item.key);
      this.memory.release(item.key);
    }
    this.memory.save();
    return true;
  }

  /** Push mode: a callback SMS through the same dedupe; null if delivered before (manual mode: once acked). */
  pushed(sms: SmsMessage): ConsumerItem | null {
    this.memory.flush();
    const key = dedupeKey(sms);
    if (this.memory.seen(key)) {
      this.emit('duplicates', 1);
      return null;
    }
    const item = this.tracker.callback(sms, key, this.manual);
    if (!this.manual && !this.stopRequested) {
      this.memory.remember(key);
      this.memory.save();
    }
    return item;
  }

  /** Aborts the request in flight, clears timers, saves the store. Acknowledges nothing more. */
  stop(): Promise<void> {
    if (this.stopping === undefined) {
      // Not loaded, our state is empty and saving it would erase the stored one; in standby it is the lease holder's.
      const loaded = this.phase !== 'created' && this.phase !== 'loading' && this.phase !== 'standby';
      this.phases.go({ phase: 'stopping' });
      this.stopping = this.shutdown(loaded);
    }
    return this.stopping;
  }

  private get stopRequested(): boolean {
    return this.phase === 'stopping' || this.phase === 'stopped';
  }

  private get interrupted(): boolean {
    return this.stopRequested || this.phase === 'standby';
  }

  private async shutdown(loaded: boolean): Promise<void> {
    this.clearTimer();
    this.tracker.endWait();
    // An answer in flight may bring SMS the server already counts as delivered: give it a moment (drain() keeps them).
    await this.history.abort();
    await this.starting;
    await this.loop;
    this.memory.flush();
    if (loaded) this.memory.save();
    this.phases.go({ phase: 'stopped' });
    this.emit('stopped');
  }

  private async load(): Promise<void> {
    const saved = await this.memory.read();
    if (this.phase !== 'loading') return; // stopped, or stood by, meanwhile
    const merged = this.memory.merge(saved);
    if (this.opts.gate) this.history.begin(saved?.next);
    const restored = this.restoredBlock();
    if (restored || this.opts.intervalMs > 0 || this.again) this.kick(restored);
    else this.phases.go({ phase: 'listening' });
    if (merged) this.memory.save();
  }

  /** Starts the loop; its first step (polling, or delivering a restored block) is synchronous. */
  private kick(restored?: ConsumerBlock): void {
    this.clearTimer();
    this.loop = this.cycle(restored);
  }

  private async cycle(restored?: ConsumerBlock): Promise<void> {
    let outcome: Outcome = 'drained';
    let pollNow = !restored || this.opts.intervalMs > 0;
    try {
      if (restored) await this.handOn(restored);
      while (outcome === 'drained' && (pollNow || this.again) && !this.interrupted) {
        pollNow = false;
        this.again = false;
        outcome = await this.drain();
      }
    } catch (e) {
      if (e instanceof IllegalTransitionError) throw e; // strict mode: a bug must be loud
      // Only a throwing 'block' listener gets here: that block was not handed on, so it is read again.
      outcome = this.failure(unexpected(e, 'deliver', 'Unexpected failure while handing on a block'));
    }
    this.loop = undefined;
    this.memory.flush();
    this.schedule(outcome);
  }

  private async drain(): Promise<Outcome> {
    for (;;) {
      if (this.interrupted) return 'stopped';
      this.phases.go({ phase: 'polling' });
      if (this.opts.gate) {
        if (!(await this.history.confirm()) && !this.interrupted) void this.standBy();
        if (this.interrupted) return 'stopped';
      }
      let res: HistoryBlock;
      try {
        res = await this.history.request();
      } catch (e) {
        if (this.interrupted) return 'stopped';
        const sign = this.history.failed(e);
        if (sign === 'again') continue;
        if (sign === 'suspect') this.emit('suspect', 'next-refused');
        return this.failure(unexpected(e, 'history', 'Unexpected failure of the history call'));
      }
      if (this.interrupted) {
        await this.handOnLate(res);
        return 'stopped';
      }
      this.retries.reset();
      this.streak = undefined;
      const more = res.hasMoreData || res.status === 202;
      if (!this.history.answered(more, res.next)) {
        return this.failure(new ThingSpaceError({ kind: 'bad_response', message: 'history said more data but gave no next token', operation: 'history' }));
      }
      const acked = this.history.acknowledging ? this.firstKey : undefined;
      const block = this.accept(res, !more);
      if (acked !== undefined && acked === this.firstKey) this.emit('suspect', 'acknowledged-again');
      if (block) {
        await this.handOn(block);
        if (this.interrupted) return 'stopped';
      }
      this.history.handedOn(res.next);
      if (!more) return 'drained';
    }
  }

  /** Emits a block; in manual mode settles once all of it is acknowledged, or interrupted. */
  private async handOn(block: ConsumerBlock): Promise<void> {
    this.delivering(block);
    if (!this.manual) {
      try {
        this.emitBlock(block);
      } catch (e) {
        // The server may count a final block delivered (docs/thingspace-api.md, "Open questions" 2): keep it.
        if (block.final) await this.memory.keep(block.items);
        throw e;
      }
      this.memory.rememberSoon(block.items);
      if (!block.restored) return;
      for (const item of block.items) this.memory.release(item.key);
      return this.memory.save();
    }
    // Held, durably, before the emit: after a crash or restart they are emitted again whatever the server does.
    await this.memory.keep(block.items);
    let current = block;
    while (!this.interrupted) {
      this.tracker.track(current);
      this.emitBlock(current);
      const pending = this.tracker.unacked(current.id).length; // the listeners may have acknowledged it already
      if (pending > 0 && !this.interrupted) {
        this.phases.go({ phase: 'waiting-ack', pending });
        await this.tracker.waitFor(current.id, this.opts.ackTimeoutMs);
      }
      // Ack timeout: no request meanwhile, so the server's block stays unacknowledged and ours is the copy to emit.
      const left = this.tracker.unacked(current.id);
      if (left.length === 0 || this.interrupted) return;
      current = this.tracker.block(left, block.final, block.restored);
      this.delivering(current);
    }
  }

  /** The block's SMS minus those delivered before (which count as acknowledged); undefined if none are left. */
  private accept(res: HistoryBlock, final: boolean): ConsumerBlock | undefined {
    this.memory.flush();
    this.firstKey = undefined;
    const fresh: Array<{ key: string; sms: SmsMessage }> = [];
    let duplicates = 0;
    for (const sms of res.messages ?? []) {
      const key = dedupeKey(sms);
      this.firstKey ??= key;
      if (this.memory.seen(key)) duplicates++;
      else fresh.push({ key, sms });
    }
    if (duplicates > 0) this.emit('duplicates', duplicates);
    return fresh.length > 0 ? this.tracker.block(fresh, final, false) : undefined;
  }

  /** An answer that came after stop() or standBy(): the server may count it delivered (docs/thingspace-api.md,
   *  "Open questions" 1, 2). After stop() it is kept for the next run. In standby a block with more after it
   *  stays unacknowledged for the new leader; a final block is emitted anyway, at most once more than needed. */
  private async handOnLate(res: HistoryBlock): Promise<void> {
    if (this.phase === 'standby' && (res.hasMoreData || res.status === 202)) return;
    const block = this.accept(res, true);
    if (!block) return;
    if (this.stopRequested) return this.memory.keep(block.items);
    if (this.manual) {
      this.memory.hold(block.items);
      this.tracker.track(block);
    } else this.memory.rememberSoon(block.items);
    this.emitBlock(block); // no delivering(): the status keeps saying why this runtime does not read
  }

  /** What an earlier run, or a final block whose listener threw, kept: one block to emit first. */
  private restoredBlock(): ConsumerBlock | undefined {
    const held = this.memory.held();
    return held.length > 0 ? this.tracker.block(held, true, true) : undefined;
  }

  private delivering(block: ConsumerBlock): void {
    this.phases.go({ phase: 'delivering', count: block.items.length, total: this.total + block.items.length });
  }

  private emitBlock(block: ConsumerBlock): void {
    this.total += block.items.length;
    this.emit('block', block);
  }

  private failure(error: ThingSpaceError): Outcome {
    if (this.interrupted) return 'stopped'; // aborted by stop() or standBy(), or racing them: silent
    const decision = this.retries.decide(error);
    // Never again until a new consumer is made; halted before the report, which a listener may answer with poll().
    if (decision.action === 'halt') this.phases.go({ phase: 'halted', error });
    const signature = `${error.kind}|${error.code}|${error.status ?? ''}`;
    if (signature !== this.streak) this.report(error);
    this.streak = signature;
    return decision.action === 'retry' ? { inMs: decision.inMs, error } : 'halted';
  }

  /** An 'error' event without a listener would throw inside the loop. */
  private report(error: ThingSpaceError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private schedule(outcome: Outcome): void {
    if (this.interrupted || outcome === 'stopped' || outcome === 'halted') return;
    if (outcome !== 'drained') {
      // SMS kept from a block that could not be handed on go out first (handOn).
      this.timer = setTimeout(() => this.kick(this.restoredBlock()), outcome.inMs);
      this.phases.go({ phase: 'backing-off', inMs: outcome.inMs, error: outcome.error });
    } else if (this.opts.intervalMs > 0) {
      this.timer = setTimeout(() => this.kick(), this.opts.intervalMs);
      this.phases.go({ phase: 'idle', since: new Date() });
    } else {
      this.phases.go({ phase: 'listening' });
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
