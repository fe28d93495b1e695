// What a closing node leaves in memory for the node that replaces it in this runtime: parked
// under a key (its node id, or the account it worked for) until its successor takes it, or
// until the time runs out and `expired` gets it back. Node-RED closes the old nodes before it
// creates the new ones, so a successor finds what it was left as it starts.

export class Handovers<T> {
  private readonly parked = new Map<string, Array<{ value: T; timer: NodeJS.Timeout }>>();

  constructor(
    private readonly timeoutMs: number,
    private readonly expired: (value: T) => void = () => undefined,
  ) {}

  park(key: string, value: T): void {
    const entry = { value, timer: setTimeout(() => this.expire(key, entry), this.timeoutMs) };
    entry.timer.unref();
    this.parked.set(key, [...(this.parked.get(key) ?? []), entry]);
  }

  get size(): number {
    return this.parked.size;
  }

  /** What was parked under `key`, oldest first, now the caller's. */
  take(key: string): T[] {
    const entries = this.parked.get(key) ?? [];
    this.parked.delete(key);
    for (const e of entries) clearTimeout(e.timer);
    return entries.map((e) => e.value);
  }

  /** Everything parked, now the caller's. */
  takeAll(): T[] {
    return [...this.parked.keys()].flatMap((key) => this.take(key));
  }

  private expire(key: string, entry: { value: T }): void {
    const left = (this.parked.get(key) ?? []).filter((e) => e !== entry);
    if (left.length > 0) this.parked.set(key, left);
    else this.parked.delete(key);
    this.expired(entry.value);
  }
}
