// What coordination keeps of an account in Redis, under the account's key. First the
// consumer's store (ConsumerStore): the final block kept until acknowledged, the dedupe
// window and (written by the lease's confirm) the carried `next`. So the runtime that takes the lease over re-emits what was not
// acknowledged and knows what was already emitted.
//
// Every write is fenced: a script writes only while the lease value is still ours. Writes
// are coalesced (nodes/lib/consumer/coalescing-writer.ts), and refused until a load of this
// tenure succeeded, so an empty state never overwrites the stored one. The kept SMS are
// written whenever they changed (manual mode waits for that before it emits); the dedupe
// window, tens of kilobytes of JSON, at most once a second (and a second after the last
// change): what bounds the duplicates after a failover is the carried `next`, which the
// lease's confirm writes before every request.
import { CoalescingWriter } from '../consumer/coalescing-writer';
import type { ConsumerStore, PersistedState } from '../consumer/types';
import { CoordinationError } from './errors';
import type { AccountLease } from './lease';
import type { RedisLink } from './redis-link';
import { LOAD, PUSHED, SAVE, type AccountKeys } from './scripts';

const DEDUPE_EVERY_MS = 1000;

export class RedisConsumerStore implements ConsumerStore {
  /** Writes refused because the lease was no longer ours, for tests and logs. */
  refused = 0;
  private loadedFor: string | undefined;
  // The lease sees any fault of a write too (its confirm fails) and stands the reader by.
  private readonly writer = new CoalescingWriter<PersistedState>(
    (state) => this.write(state),
    () => undefined,
  );
  private pendingWritten: string | undefined;
  private dedupeAt = -Infinity;
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: AccountKeys,
    private readonly lease: AccountLease,
    private readonly stateTtlMs = 7 * 24 * 3600_000,
  ) {}

  async load(): Promise<PersistedState | undefined> {
    const fence = this.lease.fence();
    this.loadedFor = undefined;
    let r: unknown[];
    try {
      r = (await this.link.run(LOAD, [this.keys.state], [])) as unknown[];
    } catch (err) {
      // Reading on without the stored state could re-emit less than was kept: stand by.
      this.lease.fault(err instanceof CoordinationError ? err : new CoordinationError(String(err)));
      return undefined;
    }
    if (fence) this.loadedFor = fence.value;
    const [next, dedupe, pending] = r;
    this.pendingWritten = typeof pending === 'string' ? pending : undefined;
    const state: PersistedState = { v: 1 };
    if (typeof next === 'string' && next !== '') state.next = next;
    const d = parse(dedupe);
    const p = parse(pending);
    if (d !== undefined) state.dedupe = d;
    if (p !== undefined) state.pending = p;
    return state;
  }

  save(state: PersistedState): Promise<void> {
    return this.writer.save(state);
  }

  private async write(state: PersistedState): Promise<void> {
    const fence = this.lease.fence();
    if (!fence || fence.value !== this.loadedFor) {
      this.refused++;
      return;
    }
    const fields: string[] = [];
    const now = Date.now();
    if (state.dedupe !== undefined) {
      if (now - this.dedupeAt >= DEDUPE_EVERY_MS) {
        this.dedupeAt = now;
        fields.push('dedupe', JSON.stringify(state.dedupe));
      } else if (!this.trailing) {
        this.trailing = setTimeout(() => {
          this.trailing = undefined;
          if (this.writer.latest) void this.save(this.writer.latest);
        }, DEDUPE_EVERY_MS);
        this.trailing.unref();
      }
    }
    const pending = state.pending === undefined ? undefined : JSON.stringify(state.pending);
    if (pending !== undefined && pending !== this.pendingWritten) fields.push('pending', pending);
    if (fields.length === 0) return;
    const r = await this.link.run(SAVE, [this.keys.lease, this.keys.state], [fence.value, fence.epoch, this.stateTtlMs, ...fields]);
    if (Number(r) !== 1) this.refused++;
    else if (pending !== undefined) this.pendingWritten = pending;
  }
}

function parse(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // unreadable: costs dedupe history, never an SMS
  }
}

// Push mode behind a load balancer: ThingSpace's retry of a callback may land on another
// replica, whose own dedupe window never saw the first try. So pushed SMS are also checked
// against a key per SMS in Redis, set with NX and a time to live of the dedupe window.
export type PushCheck = 'new' | 'duplicate' | 'unchecked';

export class SharedPushDedupe {
  /** Pushed SMS that could not be checked (Redis unreachable): emitted on the local window. */
  unchecked = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: AccountKeys,
    private readonly ttlSec = 24 * 3600,
  ) {}

  /** Auto mode: delivered means emitted. Claims the SMS: 'new' for exactly one replica. */
  claim(key: string): Promise<PushCheck> {
    return this.ask(key, 'claim', (r) => (r === 1 ? 'new' : 'duplicate'));
  }

  /** Manual mode: delivered means acknowledged. Was it acknowledged anywhere? */
  seen(key: string): Promise<PushCheck> {
    return this.ask(key, 'seen', (r) => (r === 1 ? 'duplicate' : 'new'));
  }

  /** Manual mode: acknowledged here; the other replicas may suppress a retry now. */
  async remember(key: string): Promise<void> {
    await this.ask(key, 'remember', () => 'new');
  }

  private async ask(key: string, mode: string, decide: (r: number) => PushCheck): Promise<PushCheck> {
    if (!this.link.up) {
      this.unchecked++;
      return 'unchecked';
    }
    try {
      return decide(Number(await this.link.run(PUSHED, [this.keys.push + key], [this.ttlSec, mode])));
    } catch {
      this.unchecked++;
      return 'unchecked';
    }
  }
}
