// One connection to Redis (or Valkey) per URL and password in a runtime, shared by every
// config node that coordinates through it. `redis` (node-redis) is required here only, when
// the first coordinated config node starts: without coordination it is never loaded.
//
// Commands are not queued while the connection is down (disableOfflineQueue): a confirm
// that ran late would answer for a moment that has passed. They fail at once instead, and
// the connection comes back by itself (reconnect every 100 ms doubling to 2 s).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CoordinationError } from './errors';
import type { CheckedRedisUrl } from './redis-url';
import type { Script } from './scripts';

export type LinkEvents = {
  /** Connected and authenticated. */
  up: [];
  /** Lost, or could not connect: why (no password in it). */
  down: [error: CoordinationError];
};

/** What coordination needs of a Redis connection (a fake stands in for it in unit tests). */
export interface RedisLink extends EventEmitter<LinkEvents> {
  readonly up: boolean;
  /** Still making its first connection: not yet a fault to report. */
  readonly connecting: boolean;
  /** Why the connection is down, while it is. */
  readonly error: CoordinationError | undefined;
  /** Runs a script (EVALSHA, loading it on NOSCRIPT). Rejects with a CoordinationError. */
  run(script: Script, keys: string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Gives the connection back: closed when its last user gave it back. */
  release(): void;
}

export interface LinkOptions {
  url: CheckedRedisUrl;
  password?: string;
  /** A command not answered within this long fails (the connection is then suspect). */
  timeoutMs: number;
}

interface MinimalClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  destroy(): void;
}

/** Connections shared per URL and password: a runtime is one pool (a test may make several,
 *  one per runtime it plays). Each open must be matched by a release(). */
export function linkPool(): (opts: LinkOptions) => RedisLink {
  const links = new Map<string, NodeRedisLink>();
  return (opts) => {
    const id = `${opts.url.url}\0${createHash('sha256').update(opts.password ?? '').digest('hex')}`;
    let link = links.get(id);
    if (!link || link.closed) {
      link = new NodeRedisLink(opts, () => links.delete(id));
      links.set(id, link);
    }
    link.users++;
    return link;
  };
}

/** This runtime's connections. */
export const openLink = linkPool();

class NodeRedisLink extends EventEmitter<LinkEvents> implements RedisLink {
  users = 0;
  closed = false;
  up = false;
  connecting = true;
  error: CoordinationError | undefined;
  private readonly client: MinimalClient;
  private readonly where: string;

  constructor(
    private readonly opts: LinkOptions,
    private readonly forget: () => void,
  ) {
    super();
    this.setMaxListeners(0);
    this.where = `Redis at ${opts.url.display}`;
    this.error = new CoordinationError(`${this.where}: connecting`);
    // Lazy on purpose: the package loads no Redis client unless coordination is on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createClient } = require('redis') as { createClient: (o: object) => MinimalClient };
    this.client = createClient({
      url: opts.url.url,
      password: opts.password || undefined,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(1000, opts.timeoutMs),
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      },
    });
    this.client.on('ready', () => {
      this.up = true;
      this.connecting = false;
      this.error = undefined;
      this.emit('up');
    });
    this.client.on('error', (err: unknown) => this.down(this.explain(err)));
    this.client.on('end', () => this.down(new CoordinationError(`${this.where}: connection closed`)));
    this.client.connect().catch((err: unknown) => this.down(this.explain(err)));
  }

  async run(script: Script, keys: string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    if (!this.up) throw this.error ?? new CoordinationError(`${this.where}: not connected`);
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await this.send(['EVALSHA', script.sha, ...tail]);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw this.explain(err);
    }
    try {
      return await this.send(['EVAL', script.source, ...tail]);
    } catch (err) {
      throw this.explain(err);
    }
  }

  release(): void {
    if (--this.users > 0 || this.closed) return;
    this.closed = true;
    this.up = false;
    this.forget();
    this.removeAllListeners();
    try {
      this.client.destroy();
    } catch {
      // already closed
    }
  }

  private send(args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CoordinationError(`${this.where}: no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
      this.client.sendCommand(args).then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private down(error: CoordinationError): void {
    if (this.closed) return;
    this.connecting = false;
    // Said once per outage and reason: a reconnect loop repeats the same error every 2 s.
    const changed = this.up || this.error?.message !== error.message;
    this.up = false;
    this.error = error;
    if (changed) this.emit('down', error);
  }

  /** A failure of the client, said plainly, with no secret in it. */
  private explain(err: unknown): CoordinationError {
    if (err instanceof CoordinationError) return err;
    const raw = err instanceof Error ? err.message : String(err);
    let why: string;
    if (/WRONGPASS|invalid password|invalid username-password/i.test(raw)) why = 'Redis refused the password (WRONGPASS): check the Redis password of the config node';
    else if (/NOAUTH/i.test(raw)) why = 'Redis asks for a password (NOAUTH): set the Redis password of the config node';
    else if (/Unknown RESP type|Protocol error|RESP/i.test(raw)) why = 'the server at this address does not answer in the Redis protocol (is it Redis?)';
    else if (/ECONNREFUSED/.test(raw)) why = 'connection refused (is Redis running there?)';
    else if (/ENOTFOUND|EAI_AGAIN/.test(raw)) why = 'host not found';
    else if (/ETIMEDOUT|timeout/i.test(raw)) why = 'no answer in time';
    else if (/closed unexpectedly|socket closed|ECONNRESET/i.test(raw)) why = 'connection lost (is Redis running?)';
    else if (/offline|closed/i.test(raw)) why = 'not connected';
    else why = raw;
    if (this.opts.password) why = why.split(this.opts.password).join('***');
    return new CoordinationError(`${this.where}: ${why}`);
  }
}
