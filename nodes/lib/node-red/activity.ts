// What this runtime is doing with each account, one record per account key: the health
// endpoint, the metrics and the editor's sidebar read it (docs/operations.md).
import os from 'node:os';
import { ThingSpaceError } from '../client/errors';
import type { QueueConsumer } from '../consumer/queue-consumer';
import type { LeaseView } from '../coordination/lease';
import type { ConsumerState, HistoryApi } from '../consumer/types';
import type { SendQueue } from '../sender/send-queue';
import type { Metrics } from './metrics';

export type AccountHealth = 'reading' | 'standby' | 'sending' | 'backing-off' | 'credentials-rejected' | 'coordination-unavailable' | 'stopped';

export type AccountActivity = ReturnType<AccountFeed['view']>;

/** What the reader's consumer says: undefined while no sms-queue-in reads the account here. */
type ReaderHealth = 'reading' | 'standby' | 'backing-off' | 'credentials-rejected' | 'stopped';

const MINUTES = 30;
/** The consumer's phases that are not reading. */
const HEALTH: Partial<Record<ConsumerState['phase'], ReaderHealth>> = {
  created: 'standby',
  standby: 'standby',
  'backing-off': 'backing-off',
  halted: 'stopped',
  stopping: 'stopped',
  stopped: 'stopped',
};
/** As coordination names a runtime by default (nodes/lib/coordination/coordinator.ts), without loading it. */
const DEFAULT_RUNTIME = `${os.hostname()}/${process.pid}`;
const minuteOf = (ms: number): number => Math.floor(ms / 60_000);

export class AccountFeed {
  /** This runtime's name for the account: the metrics' label too. */
  runtime = DEFAULT_RUNTIME;
  private reader: { owner: object; health: ReaderHealth; code?: string } | undefined;
  private leaseOf: { state: LeaseView['state']; holder?: string; code?: string } | undefined;
  private rejected: string | undefined;
  private lastPoll: number | undefined;
  private lastSuccess: number | undefined;
  /** SMS received by minute (minuteOf), the last MINUTES minutes. */
  private readonly minutes = new Map<number, number>();
  private readonly received = { poll: 0, push: 0 };
  private readonly errors: Record<string, number> = {};
  private queue: SendQueue | undefined;
  /** Each sms-out node on the account: how many of its sends wait for an outcome. */
  private readonly senders = new Map<object, () => number>();
  private lastHolder: string | undefined;

  constructor(
    readonly account: string,
    private readonly changed: () => void,
    private readonly metrics: Metrics | undefined,
  ) {}

  get idle(): boolean {
    return !this.reader && this.senders.size === 0;
  }

  // --- the reader (sms-queue-in) ---
  /** The account's reader in this runtime: its consumer's events feed the record. */
  watch(owner: object, consumer: QueueConsumer): void {
    const reader: { owner: object; health: ReaderHealth; code?: string } = { owner, health: 'standby' };
    this.reader = reader;
    this.rejected = undefined; // a new deploy, a new client
    consumer.on('state', (s) => {
      if (this.reader !== reader) return;
      reader.health = s.phase === 'halted' && s.error.kind === 'credentials_rejected' ? 'credentials-rejected' : (HEALTH[s.phase] ?? 'reading');
      reader.code = 'error' in s ? s.error.code : undefined;
      if (reader.health === 'reading') this.rejected = undefined;
      this.changed();
    });
    consumer.on('block', (b) => b.restored || this.receivedSms('poll', b.items.length));
    consumer.on('duplicates', (n) => this.metrics?.duplicates.inc(this.labels(), n));
    consumer.on('error', (e) => this.error(e.code));
    this.changed();
  }

  readerStopped(owner: object): void {
    if (this.reader?.owner !== owner) return;
    this.reader = undefined;
    this.leaseOf = undefined;
    this.metrics?.lease.set(this.labels(), 0);
    this.changed();
  }

  /** The client refuses every call: ThingSpace rejected the credentials. */
  credentialsRejected(code: string): void {
    this.rejected = code;
    this.changed();
  }

  lease(state: LeaseView['state'], holder?: string, code?: string): void {
    if (holder !== undefined) {
      if (this.lastHolder !== undefined && this.lastHolder !== holder) this.metrics?.failovers.inc(this.labels());
      this.lastHolder = holder;
    }
    this.leaseOf = { state, holder, code };
    if (state === 'unavailable' && code) this.error(code);
    this.metrics?.lease.set(this.labels(), state === 'holding' ? 1 : 0);
    this.changed();
  }

