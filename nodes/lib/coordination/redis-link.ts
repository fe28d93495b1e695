// One connection to Redis (or Valkey) per address and password in a runtime (its RedisPool). Commands fail at once
// while it is down, never queued (a late confirm would answer for a moment that has passed); it reconnects by itself
// (100 ms doubling to 2 s). With a Sentinel set, createSentinel only finds the primary and follows a failover; our own
// client talks to the primary (the Sentinel client would queue commands through a failover).
import { EventEmitter } from 'node:events';
import { CoordinationError, type SentinelFault } from './errors';
import type { CheckedSentinels, RedisTarget, SentinelNode } from './redis-url';
import type { Script } from './scripts';

export type LinkEvents = {
  /** Connected and authenticated. */
  up: [];
  /** Lost, or could not connect: why (no password in it). */
  down: [error: CoordinationError];
};

/** What coordination needs of a Redis connection (a fake stands in for it in unit tests). */
export type RedisLink = EventEmitter<LinkEvents> & Pick<NodeRedisLink, 'up' | 'connecting' | 'error' | 'run' | 'call' | 'release'>;

export interface LinkOptions {
  /** Where Redis is: a URL, or a Sentinel set (checkRedisUrl, checkSentinels). */
  url: RedisTarget;
  password?: string;
  /** The sentinels' own password (requirepass of the sentinels), if they have one. */
  sentinelPassword?: string;
  /** A command not answered within a third of it fails: as good as failed, the connection is then suspect. */
  leaseMs: number;
}

type Redis = typeof import('redis');
type Client = import('redis').RedisClientType;
type Sentinel = import('redis').RedisSentinelType;

/** What a client error means. In a Sentinel set, true and 'said' are signs of a failover ('said': the text says so). */
const LINK_FAULTS: Array<[RegExp, string, boolean | 'said']> = [
  [/WRONGPASS|invalid password|invalid username-password/i, 'Redis refused the password (WRONGPASS): check the Redis password of the config node', false],
  [/NOAUTH/i, 'Redis asks for a password (NOAUTH): set the Redis password of the config node', false],
  [/^READONLY/, 'this server is a replica now (READONLY): a failover moved the primary', 'said'],
  [/NOREPLICAS/, 'the primary has lost its replicas and refuses writes (min-replicas-to-write)', 'said'],
  [/Unknown RESP type|Protocol error|RESP/i, 'the server at this address does not answer in the Redis protocol (is it Redis?)', true],
  [/ECONNREFUSED/, 'connection refused (is Redis running there?)', true],
  [/ENOTFOUND|EAI_AGAIN/, 'host not found', true],
  [/^Command timed out/, 'no answer in time (a command timed out)', false],
  [/ETIMEDOUT|timeout/i, 'no answer in time', true],
  [/closed unexpectedly|socket closed|ECONNRESET/i, 'connection lost (is Redis running?)', true],
  [/offline|closed/i, 'not connected', true],
];

/** What the sentinels' errors mean, and which the statuses name. */
const SENTINEL_FAULTS: Array<[RegExp, string, SentinelFault?]> = [
  [/No such master with that name/i, 'the sentinels monitor no master named "{master}": check the master name', 'unknown-master'],
  [/WRONGPASS|invalid password|invalid username-password/i, 'a sentinel refused the password: check the Sentinel password of the config node'],
  [/NOAUTH/i, 'the sentinels ask for a password (NOAUTH): set the Sentinel password of the config node'],
  [/without any password configured|AUTH.*no password/i, 'the sentinels have no password: leave the Sentinel password empty'],
  [/no valid master node/i, 'the sentinels know the master but no primary is up now (down, or a failover in progress)'],
  [/ECONNREFUSED|None of the sentinels|connect to any sentinel/i, 'no sentinel answers (connection refused): are they running there?', 'no-sentinel'],
  [/ENOTFOUND|EAI_AGAIN/, 'a sentinel host was not found', 'no-sentinel'],
  [/ETIMEDOUT|timeout/i, 'no sentinel answers in time', 'no-sentinel'],
];

export class NodeRedisLink extends EventEmitter<LinkEvents> {
  users = 0;
  closed = false;
  up = false;
  /** Still making its first connection: not yet a fault to report. */
  connecting = true;
  error: CoordinationError | undefined;
  private readonly redis: Pick<Redis, 'createClient' | 'createSentinel'>;
  private readonly timeoutMs: number;
  private client: Client | undefined;
  private where: string;
  /** Sentinel mode: the set, its watcher, the primary our client talks to ("host:port"). */
  private readonly set: CheckedSentinels | undefined;
  private sentinel: Sentinel | undefined;
  private primary: string | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** What the current watcher's sentinels last said went wrong. */
  private said: CoordinationError | undefined;

  constructor(
    private readonly opts: LinkOptions,
    private readonly forget: () => void,
  ) {
    super();
    this.setMaxListeners(0);
    // Lazy on purpose: the package loads no Redis client unless coordination is on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createClient, createSentinel } = require('redis') as Redis;
    this.redis = { createClient, createSentinel };
    this.timeoutMs = Math.round(Math.max(200, Math.min(5000, opts.leaseMs / 3)));
    const t = opts.url;
    if ('sentinels' in t) {
      this.set = t;
      this.where = `Redis Sentinel master "${t.master}" (sentinels ${t.sentinels.map((n) => `${n.host}:${n.port}`).join(', ')})`;
      this.error = new CoordinationError(`${this.where}: asking the sentinels for the primary`);
      this.watch();
    } else {
      this.where = `Redis at ${t.display}`;
      this.error = new CoordinationError(`${this.where}: connecting`);
      this.open({ url: t.url });
    }
  }

