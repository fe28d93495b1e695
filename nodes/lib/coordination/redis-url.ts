// The URL is a plain property, exported with the flow: the password is a credential of its own.
import { CoordinationError } from './errors';

const bad = (message: string): CoordinationError => new CoordinationError(message, 'BAD_CONFIG');

/** `display`: host:port (and /db), for statuses and errors. */
export function checkRedisUrl(raw: string) {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw bad('The coordination Redis URL is not a URL (expected redis://host:6379 or rediss://host:6380)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw bad(`The coordination Redis URL must start with redis:// or rediss:// (TLS), not ${u.protocol}//`);
  }
  if (!u.hostname) throw bad('The coordination Redis URL has no host');
  if (u.password) throw bad('The coordination Redis URL carries a password: put it in the Redis password field instead (a URL is exported with the flow)');
  const db = u.pathname.replace(/^\/+/, '');
  if (db !== '' && !/^\d+$/.test(db)) throw bad(`The coordination Redis URL names database "${db}": a number is expected`);
  const port = u.port || '6379';
  return { url: text, display: `${u.hostname}:${port}${db ? `/${db}` : ''}` };
}

// A Redis Sentinel set: the link asks the sentinels where the primary is and follows a failover.
export type CheckedSentinels = ReturnType<typeof checkSentinels>;
export type SentinelNode = CheckedSentinels['sentinels'][number];

/** Where coordination's Redis is: one server (URL) or a Sentinel set. */
export type RedisTarget = ReturnType<typeof checkRedisUrl> | CheckedSentinels;

const MAX_SENTINELS = 16;

/** `list`: "host:port" pairs separated by commas or spaces ([v6]:port; port 26379 if left out).
 *  `display`, for statuses: the master name, e.g. "mymaster via Sentinel". */
export function checkSentinels(list: string, master: string) {
  const items = list.split(/[\s,]+/).filter((s) => s !== '');
  if (items.length === 0) throw bad('The coordination Sentinels field is empty: list the sentinels as host:26379, one or more, separated by commas');
  if (items.length > MAX_SENTINELS) throw bad(`The coordination Sentinels field lists ${items.length} sentinels: at most ${MAX_SENTINELS}`);
  const sentinels = items.map((item): { host: string; port: number } => {
    if (/[/@]/.test(item)) {
      throw bad(
        `The coordination Sentinels field takes host:port pairs, not "${item.replace(/\/\/[^@/]*@/, '//***@')}" (no scheme, no password: the Sentinel password is a credential)`,
      );
    }
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(item);
    const port = m?.[3] === undefined ? 26379 : Number(m[3]);
    if (!m || port < 1 || port > 65535) throw bad(`The coordination Sentinels field has "${item}": expected host:port, e.g. 10.0.0.5:26379`);
    return { host: m[1] ?? m[2], port };
  });
  const name = master.trim();
  if (name === '') throw bad('The coordination Sentinel master name is empty: give the name the sentinels monitor (sentinel monitor <name> ...)');
  if (!/^[\x21-\x7e]{1,128}$/.test(name)) throw bad('The coordination Sentinel master name must be 1 to 128 printable characters, without spaces');
  return { sentinels, master: name, display: `${name} via Sentinel` };
}
