// The keys of SMS already delivered, bounded by count and by age: a Map for the look-up and
// a queue of the keys oldest first. (The Map's own order would do, but V8 walks over the
// deleted entries at its start on every look at the oldest: 35 µs per SMS at 10,000 keys.)

export interface DedupeWindowOptions {
  maxEntries: number;
  maxAgeMs: number;
}

/** The persisted form: [key, remembered at (ms epoch)] pairs, oldest first (v3: keys of the length-prefixed fields). */
export interface DedupeData {
  v: 3;
  entries: Array<[string, number]>;
}

export class DedupeWindow {
  private readonly keys = new Map<string, number>();
  /** Keys oldest first, from `head` on; the part before `head` is dropped now and then. */
  private order: string[] = [];
  private head = 0;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;

  /** `saved` is what `toJSON()` gave; anything else (a window of an older version, whose
   *  keys were another hash) starts the window empty. */
  constructor(opts: DedupeWindowOptions, saved?: unknown) {
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
    return this.add(key, now);
  }

  rememberAll(items: ReadonlyArray<{ key: string }>, now: number = Date.now()): void {
    this.expire(now);
    for (const { key } of items) this.add(key, now);
  }

  private add(key: string, now: number): boolean {
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

  /** Called by JSON.stringify, and by the consumer when it saves. */
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
