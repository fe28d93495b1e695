// The consumer's state in Redis, so the next lease holder re-emits what was not acknowledged. Writes are fenced
// and refused until this tenure's load succeeded (an empty state never overwrites the stored one). The dedupe
// window (tens of kB) is written at most once a second: the carried `next` is what bounds duplicates after a failover.
import { CoalescingWriter } from '../consumer/coalescing-writer';
import type { ConsumerStore, PersistedState } from '../consumer/types';
import type { CoordinationError } from './errors';
import type { AccountLease } from './lease';
import type { RedisLink } from './redis-link';
import { FENCED, STATE_TTL_MS, type AccountKeys } from './scripts';

const DEDUPE_EVERY_MS = 1000;
const PUSH_TTL_SEC = 24 * 3600;

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
  ) {}

  async load(): Promise<PersistedState | undefined> {
    const fence = this.lease.fence();
    this.loadedFor = undefined;
    let r: unknown[];
    try {
      r = (await this.link.call(['HMGET', this.keys.state, 'next', 'dedupe', 'pending'])) as unknown[];
    } catch (err) {
      // Reading on without the stored state could re-emit less than was kept: stand by.
      this.lease.fault(err as CoordinationError);
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
    const r = await this.link.run(FENCED, [this.keys.lease, this.keys.state], [fence.value, '', fence.epoch, STATE_TTL_MS, ...fields]);
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

// Behind a load balancer ThingSpace's retry of a push may land on another replica: a key per SMS in Redis catches it.
type PushCheck = 'new' | 'duplicate' | 'unchecked';

export class SharedPushDedupe {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: AccountKeys,
  ) {}

  /** Auto mode: delivered means emitted. Claims the SMS: 'new' for exactly one replica. */
  claim(key: string): Promise<PushCheck> {
    return this.ask(['SET', this.keys.push + key, '1', 'NX', 'EX', PUSH_TTL_SEC], (r) => (r === null ? 'duplicate' : 'new'));
  }

  /** Manual mode: delivered means acknowledged. Was it acknowledged anywhere? */
  seen(key: string): Promise<PushCheck> {
    return this.ask(['EXISTS', this.keys.push + key], (r) => (Number(r) === 1 ? 'duplicate' : 'new'));
  }

  /** Manual mode: acknowledged here; the other replicas may suppress a retry now. */
  async remember(key: string): Promise<void> {
    await this.ask(['SET', this.keys.push + key, '1', 'EX', PUSH_TTL_SEC], () => 'new');
  }

  private async ask(command: Array<string | number>, decide: (r: unknown) => PushCheck): Promise<PushCheck> {
    try {
      if (this.link.up) return decide(await this.link.call(command));
    } catch {
      // unchecked
    }
    return 'unchecked';
  }
}
