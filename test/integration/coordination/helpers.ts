// Runtimes played inside one test process: each has its own connection pool (so its own
// replica heartbeat), as separate Node-RED processes would.
import { accountKey } from '../../../nodes/lib/client/account';
import { Coordinator, RedisPool, type CoordinationSettings, type Reader } from '../../../nodes/lib/coordination/coordinator';
import type { LeaseView } from '../../../nodes/lib/coordination/lease';
import { checkRedisUrl, type RedisTarget } from '../../../nodes/lib/coordination/redis-url';

export const SERVER = 'http://127.0.0.1:9';
export const ACCOUNT = '0000123456-00001';

export interface PlayedRuntime {
  coordinator: Coordinator;
  readers: Reader[];
  reader(account?: string, retryMs?: number): Reader;
  close(): Promise<void>;
}

/** `url`: a redis:// URL, or a checked target (a Sentinel set: checkSentinels). */
export function runtime(name: string, url: string | RedisTarget, opts: Partial<CoordinationSettings> = {}): PlayedRuntime {
  const coordinator = new Coordinator(
    { url: typeof url === 'string' ? checkRedisUrl(url) : url, prefix: 'test:', leaseMs: 1500, runtime: name, ...opts },
    new RedisPool(),
  );
  const readers: Reader[] = [];
  return {
    coordinator,
    readers,
    reader(account = ACCOUNT, retryMs = 200) {
      const r = coordinator.reader(accountKey(SERVER, account), retryMs);
      readers.push(r);
      return r;
    },
    async close() {
      await Promise.all(readers.map((r) => r.close()));
      coordinator.close();
    },
  };
}

/** Resolves with the first view the lease shows that `match` accepts (the current one included). */
export function viewOf(reader: Reader, match: (v: LeaseView) => boolean, timeoutMs = 10_000): Promise<LeaseView> {
  if (match(reader.lease.view)) return Promise.resolve(reader.lease.view);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.lease.off('change', on);
      reject(new Error(`lease view never matched; last: ${JSON.stringify(reader.lease.view)}`));
    }, timeoutMs);
    const on = (v: LeaseView): void => {
      if (!match(v)) return;
      clearTimeout(timer);
      reader.lease.off('change', on);
      resolve(v);
    };
    reader.lease.on('change', on);
  });
}

export const holding = (v: LeaseView): boolean => v.state === 'holding';
