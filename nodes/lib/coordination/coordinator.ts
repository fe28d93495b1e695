// Coordination across runtimes for one config node: its Redis connection and, per reading node
// (one per account), the lease, the store and the shared push dedupe. Made only when the config
// node's coordination is Redis; the node-red layer wires these to the consumer.
import os from 'node:os';
import { accountKeys, replicaKeys } from './scripts';
import { AccountLease } from './lease';
import { openLink, type LinkOptions, type RedisLink } from './redis-link';
import type { RedisTarget } from './redis-url';
import { RedisConsumerStore, SharedPushDedupe } from './redis-store';
import { RedisRefusals } from './redis-refusals';
import { replicaSet } from './replicas';

export interface CoordinationSettings {
  /** Where Redis is: a URL, or a Sentinel set (checkRedisUrl, checkSentinels). */
  url: RedisTarget;
  password?: string;
  sentinelPassword?: string;
  /** Prepended to every key, e.g. "thingspace-sms:". */
  prefix: string;
  leaseMs: number;
  /** Names this runtime to the others; default hostname/pid. */
  runtime?: string;
}

export interface Reader {
  lease: AccountLease;
  store: RedisConsumerStore;
  push: SharedPushDedupe;
  /** Gives the lease back (once the reader stopped) and the connection. */
  close(): Promise<void>;
}

export type OpenLink = (opts: LinkOptions) => RedisLink;

export function defaultRuntimeName(): string {
  return `${os.hostname()}/${process.pid}`;
}

export class Coordinator {
  readonly runtime: string;
  private readonly link: RedisLink;

  constructor(
    readonly settings: CoordinationSettings,
    private readonly open: OpenLink = openLink,
  ) {
    this.runtime = settings.runtime?.trim() || defaultRuntimeName();
    this.link = open(this.linkOptions());
  }

  /** Where Redis is, for statuses: host:port or the Sentinel master name, never a password. */
  get where(): string {
    return this.settings.url.display;
  }

  /** The lease, store and push dedupe of an account (its key, server and name: nodes/lib/client/account.ts),
   *  for one reading node. `retryMs`: how often a standby tries to take the lease. */
  reader(account: string, retryMs: number, log?: (level: 'info' | 'warn', text: string) => void): Reader {
    const { prefix, leaseMs } = this.settings;
    const link = this.open(this.linkOptions());
    const keys = accountKeys(prefix, account);
    const replicas = replicaSet(link, replicaKeys(prefix), this.runtime, leaseMs);
    const lease = new AccountLease({ link, keys, replicas, ttlMs: leaseMs, retryMs, log });
    return {
      lease,
      store: new RedisConsumerStore(link, keys, lease),
      push: new SharedPushDedupe(link, keys),
      close: async () => {
        await lease.stop();
        link.release();
      },
    };
  }

  /** The refused logins every replica checks before a login (on this config node's connection). */
  refusals(): RedisRefusals {
    return new RedisRefusals(this.link, this.settings.prefix);
  }

  close(): void {
    this.link.release();
  }

  private linkOptions(): LinkOptions {
    // A command that takes a third of the lease is as good as failed.
    const { url, password, sentinelPassword } = this.settings;
    return { url, password, sentinelPassword, timeoutMs: Math.max(200, Math.min(5000, this.settings.leaseMs / 3)) };
  }
}
