// The one check of a coordination Redis URL: redis:// or rediss:// (TLS), a host, and no
// password in it (the URL is a plain property, exported with the flow; the password is a
// credential of its own).
import { CoordinationError } from './errors';

export interface CheckedRedisUrl {
  url: string;
  /** host:port (and /db), for statuses and errors. */
  display: string;
  tls: boolean;
}

export function checkRedisUrl(raw: string): CheckedRedisUrl {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new CoordinationError('The coordination Redis URL is not a URL (expected redis://host:6379 or rediss://host:6380)', 'BAD_CONFIG');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new CoordinationError(`The coordination Redis URL must start with redis:// or rediss:// (TLS), not ${u.protocol}//`, 'BAD_CONFIG');
  }
  if (!u.hostname) throw new CoordinationError('The coordination Redis URL has no host', 'BAD_CONFIG');
  if (u.password) {
    throw new CoordinationError('The coordination Redis URL carries a password: put it in the Redis password field instead (a URL is exported with the flow)', 'BAD_CONFIG');
  }
  const db = u.pathname.replace(/^\/+/, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new CoordinationError(`The coordination Redis URL names database "${db}": a number is expected`, 'BAD_CONFIG');
  const port = u.port || '6379';
  return { url: text, display: `${u.hostname}:${port}${db ? `/${db}` : ''}`, tls: u.protocol === 'rediss:' };
}
