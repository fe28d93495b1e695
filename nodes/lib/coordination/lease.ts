// The lease of one account: only its holder reads the queue. ThingSpace takes any `next` from anyone,
// so fencing is ours: a confirm counts only if answered well within the lease time since it was sent.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { ReaderGate } from '../consumer/types';
import { CoordinationError } from './errors';
import type { RedisLink } from './redis-link';
import type { ReplicaSet } from './replicas';
import { ACQUIRE, FENCED, STATE_TTL_MS, type AccountKeys } from './scripts';

export type LeaseView =
  | { state: 'holding'; epoch: number; runtime: string }
  | { state: 'standby'; holder?: string; epoch?: number }
  | { state: 'unavailable'; error: CoordinationError };

interface LeaseOptions {
  link: RedisLink;
  keys: AccountKeys;
  replicas: ReplicaSet;
  ttlMs: number;
  /** How often a runtime without the lease tries to take it. */
  retryMs: number;
  /** A monotonic clock in ms (default performance.now). */
  now?: () => number;
  log?: (level: 'info' | 'warn', text: string) => void;
}

type Tenure = { value: string; epoch: number };

/** A lease is taken from a free key only after it was seen free this often by a runtime at its fair share. */
const FREE_SIGHTINGS = 2;

export class AccountLease extends EventEmitter<{ change: [view: LeaseView] }> implements ReaderGate {
  readonly tag: string;
  /** Called before the lease is given up: resolves once the reader has stopped reading. */
  yieldReader: () => Promise<void> = () => Promise.resolve();
  private readonly token = randomBytes(6).toString('hex');
  private readonly now: () => number;
  private readonly margin: number;
  private phase: 'idle' | 'holding' | 'releasing' | 'standby' | 'stopped' = 'idle';
  /** The lease value ("epoch|token|runtime") and its epoch, while held. */
  private tenure: Tenure | undefined;
  private validUntil = 0;
  /** When the command that last confirmed, renewed or took the lease was sent. */
  private confirmedAt = -Infinity;
  private freeSeen = 0;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  view: LeaseView = { state: 'standby' };
  private readonly onDown = (error: CoordinationError): void => this.fault(error);
  private readonly onUp = (): void => {
    if (this.phase === 'standby') void this.attempt();
  };

  constructor(private readonly opts: LeaseOptions) {
    super();
    this.tag = opts.keys.tag;
    this.now = opts.now ?? (() => performance.now());
    // Redis expires keys to the millisecond; our clock and the reply's trip are the slack.
    this.margin = Math.max(50, opts.ttlMs / 10);
  }

  get holding(): boolean {
    return this.phase === 'holding';
  }

  /** What fenced writes check: the lease value, while held. */
  fence(): Tenure | undefined {
    return this.phase === 'holding' ? this.tenure : undefined;
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'standby';
    this.opts.link.on('down', this.onDown);
    this.opts.link.on('up', this.onUp);
    this.opts.replicas.add(this);
    void this.attempt();
  }

  /** ReaderGate: still ours, and `next` recorded? Never throws. */
  confirm(next: string | undefined): Promise<boolean> {
    return this.extend(['next', next ?? '']);
  }

  /** ReaderGate: confirmed by a command sent within the renewal period, so it may still authorise a request. */
  fresh(): boolean {
    return this.phase === 'holding' && this.now() - this.confirmedAt < this.opts.ttlMs / 3;
  }

  /** Stops trying; gives the lease back if held, once the reader has stopped reading. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    const tenure = this.tenure;
    this.phase = 'stopped';
    this.tenure = undefined;
    this.clearTimers();
    this.opts.link.off('down', this.onDown);
    this.opts.link.off('up', this.onUp);
    this.opts.replicas.remove(this);
    if (tenure === undefined) return;
    await this.yieldReader();
    await this.release(tenure, 'stopped');
  }

  /** Stopped, or holding by another path, meanwhile: what an attempt found is out of date. */
  private movedOn(): boolean {
    return this.phase === 'stopped' || this.phase === 'holding' || this.phase === 'releasing';
  }

  private async attempt(): Promise<void> {
    this.clearTimers();
    if (this.movedOn()) return;
    const { link, keys, replicas, ttlMs } = this.opts;
    if (!link.up && link.connecting) return; // its 'up' (or its failure) comes next
    if (!link.up) return this.linkDown();
    const take = replicas.held < replicas.share || this.freeSeen >= FREE_SIGHTINGS;
    const sentAt = this.now();
    let r: [unknown, unknown];
    try {
      r = (await link.run(ACQUIRE, [keys.lease, keys.epoch], [this.token, ttlMs, replicas.label.replace(/\|/g, '/'), take ? '1' : '0'])) as [unknown, unknown];
    } catch (err) {
      this.fault(err as CoordinationError);
      return;
    }
    if (this.movedOn()) return;
    const value = String(r[1] ?? '');
    if (Number(r[0]) === 1) {
      const [epoch, , runtime] = split(value);
      this.tenure = { value, epoch };
      this.phase = 'holding';
      this.freeSeen = 0;
      this.held(sentAt);
      this.opts.log?.('info', `took the lease of ${this.tag} (epoch ${epoch}, ${runtime})`);
      this.show({ state: 'holding', epoch, runtime });
      return;
    }
    this.freeSeen = value === '' ? this.freeSeen + 1 : 0;
    const [epoch, , holder] = split(value);
    this.standBy(this.opts.retryMs, value === '' ? { state: 'standby' } : { state: 'standby', holder, epoch });
  }

