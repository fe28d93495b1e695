// What this runtime is doing with each account, one record per account key: the health
// endpoint, the metrics and the editor's sidebar read it (docs/operations.md). Fed by
// queue-in.ts (consumer and client events), coordinated-reader.ts (the lease) and
// sms-out-runtime.ts (sends and outcomes).
import os from 'node:os';
import type { ThingSpaceApi } from '../client/api';
import { ThingSpaceError } from '../client/errors';
import type { QueueConsumer } from '../consumer/queue-consumer';
import type { ConsumerState } from '../consumer/types';
import type { SendQueue } from '../sender/send-queue';
import type { AccountMetrics, Metrics } from './metrics';

export type AccountHealth = 'reading' | 'standby' | 'sending' | 'backing-off' | 'credentials-rejected' | 'coordination-unavailable' | 'stopped';

export interface AccountActivity {
  /** The account key, name@host (nodes/lib/client/account.ts). */
  account: string;
  /** This runtime's id: the coordination replica id when coordinated, else hostname/pid. */
  runtime: string;
  state: AccountHealth;
  /** backing-off, credentials-rejected, stopped (on a bad configuration): the error code. */
  code?: string;
  /** The lease holder's runtime id, when coordinated. */
  holder?: string;
  /** Epoch ms of the last history request. */
  lastPoll?: number;
  /** Epoch ms of the last successful exchange with ThingSpace. */
  lastSuccess?: number;
  /** SMS received per minute over the last 30 minutes, oldest first, 30 entries. */
  perMinute: number[];
  received: { poll: number; push: number };
  /** By code. */
  errors: Record<string, number>;
  sendsInFlight: number;
  outcomesPending: number;
}

export interface ActivityBoard {
  list(): AccountActivity[];
  /** Called (at most once per turn of the event loop) after any change; returns unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** What the reader's consumer says: undefined while no sms-queue-in reads the account here. */
type ReaderHealth = 'reading' | 'standby' | 'backing-off' | 'credentials-rejected' | 'stopped';
type LeaseState = 'holding' | 'standby' | 'unavailable';

const MINUTES = 30;
const HEALTH: Record<ConsumerState['phase'], ReaderHealth> = {
  created: 'standby',
  loading: 'reading',
  polling: 'reading',
  delivering: 'reading',
  idle: 'reading',
  listening: 'reading',
  'waiting-ack': 'reading',
  'backing-off': 'backing-off',
  halted: 'stopped',
  standby: 'standby',
  stopping: 'stopped',
  stopped: 'stopped',
};
/** As coordination names a runtime by default (nodes/lib/coordination/coordinator.ts), without loading it. */
const defaultRuntime = (): string => `${os.hostname()}/${process.pid}`;
const minuteOf = (ms: number): number => Math.floor(ms / 60_000);

/** One account's record, and the calls that feed it. */
export class AccountFeed {
  private name: string;
  private reader: { owner: object; health: ReaderHealth; code?: string } | undefined;
  private leaseOf: { state: LeaseState; holder?: string; code?: string } | undefined;
  private rejected: string | undefined;
  private lastPoll: number | undefined;
  private lastSuccess: number | undefined;
  private readonly minutes = new Array<number>(MINUTES).fill(0);
  private minute = minuteOf(Date.now());
  private readonly received = { poll: 0, push: 0 };
  private readonly errors: Record<string, number> = {};
  private queue: SendQueue | undefined;
  /** Each sms-out node on the account: how many of its sends wait for an outcome. */
  private readonly senders = new Map<object, () => number>();
  private m: AccountMetrics | undefined;
  private lastHolder: string | undefined;

  constructor(
    readonly account: string,
    runtime: string,
    private readonly changed: () => void,
    private readonly metrics: Metrics | undefined,
  ) {
    this.name = runtime;
    this.m = metrics?.account(account, runtime);
  }

  get runtime(): string {
    return this.name;
  }