  /** Rejects with a CoordinationError, as call() does. */
  run(script: Script, keys: string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return this.call(['EVAL', script.source, keys.length, ...keys, ...args]);
  }

  /** Sends one command; fails at once while down, and when not answered within the timeout. */
  async call(args: ReadonlyArray<string | number>): Promise<unknown> {
    if (!this.up || !this.client) throw this.error ?? new CoordinationError(`${this.where}: not connected`);
    try {
      return await this.client.sendCommand(args.map(String), { timeout: this.timeoutMs, rejectInFlight: true });
    } catch (err) {
      throw this.explain(err);
    }
  }

  /** Gives the connection back: closed when its last user gave it back. */
  release(): void {
    if (--this.users > 0 || this.closed) return;
    this.closed = true;
    this.up = false;
    this.forget();
    this.removeAllListeners();
    clearTimeout(this.retry);
    this.drop();
    this.sentinel?.destroy().catch(() => undefined);
    this.sentinel = undefined;
  }

  private open(to: { url: string } | SentinelNode): void {
    const client = this.redis.createClient({
      ...('url' in to ? { url: to.url } : {}),
      password: this.opts.password || undefined,
      disableOfflineQueue: true,
      socket: {
        ...('url' in to ? {} : { host: to.host, port: to.port }),
        connectTimeout: Math.max(1000, this.timeoutMs),
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      },
    });
    this.client = client;
    // Events of a client replaced meanwhile (the primary moved) are not ours any more.
    const mine = (): boolean => this.client === client && !this.closed;
    client.on('ready', () => {
      if (!mine()) return;
      this.up = true;
      this.connecting = false;
      this.error = undefined;
      this.emit('up');
    });
    client.on('error', (err: unknown) => mine() && this.down(this.explain(err)));
    client.on('end', () => mine() && this.down(new CoordinationError(`${this.where}: connection closed`, undefined, this.set && 'failover')));
    client.connect().catch((err: unknown) => mine() && this.down(this.explain(err)));
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    client?.destroy(); // idempotent (node-redis 6.4)
  }

  /** Sentinel mode: a watcher that reports the primary at once and each time it moves. It
   *  gives up after its own retries (its connect() rejects): a new one starts 2 s later. */
  private watch(): void {
    const set = this.set!;
    const socket = { connectTimeout: Math.max(1000, this.timeoutMs) };
    const sentinel = this.redis.createSentinel({
      name: set.master,
      sentinelRootNodes: set.sentinels,
      // Its own connection to the primary stays idle: our commands go over `client`.
      nodeClientOptions: { password: this.opts.password || undefined, socket },
      sentinelClientOptions: { password: this.opts.sentinelPassword || undefined, socket },
      // A topology scan now and then, in case a switch-master notice was missed.
      scanInterval: 5000,
    });
    this.sentinel = sentinel;
    this.said = undefined;
    const mine = (): boolean => this.sentinel === sentinel && !this.closed;
    sentinel.on('topology-change', (e: { type: string; node?: SentinelNode }) => {
      if (mine() && e.type === 'MASTER_CHANGE' && e.node) this.follow(e.node);
    });
    // Discovery faults matter while no primary is known; our client speaks for it otherwise.
    sentinel.on('error', (err: unknown) => {
      if (!mine() || this.primary !== undefined) return;
      this.said = this.explainSentinel(err);
      this.down(this.said);
    });
    sentinel.on('client-error', () => undefined);
    sentinel.connect().catch((err: unknown) => {
      if (!mine()) return;
      // Its final error ("none available") says less than what the sentinels said before it.
      if (this.primary === undefined) this.down(this.said ?? this.explainSentinel(err));
      this.sentinel = undefined;
      this.retry = setTimeout(() => this.watch(), 2000);
    });
  }

  /** The sentinels name `node` the primary: talk to it (a failover when it moved). */
  private follow(node: SentinelNode): void {
    const at = `${node.host}:${node.port}`;
    if (at === this.primary) return;
    const from = this.primary;
    const master = `Sentinel master "${this.set!.master}"`;
    this.primary = at;
    this.where = `Redis primary ${at} of ${master}`;
    const moved = `Redis ${master}: failover, the primary moved from ${from} to ${at}; connecting to it`;
    if (from !== undefined) this.down(new CoordinationError(moved, undefined, 'failover'));
    this.drop();
    this.open(node);
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
    const [, said, sign] = LINK_FAULTS.find(([re]) => re.test(raw)) ?? [undefined, raw, false];
    // In a Sentinel set, a lost primary or one demoted to replica is what a failover looks like.
    const failover = this.set !== undefined && sign !== false;
    const why = failover && sign === true ? `${said}; waiting for the sentinels to name the primary (failover)` : said;
    return new CoordinationError(`${this.where}: ${this.hide(why)}`, undefined, failover ? 'failover' : undefined);
  }

  private explainSentinel(err: unknown): CoordinationError {
    const raw = err instanceof Error ? err.message : String(err);
    const [, why, fault] = SENTINEL_FAULTS.find(([re]) => re.test(raw)) ?? [undefined, raw, undefined];
    const code = fault === 'unknown-master' ? 'BAD_CONFIG' : 'COORDINATION_UNAVAILABLE';
    return new CoordinationError(`${this.where}: ${this.hide(why.replace('{master}', this.set!.master))}`, code, fault);
  }

  private hide(text: string): string {
    return [this.opts.password, this.opts.sentinelPassword].reduce((out: string, secret) => (secret ? out.replaceAll(secret, '***') : out), text);
  }
}
