// The keys of SMS already delivered, bounded by count and by age.
//
// The persisted form is the live structure itself: plain JSON ring arrays mutated in place.
// The consumer hands this very object to `store.save` by reference at each acknowledgement,
// so a save costs O(1) and remembering a block costs O(block), never O(window). Only the
// index lives outside it; it is rebuilt once, when the window is loaded.
//
// The index is numeric. A key is 16 hex characters (message/dedupe-key.ts), i.e. two 32-bit
// words, kept per ring slot in two Int32Arrays; an open-addressing table (linear probing,
// backward-shift deletion) maps those words to the slot. Every SMS of a drain costs a lookup,
// an insert and, once the window is full, the removal of the oldest key: with a Map of
// 10,000 strings those touched a string on the heap each time and cost a tenth of the
// drain's CPU; here they touch a few typed-array cells. Keys that are not 16 hex characters
// (none in production) are indexed by a 64-bit hash of their text. The typed arrays start
// small and double as the window fills (up to its capacity): an account that sees a few SMS
// a day does not hold 200 KB of index, nor does each of forty accounts in one runtime.

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
  /** The two words of the key in each ring slot used so far (grown up to `cap` slots). */
  private hi = new Int32Array(0);
  private lo = new Int32Array(0);
  /** Open-addressing table: slot + 1 per cell, 0 = empty. At most half full. A key's cell
   *  points at its newest slot; a slot overwritten by a newer copy of the key owns no cell. */
  private cells = new Int32Array(0);
  private mask = 0;

  constructor(opts: DedupeWindowOptions, saved?: unknown) {
    const cap = Math.max(1, Math.floor(opts.maxEntries));
    this.maxAgeMs = opts.maxAgeMs;
    this.data = { v: 1, cap, keys: [], times: [], head: 0, size: 0 };
    const adopted = isDedupeData(saved) ? Math.min(saved.size, cap) : 0;
    this.allocate(Math.min(cap, Math.max(FIRST_SLOTS, adopted)));
    if (isDedupeData(saved)) this.adopt(saved);
  }

  get size(): number {
    return this.data.size;
  }

  /** Delivered within the window (and not older than maxAgeMs)? */
  has(key: string, now: number = Date.now()): boolean {
    identify(key);
    const slot = this.find(ID[0], ID[1]);
    return slot >= 0 && now - this.data.times[slot] <= this.maxAgeMs;
  }

  /** Remember a delivered key. False if it was already there. */
  remember(key: string, now: number = Date.now()): boolean {
    this.expire(now);
    if (this.has(key, now)) return false;
    this.insert(key, now);
    return true;
  }

  /** Remember the keys of a delivered block: one expiry pass, then each key. Equivalent to
   *  remember() per key, without its repeated checks. */
  rememberAll(items: ReadonlyArray<{ key: string }>, now: number = Date.now()): void {
    this.expire(now);
    for (let i = 0; i < items.length; i++) {
      const key = items[i].key;
      // Already there (and alive: expiry just ran): a repeat within the block.
      identify(key);
      if (this.find(ID[0], ID[1]) >= 0) continue;
      this.insert(key, now);
    }
  }

  /** Drop entries older than maxAgeMs. Amortised O(1): each entry is dropped once. */
  expire(now: number = Date.now()): void {
    const d = this.data;
    while (d.size > 0 && now - d.times[d.head] > this.maxAgeMs) this.evictOldest();
  }

  /** Stores `key` (whose words `identify` just left in ID) in the next free slot. */
  private insert(key: string, now: number): void {
    const d = this.data;
    if (d.size === d.cap) this.evictOldest();
    const slot = (d.head + d.size) % d.cap;
    // Slots are taken in order from 0 until the ring first wraps, so this grows at most
    // log2(cap / FIRST_SLOTS) times.
    if (slot >= this.hi.length) this.allocate(Math.min(d.cap, Math.max(slot + 1, this.hi.length * 2)));
    d.keys[slot] = key;
    d.times[slot] = now;
    d.size++;
    this.hi[slot] = ID[0];
    this.lo[slot] = ID[1];
    this.link(slot);
  }

  private evictOldest(): void {
    const d = this.data;
    const slot = d.head;
    this.unlink(slot);
    d.head = (slot + 1) % d.cap;
    d.size--;
  }

  /** Index arrays for `slots` ring slots and a table at least twice as large; what the
   *  window holds is kept and linked again, oldest first (so each key's cell ends on its
   *  newest slot, as link() keeps it). */
  private allocate(slots: number): void {
    const hi = new Int32Array(slots);
    const lo = new Int32Array(slots);
    hi.set(this.hi.subarray(0, Math.min(slots, this.hi.length)));
    lo.set(this.lo.subarray(0, Math.min(slots, this.lo.length)));
    this.hi = hi;
    this.lo = lo;
    let cells = 16;
    while (cells < slots * 2) cells *= 2;
    this.cells = new Int32Array(cells);
    this.mask = cells - 1;
    const d = this.data;
    for (let i = 0; i < d.size; i++) this.link((d.head + i) % d.cap);
  }

  /** The slot holding these words, or -1. */
  private find(hi: number, lo: number): number {
    const cells = this.cells;
    for (let i = lo & this.mask, n = 0; n <= this.mask; i = (i + 1) & this.mask, n++) {
      const c = cells[i];
      if (c === 0) return -1;
      if (this.lo[c - 1] === lo && this.hi[c - 1] === hi) return c - 1;
    }
    throw corrupt();
  }

  /** Points the cell of `slot`'s words at `slot` (taking it over from an older copy). */
  private link(slot: number): void {
    const cells = this.cells;
    const hi = this.hi[slot];
    const lo = this.lo[slot];
    let i = lo & this.mask;
    for (let n = 0; cells[i] !== 0; i = (i + 1) & this.mask) {
      const other = cells[i] - 1;
      if (this.lo[other] === lo && this.hi[other] === hi) break;
      if (++n > this.mask) throw corrupt();
    }
    cells[i] = slot + 1;
  }

  /** Removes the cell pointing at `slot`, if one does (none if a newer copy took it over). */
  private unlink(slot: number): void {
    const cells = this.cells;
    const mask = this.mask;
    let i = this.lo[slot] & mask;
    for (; cells[i] !== slot + 1; i = (i + 1) & mask) {
      if (cells[i] === 0) return;
    }
    // Backward shift: pull later cells of the probe run into the gap where their home allows.
    let gap = i;
    for (let j = (gap + 1) & mask; cells[j] !== 0; j = (j + 1) & mask) {
      const home = this.lo[cells[j] - 1] & mask;
      // A cell may move back to the gap unless its home lies cyclically in (gap, j].
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        cells[gap] = cells[j];
        gap = j;
      }
    }
    cells[gap] = 0;
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
      identify(d.keys[i]);
      this.hi[i] = ID[0];
      this.lo[i] = ID[1];
      this.link(i);
    }
    d.size = keep;
  }
}

