// The consumer's memory: the keys of SMS delivered lately (the dedupe window) and the SMS it holds
// until the flow has them for sure (pending), loaded from its store, merged, and saved as one live object.
import { dedupeKey } from '../message/dedupe-key';
import type { SmsMessage } from '../types';
import { DedupeWindow } from './dedupe-window';
import { PendingStore } from './pending-store';
import type { ConsumerItem, PersistedState, QueueConsumerOptions } from './types';

const DEFAULT_DEDUPE_ENTRIES = 10_000;
const DEFAULT_DEDUPE_AGE_MS = 24 * 60 * 60_000;

export class ConsumerMemory {
  private dedupe: DedupeWindow | undefined;
  private pending = new PendingStore();
  private persisted: PersistedState;
  /** Keys remembered before the store was loaded (push mode at deploy): the stored window replaces ours. */
  private early: Array<[string, number]> = [];
  /** Auto mode: the block just emitted, remembered on the next turn of the event loop (rememberSoon). */
  private emitted: { items: ConsumerItem[]; at: number } | undefined;
  private soon: NodeJS.Immediate | undefined;
  private readonly now: () => number;

  /** `unloaded`: the store is not loaded yet, so a save would overwrite what it is about to read. */
  constructor(
    private readonly opts: QueueConsumerOptions,
    private readonly unloaded: () => boolean,
  ) {
    this.now = opts.now ?? Date.now;
    this.dedupe = this.window(undefined);
    this.persisted = this.fresh();
  }

  seen(key: string): boolean {
    return this.dedupe?.has(key, this.now()) ?? false;
  }

  remember(key: string): void {
    const at = this.now();
    this.dedupe?.remember(key, at);
    if (this.unloaded()) this.early.push([key, at]);
  }

  acked(key: string): void {
    this.remember(key);
    this.pending.delete(key);
  }

  /** Auto mode: an emitted block is remembered not now but once the request that acknowledges it is
   *  written, so the window and the store are updated while the server answers. Readers flush() first. */
  rememberSoon(items: ConsumerItem[]): void {
    this.flush();
    this.emitted = { items, at: this.now() };
    this.soon = setImmediate(() => {
      this.soon = undefined;
      this.flush();
    });
  }

  flush(): void {
    const block = this.emitted;
    if (block === undefined) return;
    this.emitted = undefined;
    if (this.soon) clearImmediate(this.soon);
    this.soon = undefined;
    this.dedupe?.rememberAll(block.items, block.at);
    this.save();
  }

  /** Held until acknowledged: the server may count them delivered already (docs/thingspace-api.md, "Open questions" 1, 2). */
  hold(items: ConsumerItem[]): void {
    for (const item of items) this.pending.add(item.key, item.sms);
  }

  release(key: string): void {
    this.pending.delete(key);
  }

  /** The SMS held and not delivered since. */
  held(): Array<{ key: string; sms: SmsMessage }> {
    const left: Array<{ key: string; sms: SmsMessage }> = [];
    for (const [key, sms] of this.pending.entries()) {
      if (this.seen(key)) this.pending.delete(key);
      else left.push({ key, sms });
    }
    return left;
  }

  /** An answer that came while stopping: its new SMS are held, durably, for the next run. */
  async keepForNextRun(messages: SmsMessage[]): Promise<void> {
    let kept = 0;
    for (const sms of messages) {
      const key = dedupeKey(sms);
      if (this.seen(key)) continue;
      this.pending.add(key, sms);
      kept++;
    }
    if (kept > 0) await this.saveDurably();
  }

  async read(): Promise<PersistedState | undefined> {
    try {
      return await this.opts.store?.load();
    } catch {
      return undefined; // an unreadable store costs dedupe history, never an SMS
    }
  }

  /** Takes over the stored state, keeping what this runtime holds and the store lost (a reload after lead()).
   *  True if keys remembered meanwhile were merged in: save once loaded. */
  merge(saved: PersistedState | undefined): boolean {
    if (saved && saved.v === 1) {
      const held = this.pending;
      if (saved.dedupe !== undefined || !this.opts.gate) this.dedupe = this.window(saved.dedupe);
      this.pending = new PendingStore(saved.pending);
      for (const [key, sms] of held.entries()) if (!this.pending.has(key)) this.pending.add(key, sms);
      this.persisted = this.fresh();
      for (const [key, at] of this.early) this.dedupe?.remember(key, at);
    }
    const merged = this.early.length > 0;
    this.early = [];
    return merged;
  }

  save(): void {
    if (!this.unloaded()) void this.saveDurably();
  }

  /** Settles once the store says the state is written. A failing store costs persistence, not the loop: the node reports it. */
  saveDurably(): Promise<void> {
    return new Promise<void>((resolve) => resolve(this.opts.store?.save(this.persisted))).catch(() => undefined);
  }

  private window(saved: unknown): DedupeWindow | undefined {
    if (!this.opts.dedupe) return undefined;
    const { dedupeMaxEntries = DEFAULT_DEDUPE_ENTRIES, dedupeMaxAgeMs = DEFAULT_DEDUPE_AGE_MS } = this.opts;
    return new DedupeWindow({ maxEntries: dedupeMaxEntries, maxAgeMs: dedupeMaxAgeMs }, saved);
  }

  private fresh(): PersistedState {
    return { v: 1, dedupe: this.dedupe, pending: this.pending.data };
  }
}