  /** The lease was confirmed (or taken) by a command sent at `sentAt`. */
  private held(sentAt: number): void {
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    this.validUntil = sentAt + this.opts.ttlMs - this.margin;
    if (!this.timer) this.later(() => this.renew(), this.opts.ttlMs / 3);
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.expired(), Math.max(0, this.validUntil - this.now()));
  }

  private async renew(): Promise<void> {
    this.timer = undefined;
    if ((await this.extend([])) && this.opts.replicas.held > this.opts.replicas.share) void this.shed();
  }

  /** Renews the held lease, writing `fields` to the state with it: true if Redis said yes for this tenure, in time. */
  private async extend(fields: string[]): Promise<boolean> {
    const fence = this.fence();
    if (!fence) return false;
    const { link, keys, ttlMs } = this.opts;
    const sentAt = this.now();
    let r: unknown;
    try {
      r = await link.run(FENCED, [keys.lease, keys.state], [fence.value, ttlMs, fence.epoch, STATE_TTL_MS, ...fields]);
    } catch (err) {
      this.fault(err as CoordinationError);
      return false;
    }
    if (this.tenure !== fence || this.phase !== 'holding') return false;
    const took = this.now() - sentAt;
    if (Number(r) !== 1) this.lost('another runtime holds it now');
    // Answered too late to be sure the lease was still ours (a paused runtime, a slow Redis): as if lost.
    else if (took >= ttlMs - this.margin) this.lost(`the confirmation took ${Math.round(took)} ms`);
    else this.held(sentAt);
    return this.phase === 'holding';
  }

  /** The local deadline passed without a renewal that came back in time. */
  private expired(): void {
    if (this.phase !== 'holding' || this.now() < this.validUntil) return;
    if (!this.opts.link.up) this.linkDown();
    else this.lost('not renewed in time');
  }

  private linkDown(): void {
    this.fault(this.opts.link.error ?? new CoordinationError('Redis: not connected'));
  }

  /** More leases here than this runtime's share: hand this one over. */
  private async shed(): Promise<void> {
    const tenure = this.fence();
    if (tenure === undefined) return;
    this.phase = 'releasing';
    this.clearTimers();
    this.show({ state: 'standby' });
    await this.yieldReader();
    if (this.phase !== 'releasing') return;
    await this.release(tenure, `more than this runtime's share of ${this.opts.replicas.share}`);
    if (this.phase === 'releasing') this.standBy(this.opts.retryMs);
  }

  private async release({ value, epoch }: Tenure, why: string): Promise<void> {
    try {
      await this.opts.link.run(FENCED, [this.opts.keys.lease, this.opts.keys.state], [value, 0, '', '']);
      this.opts.log?.('info', `gave back the lease of ${this.tag} (epoch ${epoch}): ${why}`);
    } catch {
      // It expires by itself within the lease time.
    }
  }

  private lost(why: string): void {
    this.opts.log?.('warn', `lost the lease of ${this.tag} (epoch ${this.tenure?.epoch}): ${why}`);
    this.standBy(Math.min(this.opts.retryMs, this.opts.ttlMs / 3), { state: 'standby' });
  }

  /** Redis failed a command (the store reports its own): stand by until it answers. */
  fault(error: CoordinationError): void {
    if (this.phase === 'stopped' || this.phase === 'releasing') return;
    if (this.phase === 'holding')
      this.opts.log?.('warn', `cannot confirm the lease of ${this.tag} (epoch ${this.tenure?.epoch}): ${error.message}; not reading until it can`);
    const same = this.view.state === 'unavailable' && this.view.error.message === error.message;
    this.standBy(this.opts.retryMs, same ? undefined : { state: 'unavailable', error });
  }

  /** Not holding: the reader stands by (showing `view`, if given) and the lease is tried again in `ms`. */
  private standBy(ms: number, view?: LeaseView): void {
    this.tenure = undefined;
    this.phase = 'standby';
    this.clearTimers();
    if (view) this.show(view);
    this.later(() => this.attempt(), ms);
  }

  private show(view: LeaseView): void {
    this.view = view;
    this.emit('change', view);
  }

  private later(fn: () => Promise<void> | void, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void fn(), ms);
  }

  private clearTimers(): void {
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    this.timer = undefined;
    this.watchdog = undefined;
  }
}

/** "epoch|token|runtime" (the runtime's own '|' are replaced on acquire). */
function split(value: string): [number, string, string] {
  const [epoch, token = '', runtime = ''] = value.split('|');
  return [Number(epoch) || 0, token, runtime];
}
