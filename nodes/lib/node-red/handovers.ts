// What a closing node leaves in memory for the node that replaces it in this runtime: parked
// under a key (its node id, or the account it worked for) until its successor takes it, or
// until it ends and `ended` gets it back. Node-RED closes the old nodes before it creates the
// new ones, so a successor finds what it was left as it starts.
import type { EventEmitter } from 'node:events';

/** Nobody took it: in time, by the end of the deploy, or before the flows stopped outside one. */
export type HandoverEnd = 'timeout' | 'deploy' | 'stop';

type RuntimeEvent = { id?: string; payload?: { state?: string; deploy?: boolean } } | undefined;

export class Handovers<T> {
  private readonly parked = new Map<string, Array<{ value: T; timer: NodeJS.Timeout }>>();
  private listening = false;
  private readonly onStarted = (): void => this.endAll('deploy');
  private readonly onState = (e: RuntimeEvent): void => {
    if (e?.id === 'runtime-state' && e.payload?.state === 'stop' && !e.payload.deploy) this.endAll('stop');
  };

  /** With the runtime's `events`, a deploy's end or a stop of the flows also ends what is parked. */
  constructor(
    private readonly timeoutMs: number,
    private readonly ended: (value: T, why: HandoverEnd) => void = () => undefined,
    private readonly events?: EventEmitter,
  ) {}

  park(key: string, value: T): void {
    const entry = { value, timer: setTimeout(() => this.expire(key, entry), this.timeoutMs) };
    entry.timer.unref();
    this.parked.set(key, [...(this.parked.get(key) ?? []), entry]);
    this.listen();
  }

  /** What was parked under `key`, oldest first, now the caller's. */
  take(key: string): T[] {
    const entries = this.parked.get(key) ?? [];
    this.parked.delete(key);
    for (const e of entries) clearTimeout(e.timer);
    this.listen();
    return entries.map((e) => e.value);
  }

  private endAll(why: HandoverEnd): void {
    for (const key of [...this.parked.keys()]) for (const value of this.take(key)) this.ended(value, why);
  }

  private expire(key: string, entry: { value: T }): void {
    const left = (this.parked.get(key) ?? []).filter((e) => e !== entry);
    if (left.length > 0) this.parked.set(key, left);
    else this.parked.delete(key);
    this.listen();
    this.ended(entry.value, 'timeout');
  }

  /** Listens to the runtime only while it holds something. */
  private listen(): void {
    const on = this.parked.size > 0;
    if (!this.events || on === this.listening) return;
    this.listening = on;
    const fn = on ? 'on' : 'off';
    this.events[fn]('flows:started', this.onStarted);
    this.events[fn]('runtime-event', this.onState);
  }
}
