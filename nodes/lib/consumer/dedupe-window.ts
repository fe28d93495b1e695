// The keys of SMS already delivered, bounded by count and by age.
//
// The persisted form is the live structure itself: plain JSON ring arrays mutated in place.
// The consumer hands this very object to `store.save` by reference at each acknowledgement,
// so a save costs O(1) and remembering a block costs O(block), never O(window). Only the
// Map index lives outside it; it is rebuilt once, when the window is loaded.

export interface DedupeWindowOptions {
  maxEntries: number;
  maxAgeMs: number;
}

/** Plain JSON, persisted as is. Slot i holds keys[i], remembered at times[i] (ms epoch). */
export interface DedupeData {
  v: 1;
  /** Ring capacity. */
  cap: number;
  keys: string[];
  times: number[];
  /** Slot of the oldest entry. */
  head: number;
  size: number;
}

export class DedupeWindow {
  readonly data: DedupeData;
  private readonly maxAgeMs: number;
  /** key -> slot. A slot overwritten by a newer copy of the key no longer owns the entry. */
  private readonly index = new Map<string, number>();

  constructor(opts: DedupeWindowOptions, saved?: unknown) {
    const cap = Math.max(1, Math.floor(opts.maxEntries));
    this.maxAgeMs = opts.maxAgeMs;
    this.data = { v: 1, cap, keys: [], times: [], head: 0, size: 0 };
    if (isDedupeData(saved)) this.adopt(saved);
  }

  get size(): number {
    return this.data.size;
  }

  /** Delivered within the window (and not older than maxAgeMs)? */
  has(key: string, now: number = Date.now()): boolean {
    const slot = this.index.get(key);
    return slot !== undefined && now - this.data.times[slot] <= this.maxAgeMs;
  }

  /** Remember a delivered key. False if it was already there. */
  remember(key: string, now: number = Date.now()): boolean {
    const d = this.data;
    this.expire(now);
    if (this.has(key, now)) return false;
    if (d.size === d.cap) this.evictOldest();
    const slot = (d.head + d.size) % d.cap;
    d.keys[slot] = key;
    d.times[slot] = now;
    d.size++;
    this.index.set(key, slot);
    return true;
  }

  /** Remember the keys of a delivered block: one expiry pass, then each key. Equivalent to
   *  remember() per key, without its repeated checks. */
  rememberAll(items: ReadonlyArray<{ key: string }>, now: number = Date.now()): void {
    const d = this.data;
    this.expire(now);
    for (let i = 0; i < items.length; i++) {
      const key = items[i].key;
      // Already there (and alive: expiry just ran): a repeat within the block.
      if (this.index.has(key)) continue;
      if (d.size === d.cap) this.evictOldest();
      const slot = (d.head + d.size) % d.cap;
      d.keys[slot] = key;
      d.times[slot] = now;
      d.size++;
      this.index.set(key, slot);
    }
  }

  /** Drop entries older than maxAgeMs. Amortised O(1): each entry is dropped once. */
  expire(now: number = Date.now()): void {
    const d = this.data;
    while (d.size > 0 && now - d.times[d.head] > this.maxAgeMs) this.evictOldest();
  }

  private evictOldest(): void {
    const d = this.data;
    const slot = d.head;
    const key = d.keys[slot];
    if (this.index.get(key) === slot) this.index.delete(key);
    d.head = (slot + 1) % d.cap;
    d.size--;
  }

  /** Take over a saved window, oldest first; if the capacity changed, keep the newest entries. */
  private adopt(saved: DedupeData): void {
    const d = this.data;
    const keep = Math.min(saved.size, d.cap);
    const skip = saved.size - keep;
    for (let i = 0; i < keep; i++) {
      const from = (saved.head + skip + i) % saved.cap;
      d.keys[i] = saved.keys[from];
      d.times[i] = saved.times[from];
      this.index.set(d.keys[i], i);
    }
    d.size = keep;
  }
}

function isDedupeData(x: unknown): x is DedupeData {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Partial<DedupeData>;
  return (
    d.v === 1 &&
    Number.isInteger(d.cap) &&
    (d.cap as number) > 0 &&
    Array.isArray(d.keys) &&
    Array.isArray(d.times) &&
    Number.isInteger(d.head) &&
    Number.isInteger(d.size) &&
    (d.size as number) >= 0 &&
    (d.size as number) <= (d.cap as number) &&
    (d.head as number) >= 0 &&
    (d.head as number) < (d.cap as number) &&
    d.keys.length <= (d.cap as number) &&
    d.keys.length === d.times.length &&
    // every live slot must exist
    ((d.size as number) === 0 || d.keys.length >= Math.min(d.cap as number, (d.head as number) + (d.size as number)))
  );
}