  /** Coordination turned on or off, or renamed, by a redeploy: the metrics follow the new name. */
  set runtime(name: string) {
    if (name === this.name) return;
    this.name = name;
    this.m = this.metrics?.account(this.account, name);
    this.changed();
  }

  get idle(): boolean {
    return !this.reader && this.senders.size === 0;
  }

  // --- the reader (sms-queue-in) ---
  /** The account's reader in this runtime: its consumer's events feed the record. */
  watch(owner: object, consumer: QueueConsumer): void {
    this.reader = { owner, health: 'standby' };
    this.rejected = undefined; // a new deploy, a new client
    consumer.on('state', (s) => {
      const health = s.phase === 'halted' && s.error.kind === 'credentials_rejected' ? 'credentials-rejected' : HEALTH[s.phase];
      this.readerState(owner, health, 'error' in s ? s.error.code : undefined);
    });
    consumer.on('block', (b) => b.restored || this.receivedSms('poll', b.items.length));
    consumer.on('duplicates', (n) => this.m?.duplicates(n));
    consumer.on('error', (e) => this.error(e.code));
    this.changed();
  }

  readerState(owner: object, health: ReaderHealth, code?: string): void {
    if (this.reader?.owner !== owner) return;
    this.reader.health = health;
    this.reader.code = code;
    if (health === 'reading') this.rejected = undefined;
    this.changed();
  }

  readerStopped(owner: object): void {
    if (this.reader?.owner !== owner) return;
    this.reader = undefined;
    this.leaseOf = undefined;
    this.m?.leaseHeld(false);
    this.changed();
  }

  /** The client refuses every call: ThingSpace rejected the credentials. */
  credentialsRejected(code: string): void {
    this.rejected = code;
    this.changed();
  }

  lease(state: LeaseState, holder?: string, code?: string): void {
    if (holder !== undefined) {
      if (this.lastHolder !== undefined && this.lastHolder !== holder) this.m?.failover();
      this.lastHolder = holder;
    }
    this.leaseOf = { state, holder, code };
    if (state === 'unavailable' && code) this.error(code);
    this.m?.leaseHeld(state === 'holding');
    this.changed();
  }

  /** A history request ended: `more` is the answer's hasMoreData, undefined when it failed. */
  polled(startedAt: number, seconds: number, more: boolean | undefined): void {
    this.lastPoll = startedAt;
    if (more !== undefined) this.lastSuccess = Date.now();
    this.m?.history(seconds, more);
    this.changed();
  }

  receivedSms(source: 'poll' | 'push', n: number): void {
    this.received[source] += n;
    this.roll(Date.now());
    this.minutes[MINUTES - 1] += n;
    this.m?.received(source, n);
    this.changed();
  }

  acknowledged(n: number): void {
    this.m?.acknowledged(n);
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    this.m?.error(code);
    this.changed();
  }

  // --- the senders (sms-out) ---
  senderStarted(owner: object, queue: SendQueue, pending: () => number): void {
    if (this.senders.size === 0 && !this.reader) this.rejected = undefined; // a new deploy, a new client
    this.queue = queue;
    this.senders.set(owner, pending);
    this.sendsChanged();
  }

  senderStopped(owner: object): void {
    this.senders.delete(owner);
    this.sendsChanged();
  }

  /** outcome: 'accepted', or the failure's code (SEND_UNCERTAIN, QUEUE_FULL...): also counted as an error. */
  sent(outcome: string): void {
    if (outcome === 'accepted') this.lastSuccess = Date.now();
    else this.error(outcome);
    this.m?.sent(outcome);
    this.changed();
  }

  delivery(status: string): void {
    this.m?.delivery(status);
  }

  sendsChanged(): void {
    this.m?.sends(this.queue?.queued ?? 0, this.pending());
    this.changed();
  }