  /** A history request ended: `more` is the answer's hasMoreData, undefined when it failed. */
  polled(startedAt: number, seconds: number, more: boolean | undefined): void {
    this.lastPoll = startedAt;
    const outcome = more === undefined ? 'error' : 'ok';
    this.metrics?.requests.inc({ ...this.labels(), outcome });
    this.metrics?.duration.observe({ ...this.labels(), outcome }, seconds);
    if (more !== undefined) {
      this.metrics?.more.set(this.labels(), more ? 1 : 0);
      this.succeeded();
    }
    this.changed();
  }

  receivedSms(source: 'poll' | 'push', n: number): void {
    this.received[source] += n;
    const minute = minuteOf(Date.now());
    this.minutes.set(minute, (this.minutes.get(minute) ?? 0) + n);
    for (const m of this.minutes.keys()) if (m <= minute - MINUTES) this.minutes.delete(m);
    this.metrics?.received.inc({ ...this.labels(), source }, n);
    this.changed();
  }

  acknowledged(n: number): void {
    this.metrics?.acknowledged.inc(this.labels(), n);
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    this.metrics?.errors.inc({ ...this.labels(), code });
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
    if (outcome === 'accepted') this.succeeded();
    else this.error(outcome);
    this.metrics?.sent.inc({ ...this.labels(), outcome });
    this.changed();
  }

  delivery(status: string): void {
    this.metrics?.outcomes.inc({ ...this.labels(), status });
  }

  sendsChanged(): void {
    this.metrics?.depth.set(this.labels(), this.queue?.queued ?? 0);
    this.metrics?.pending.set(this.labels(), this.pending());
    this.changed();
  }

  view() {
    const minute = minuteOf(Date.now());
    const [state, code] = this.health();
    return {
      /** name@host (nodes/lib/client/account.ts). */
      account: this.account,
      runtime: this.runtime,
      state,
      /** backing-off, credentials-rejected, stopped, coordination-unavailable: the error code. */
      code,
      holder: this.leaseOf?.holder,
      /** Epoch ms. */
      lastPoll: this.lastPoll,
      /** Epoch ms of the last successful exchange with ThingSpace. */
      lastSuccess: this.lastSuccess,
      /** SMS received per minute over the last 30 minutes, oldest first. */
      perMinute: Array.from({ length: MINUTES }, (_, i) => this.minutes.get(minute - MINUTES + 1 + i) ?? 0),
      received: { ...this.received },
      errors: { ...this.errors },
      sendsInFlight: this.queue?.inFlight ?? 0,
      outcomesPending: this.pending(),
    };
  }

  /** A refusal or an outage first, then the reader; without a reader here, only sms-out uses the account. */
  private health(): [AccountHealth, string?] {
    const r = this.reader;
    if (r?.health === 'credentials-rejected') return [r.health, r.code];
    if (this.rejected !== undefined) return ['credentials-rejected', this.rejected];
    if (r?.health === 'stopped') return ['stopped', r.code];
    if (this.leaseOf?.state === 'unavailable') return ['coordination-unavailable', this.leaseOf.code];
    return r ? [r.health, r.code] : ['sending'];
  }

  private labels(): { account: string; runtime: string } {
    return { account: this.account, runtime: this.runtime };
  }

  private succeeded(): void {
    this.lastSuccess = Date.now();
    this.metrics?.lastSuccess.set(this.labels(), this.lastSuccess / 1000);
  }

  private pending(): number {
    return [...this.senders.values()].reduce((n, p) => n + p(), 0);
  }
}

/** The runtime's board: the config node's module makes one per runtime (nodes/thingspace-config.ts). */
export class Activity {
  private readonly accounts = new Map<string, AccountFeed>();
  /** Called after every change: the editor's sidebar feed (operations.ts) publishes the board, throttled. */
  onChange = (): void => undefined;
  private readonly changed = (): void => this.onChange();

  constructor(private readonly metrics?: Metrics) {}

  /** The record of an account (made on first use). `runtime`: this runtime's name for it, the
   *  coordination replica id, or (undefined) hostname/pid; a reader's name wins (`reader`). */
  account(key: string, runtime?: string, reader = false): AccountFeed {
    const feed = this.accounts.get(key) ?? new AccountFeed(key, this.changed, this.metrics);
    this.accounts.set(key, feed);
    if (reader || runtime !== undefined) feed.runtime = runtime ?? DEFAULT_RUNTIME;
    return feed;
  }

  /** The accounts some node of the flows uses now. A record outlives a redeploy (its counts go
   *  on): one small object per account the runtime ever used, as the send queues. */
  list(): AccountActivity[] {
    return [...this.accounts.values()].filter((f) => !f.idle).map((f) => f.view());
  }
}

/** The consumer's one call, with each history request timed and counted on `feed`. */
export function timedHistory(api: HistoryApi, feed: AccountFeed): HistoryApi {
  // A request carrying a block's `next` acknowledged that block (docs/thingspace-api.md, "History paging").
  let carried: { next: string; n: number } | undefined;
  return {
    async history(next, opts) {
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
    },
  };
}
