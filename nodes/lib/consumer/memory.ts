// The consumer's memory: the keys of SMS delivered lately (the dedupe window) and the SMS it holds
// until the flow has them for sure (pending), loaded from its store, merged, and saved as one live object.
import type { SmsMessage } from '../types';
import type { ConsumerItem, PersistedState, QueueConsumerOptions } from './types';

const DEDUPE_ENTRIES = 10_000;
const DEDUPE_AGE_MS = 24 * 60 * 60_000;

/** The SMS held, as persisted: dedupe key -> SMS (identical SMS share a key and are kept once). */
interface Pending {
  v: 1;
  sms: Record<string, SmsMessage>;
}

export class ConsumerMemory {
  private dedupe: DedupeWindow | undefined;
  private pending = pendingFrom(undefined);
  private persisted: PersistedState;
  /** Keys remembered before the store was loaded (push mode at deploy): the stored window replaces ours. */
  private early: Array<[string, number]> = [];
  /** Auto mode: the block just emitted, remembered on the next turn of the event loop (rememberSoon). */
  private emitted: { items: ConsumerItem[]; at: number } | undefined;
  private soon: NodeJS.Immediate | undefined;

  /** `unloaded`: the store is not loaded yet, so a save would overwrite what it is about to read. */
  constructor(
    private readonly opts: QueueConsumerOptions,
    private readonly unloaded: () => boolean,
  ) {
    this.dedupe = this.window(undefined);
    this.persisted = this.fresh();
  }

  seen(key: string): boolean {
    return this.dedupe?.has(key, Date.now()) ?? false;
  }

  remember(key: string): void {
    const at = Date.now();
    this.dedupe?.remember(key, at);
    if (this.unloaded()) this.early.push([key, at]);
  }

  /** Auto mode: an emitted block is remembered not now but once the request that acknowledges it is
   *  written, so the window and the store are updated while the server answers. Readers flush() first. */
  rememberSoon(items: ConsumerItem[]): void {
    this.flush();
    this.emitted = { items, at: Date.now() };
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
    for (const { key } of block.items) this.dedupe?.remember(key, block.at);
    this.save();
  }

  /** Held until acknowledged: the server may count them delivered already (docs/thingspace-api.md, "Open questions" 1, 2). */
  hold(items: ConsumerItem[]): void {
    for (const item of items) this.pending.sms[item.key] = item.sms;
  }

  release(key: string): void {
    delete this.pending.sms[key];
  }

  held(): Array<{ key: string; sms: SmsMessage }> {
    const left: Array<{ key: string; sms: SmsMessage }> = [];
    for (const [key, sms] of Object.entries(this.pending.sms)) {
      if (this.seen(key)) this.release(key);
      else left.push({ key, sms });
    }
    return left;
  }

  /** Held, durably: settles once the store has them. */
  keep(items: ConsumerItem[]): Promise<void> {
    this.hold(items);
    return this.saveDurably();
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
      if (saved.dedupe !== undefined || !this.opts.gate) this.dedupe = this.window(saved.dedupe);
      this.pending = pendingFrom(saved.pending, this.pending.sms);
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
    return this.opts.dedupe ? new DedupeWindow({ maxEntries: DEDUPE_ENTRIES, maxAgeMs: DEDUPE_AGE_MS }, saved) : undefined;
  }

  private fresh(): PersistedState {
    return { v: 1, dedupe: this.dedupe, pending: this.pending };
  }
}

/** A copy: a predecessor (redeploy) may still hold the saved object, and each consumer must be the only writer of its state.
 *  `held`: what this runtime holds, kept where the store lost it. */
function pendingFrom(saved: unknown, held?: Record<string, SmsMessage>): Pending {
  const d = saved as Partial<Pending> | null | undefined;
  const ok = typeof d === 'object' && d !== null && d.v === 1 && typeof d.sms === 'object' && d.sms !== null && !Array.isArray(d.sms);
  return { v: 1, sms: { ...held, ...(ok ? d.sms : {}) } };
}

/** The persisted form: [key, remembered at (ms epoch)] pairs, oldest first (v3: keys of the length-prefixed fields). */
export interface DedupeData {
  v: 3;
  entries: Array<[string, number]>;
}

/** The keys of SMS already delivered, bounded by count and by age: a Map for the look-up and
 *  a queue of the keys oldest first. (The Map's own order would do, but V8 walks over the
 *  deleted entries at its start on every look at the oldest: 35 µs per SMS at 10,000 keys.) */
export class DedupeWindow {
  private readonly keys = new Map<string, number>();
  /** Keys oldest first, from `head` on; the part before `head` is dropped now and then. */
  private order: string[] = [];
  private head = 0;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;

  /** `saved` is what `toJSON()` gave; anything else (a window of an older version, whose
   *  keys were another hash) starts the window empty. */
  constructor(opts: { maxEntries: number; maxAgeMs: number }, saved?: unknown) {
    this.maxEntries = Math.max(1, Math.floor(opts.maxEntries));
    this.maxAgeMs = opts.maxAgeMs;
    // Handed over in memory (a redeploy without a context store), the window itself comes back.
    const data = saved instanceof DedupeWindow ? saved.toJSON() : saved;
    if (!isDedupeData(data)) return;
    for (const [key, at] of data.entries.slice(-this.maxEntries)) {
      if (!this.keys.has(key)) this.order.push(key);
      this.keys.set(key, at);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: string, now: number = Date.now()): boolean {
    const at = this.keys.get(key);
    return at !== undefined && now - at <= this.maxAgeMs;
  }

  /** Remember a delivered key. False if it was already there. */
  remember(key: string, now: number = Date.now()): boolean {
    this.expire(now);
    if (this.keys.has(key)) return false;
    this.keys.set(key, now);
    this.order.push(key);
    if (this.keys.size > this.maxEntries) this.dropOldest();
    return true;
  }

  /** Drop entries older than maxAgeMs; each entry is dropped once. */
  expire(now: number = Date.now()): void {
    while (this.head < this.order.length && now - this.keys.get(this.order[this.head])! > this.maxAgeMs) this.dropOldest();
  }

  private dropOldest(): void {
    this.keys.delete(this.order[this.head++]);
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  toJSON(): DedupeData {
    const entries: Array<[string, number]> = [];
    for (let i = this.head; i < this.order.length; i++) entries.push([this.order[i], this.keys.get(this.order[i])!]);
    return { v: 3, entries };
  }
}

function isDedupeData(x: unknown): x is DedupeData {
  const d = x as Partial<DedupeData> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.v === 3 &&
    Array.isArray(d.entries) &&
    d.entries.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number')
  );
}
