// The replicas of a runtime's flows that coordinate through one Redis and key prefix, and
// the fair share of leases each should hold: accounts divided by live replicas, rounded
// up. Each runtime announces itself (and the accounts it reads) with a heartbeat; one that
// stops announcing drops out after a lease time, and its accounts are shared among the rest.
import { randomBytes } from 'node:crypto';
import type { AccountLease } from './lease';
import type { RedisLink } from './redis-link';
import { HEARTBEAT } from './scripts';

type Member = Pick<AccountLease, 'tag' | 'holding'>;

export class ReplicaSet {
  /** Unique per runtime and set, though two runtimes may share a label. */
  readonly id: string;
  private readonly members = new Set<Member>();
  private replicas = 1;
  private accounts = 0;
  private timer: NodeJS.Timeout | undefined;
  stopped = false;

  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
    readonly label: string,
    private readonly ttlMs: number,
  ) {
    this.id = `${label}#${randomBytes(4).toString('hex')}`;
  }

  add(member: Member): void {
    this.members.add(member);
    if (this.members.size === 1) this.beat();
  }

  remove(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  get held(): number {
    return [...this.members].filter((m) => m.holding).length;
  }

  /** The most leases this runtime should hold: at least one. */
  get share(): number {
    const accounts = Math.max(this.accounts, this.members.size);
    return Math.max(1, Math.ceil(accounts / Math.max(1, this.replicas)));
  }

  /** Announces this runtime and its accounts; learns how many replicas and accounts there are. */
  async beat(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.beat(), this.ttlMs / 3);
    if (!this.link.up) return;
    try {
      const tags = [...new Set([...this.members].map((m) => m.tag))];
      const r = (await this.link.run(HEARTBEAT, [`${this.prefix}replicas`, `${this.prefix}accounts`], [this.id, this.ttlMs, ...tags])) as [number, number];
      this.replicas = Number(r[0]) || 1;
      this.accounts = Number(r[1]) || 0;
    } catch {
      // The leases see the same fault and report it; the counts stay as last known.
    }
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    // Said at once, so the others' share grows now rather than after a lease time.
    if (this.link.up) this.link.call(['ZREM', `${this.prefix}replicas`, this.id]).catch(() => undefined);
  }
}