/** Index slots a window starts with: 256 keys in 3 KB of typed arrays. */
const FIRST_SLOTS = 256;

/** The table is never more than half full, so a probe always meets an empty cell: this is a bug. */
function corrupt(): Error {
  return new Error('dedupe window: index table corrupt');
}

/** Scratch for identify(): the two words of the last key (one key at a time, nothing awaits). */
const ID = new Int32Array(2);

/** Hex digit values by char code, -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/** Leaves the key's two words in ID: its value if it is 16 lower-case hex characters, else
 *  two 32-bit hashes of its text. */
function identify(key: string): void {
  if (key.length === 16) {
    let hi = 0;
    let lo = 0;
    let ok = true;
    for (let i = 0; i < 8; i++) {
      const a = key.charCodeAt(i);
      const b = key.charCodeAt(i + 8);
      const va = a < 128 ? HEX_VALUE[a] : -1;
      const vb = b < 128 ? HEX_VALUE[b] : -1;
      if (va < 0 || vb < 0) {
        ok = false;
        break;
      }
      hi = (hi << 4) | va;
      lo = (lo << 4) | vb;
    }
    if (ok) {
      ID[0] = hi;
      // Still one-to-one: the low word is mixed once more (xor-shift, odd multiply), as the
      // table takes a key's home cell from its low bits.
      ID[1] = Math.imul(lo ^ (lo >>> 16), 0x45d9f3b);
      return;
    }
  }
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  ID[0] = a ^ (a >>> 13) ^ key.length;
  ID[1] = Math.imul(b ^ (b >>> 16), 0x45d9f3b);
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
