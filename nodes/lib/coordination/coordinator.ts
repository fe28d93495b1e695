// Coordination across runtimes for one config node: its Redis connection and, per reading node
// (one per account), the lease, the store and the shared push dedupe. Made only when the config
// node's coordination is Redis; the node-red layer wires these to the consumer.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import { accountKeys } from './scripts';
import { AccountLease } from './lease';
import { NodeRedisLink, type LinkOptions, type RedisLink } from './redis-link';
import { RedisConsumerStore, SharedPushDedupe } from './redis-store';
import { ReplicaSet } from './replicas';

export interface CoordinationSettings extends LinkOptions {
  /** Prepended to every key, e.g. "thingspace-sms:". */
  prefix: string;
  /** Names this runtime to the others; default hostname/pid. */
  runtime?: string;
}

const CONNECT_WAIT_MS = 3000;

/** A runtime's Redis connections (per address and password) and its one replica set per
 *  connection and key prefix, shared by its config nodes (nodes/lib/node-red/runtime-share.ts). */
export class RedisPool {
  private readonly links = new Map<string, NodeRedisLink>();
  private readonly sets = new WeakMap<RedisLink, Map<string, ReplicaSet>>();

  /** One connection per address and passwords (hashed into its key); each open is matched by a release(). */
  open(opts: LinkOptions): RedisLink {
    const id = `${JSON.stringify(opts.url)}\0${createHash('sha256')
      .update(`${opts.password ?? ''}\0${opts.sentinelPassword ?? ''}`)
      .digest('hex')}`;
    let link = this.links.get(id);
    if (!link || link.closed) this.links.set(id, (link = new NodeRedisLink(opts, () => this.links.delete(id))));
    link.users++;
    return link;
  }

  replicaSet(link: RedisLink, prefix: string, label: string, ttlMs: number): ReplicaSet {
    let byPrefix = this.sets.get(link);
    if (!byPrefix) this.sets.set(link, (byPrefix = new Map()));
    let set = byPrefix.get(prefix);
    if (!set || set.stopped) byPrefix.set(prefix, (set = new ReplicaSet(link, prefix, label, ttlMs)));
    return set;
  }
}

export type Reader = ReturnType<Coordinator['reader']>;

export class Coordinator {
  readonly runtime: string;
  private readonly link: RedisLink;

  constructor(
    readonly settings: CoordinationSettings,
    private readonly pool: RedisPool,
  ) {
    this.runtime = settings.runtime?.trim() || `${os.hostname()}/${process.pid}`;
    this.link = pool.open(settings);
  }

  /** The lease, store and push dedupe of an account (its key, server and name: nodes/lib/client/account.ts),
   *  for one reading node; close() gives the lease back (once the reader stopped) and the connection.
   *  `retryMs`: how often a standby tries to take the lease. */
  reader(account: string, retryMs: number, log?: (level: 'info' | 'warn', text: string) => void) {
    const { prefix, leaseMs } = this.settings;
    const link = this.pool.open(this.settings);
    const keys = accountKeys(prefix, account);
    const replicas = this.pool.replicaSet(link, prefix, this.runtime, leaseMs);
    const lease = new AccountLease({ link, keys, replicas, ttlMs: leaseMs, retryMs, log });
    return {
      lease,
      store: new RedisConsumerStore(link, keys, lease),
      push: new SharedPushDedupe(link, keys),
      close: async (): Promise<void> => {
        await lease.stop();
        link.release();
      },
    };
  }

  /** The refused logins shared by the replicas (docs/architecture.md, "Client"), on this config node's connection, so a
   *  password one saw refused is not tried by another: salted hashes and counts, never a password. */
  refusals() {
    const key = (server: string, user: string): string => `${this.settings.prefix}refused-login:${server}|${user}`;
    return {
      get: async (server: string, user: string): Promise<string | undefined> => {
        // Right after a deploy: a login without the replicas' refusals may repeat one of them.
        if (this.link.connecting) {
          const signal = AbortSignal.timeout(CONNECT_WAIT_MS);
          await Promise.race([once(this.link, 'up', { signal }), once(this.link, 'down', { signal })]).catch(() => undefined);
        }
        const v = await this.link.call(['GET', key(server, user)]);
        return typeof v === 'string' ? v : undefined;
      },
      set: async (server: string, user: string, text: string): Promise<void> => void (await this.link.call(['SET', key(server, user), text])),
      delete: async (server: string, user: string): Promise<void> => void (await this.link.call(['DEL', key(server, user)])),
    };
  }

  close(): void {
    this.link.release();
  }
}