  view(): AccountActivity {
    this.roll(Date.now());
    const r = this.reader;
    const base = {
      account: this.account,
      runtime: this.runtime,
      holder: this.leaseOf?.holder,
      lastPoll: this.lastPoll,
      lastSuccess: this.lastSuccess,
      perMinute: [...this.minutes],
      received: { ...this.received },
      errors: { ...this.errors },
      sendsInFlight: this.queue?.inFlight ?? 0,
      outcomesPending: this.pending(),
    };
    if (this.rejected !== undefined || r?.health === 'credentials-rejected') {
      return { ...base, state: 'credentials-rejected', code: r?.health === 'credentials-rejected' ? r.code : this.rejected };
    }
    if (r?.health === 'stopped') return { ...base, state: 'stopped', code: r.code };
    if (this.leaseOf?.state === 'unavailable') return { ...base, state: 'coordination-unavailable', code: this.leaseOf.code };
    // Without a reader here only sms-out uses the account: this runtime sends and reads nothing.
    if (!r) return { ...base, state: 'sending' };
    return r.code === undefined ? { ...base, state: r.health } : { ...base, state: r.health, code: r.code };
  }

  private pending(): number {
    let n = 0;
    for (const p of this.senders.values()) n += p();
    return n;
  }

  /** Shifts the per-minute counts up to the current minute. */
  private roll(now: number): void {
    const m = minuteOf(now);
    const steps = Math.min(MINUTES, m - this.minute);
    if (steps <= 0) return;
    this.minutes.splice(0, steps);
    for (let i = 0; i < steps; i++) this.minutes.push(0);
    this.minute = m;
  }
}

/** The runtime's board: the config node's module makes one per runtime (nodes/thingspace-config.ts). */
export class Activity implements ActivityBoard {
  private readonly accounts = new Map<string, AccountFeed>();
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private readonly notify = (): void => {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    });
  };

  constructor(private readonly metrics?: Metrics) {}

  /** The record of an account (made on first use). `runtime`: this runtime's name for it, the
   *  coordination replica id, or (undefined) hostname/pid; a reader's name wins (`reader`). */
  account(key: string, runtime?: string, reader = false): AccountFeed {
    let feed = this.accounts.get(key);
    if (!feed) {
      feed = new AccountFeed(key, runtime ?? defaultRuntime(), this.notify, this.metrics);
      this.accounts.set(key, feed);
    } else if (reader || runtime !== undefined) {
      feed.runtime = runtime ?? defaultRuntime();
    }
    return feed;
  }

  /** The accounts some node of the flows uses now. A record outlives a redeploy (its counts go
   *  on): one small object per account the runtime ever used, as the send queues. */
  list(): AccountActivity[] {
    return [...this.accounts.values()].filter((f) => !f.idle).map((f) => f.view());
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The consumer's calls, with each history request timed and counted on `feed`. */
export function timedHistory(api: ThingSpaceApi, feed: AccountFeed): ThingSpaceApi {
  // A request carrying a block's `next` acknowledged that block (docs/thingspace-api.md, "History paging").
  let carried: { next: string; n: number } | undefined;
  const history: ThingSpaceApi['history'] = async (next, opts) => {
    const startedAt = Date.now();
    const t0 = performance.now();
    try {
      const block = await api.history(next, opts);
      feed.polled(startedAt, (performance.now() - t0) / 1000, block.hasMoreData);
      if (next !== undefined && carried?.next === next) feed.acknowledged(carried.n);
      carried = block.next ? { next: block.next, n: block.messages.length } : undefined;
      return block;
    } catch (err) {
      if (!(err instanceof ThingSpaceError && err.kind === 'aborted')) feed.polled(startedAt, (performance.now() - t0) / 1000, undefined);
      throw err;
    }
  };
  return {
    history,
    get accountName() {
      return api.accountName;
    },
    get credentialsRejected() {
      return api.credentialsRejected;
    },
    startCallbacks: (o) => api.startCallbacks(o),
    registerCallback: (url, creds, o) => api.registerCallback(url, creds, o),
    listCallbacks: (o) => api.listCallbacks(o),
    deleteCallback: (name, o) => api.deleteCallback(name, o),
    testConnection: (o) => api.testConnection(o),
  };
}
