// A real Redis Sentinel set for the tests of coordination through Sentinel: a primary, its
// replicas and three sentinels (Debian's redis-server and redis-sentinel) on free loopback
// ports, with failover timings short enough for a test (down after 1 s).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RedisServer, freePort, rawCommand, redisAvailable } from './redis-server';

const SENTINEL = ['/usr/bin/redis-sentinel', '/usr/local/bin/redis-sentinel'].find((p) => fs.existsSync(p));

/** Can a Sentinel set run here? Tests that need one skip with a note otherwise. */
export function sentinelAvailable(): boolean {
  return redisAvailable() && SENTINEL !== undefined && spawnSync(SENTINEL, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface SentinelSetOptions {
  /** The master name the sentinels monitor. Default "tsms". */
  master?: string;
  replicas?: number;
  sentinels?: number;
  /** requirepass (and masterauth) of the data nodes. */
  password?: string;
  /** requirepass of the sentinels themselves. */
  sentinelPassword?: string;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
}

export class SentinelProcess {
  private proc: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly port: number,
    private readonly conf: string,
    private readonly password?: string,
  ) {}

  async launch(): Promise<void> {
    const proc = spawn(SENTINEL!, [this.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const keep = (c: Buffer): void => void (this.output = (this.output + c.toString()).slice(-10_000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`redis-sentinel exited: ${this.output}`);
      try {
        await this.command('PING');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-sentinel did not start on port ${this.port}: ${this.output}`);
  }

  command(...args: string[]): Promise<unknown> {
    return rawCommand(this.port, args, this.password);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
}

export class SentinelSet {
  readonly master: string;
  readonly nodes: RedisServer[] = [];
  readonly sentinels: SentinelProcess[] = [];
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h22-sentinel-'));

  private constructor(private readonly opts: SentinelSetOptions) {
    this.master = opts.master ?? 'tsms';
  }

  /** Starts the primary, its replicas (in sync), then the sentinels, and waits until every
   *  sentinel knows every replica and every other sentinel (else a failover cannot happen). */
  static async start(opts: SentinelSetOptions = {}): Promise<SentinelSet> {
    const set = new SentinelSet(opts);
    try {
      await set.launch();
    } catch (err) {
      await set.close();
      throw err;
    }
    return set;
  }

  /** "host:port,host:port,...": what the config node's Sentinels field takes. */
  get list(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The primary as the sentinels name it now (the first one that answers). */
  async primaryPort(): Promise<number> {
    for (const s of this.sentinels) {
      try {
        const r = (await s.command('SENTINEL', 'get-master-addr-by-name', this.master)) as string[] | null;
        if (r) return Number(r[1]);
      } catch {
        // that sentinel is down: ask the next
      }
    }
    throw new Error('no sentinel names a primary');
  }

  async primary(): Promise<RedisServer> {
    const port = await this.primaryPort();
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`the sentinels name an unknown primary on port ${port}`);
    return node;
  }

  /** SIGKILLs the primary; resolves with its port. */
  async killPrimary(): Promise<number> {
    const p = await this.primary();
    await p.stop();
    return p.port;
  }

  /** Waits until the sentinels name another primary than `oldPort`, and it answers as one. */
  async failedOver(oldPort: number, timeoutMs = 20_000): Promise<RedisServer> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const port = await this.primaryPort().catch(() => oldPort);
      const node = this.nodes.find((n) => n.port === port);
      if (port !== oldPort && node) {
        const role = (await node.command('ROLE').catch(() => [])) as unknown[];
        if (role[0] === 'master') return node;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no failover from port ${oldPort} within ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    await Promise.all(this.sentinels.map((s) => s.stop()));
    await Promise.all(this.nodes.map((n) => n.close()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const { password } = this.opts;
    // A full sync starts at once, not after the default 5 s wait for more replicas.
    const quick = ['--repl-diskless-sync-delay', '0'];
    const primary = await RedisServer.start({ password, args: quick });
    this.nodes.push(primary);
    for (let i = 0; i < (this.opts.replicas ?? 1); i++) {
      this.nodes.push(await RedisServer.start({ password, args: [...quick, '--replicaof', '127.0.0.1', String(primary.port)] }));
    }
    await this.until(async () => {
      for (const r of this.nodes.slice(1)) if (!/master_link_status:up/.test(String(await r.command('INFO', 'replication')))) return false;
      return true;
    }, 'the replicas to sync');
    // Each sentinel is told its peers and the replicas up front (myid, known-sentinel,
    // known-replica): without it they find each other through hello messages every 2 s.
    const count = this.opts.sentinels ?? 3;
    const peers = await Promise.all(Array.from({ length: count }, async () => ({ port: await freePort(), id: randomBytes(20).toString('hex') })));
    for (const me of peers) {
      const conf = path.join(this.dir, `sentinel-${me.port}.conf`);
      const m = this.master;
      const lines = [
        `port ${me.port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        'loglevel warning',
        `sentinel myid ${me.id}`,
        `sentinel monitor ${m} 127.0.0.1 ${primary.port} ${Math.floor(count / 2) + 1}`,
        `sentinel down-after-milliseconds ${m} ${this.opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${m} ${this.opts.failoverTimeoutMs ?? 2000}`,
        `sentinel parallel-syncs ${m} 1`,
        ...this.nodes.slice(1).map((r) => `sentinel known-replica ${m} 127.0.0.1 ${r.port}`),
        ...peers.filter((p) => p !== me).map((p) => `sentinel known-sentinel ${m} 127.0.0.1 ${p.port} ${p.id}`),
      ];
      if (password) lines.push(`sentinel auth-pass ${m} ${password}`);
      if (this.opts.sentinelPassword) lines.push(`requirepass ${this.opts.sentinelPassword}`, `sentinel sentinel-pass ${this.opts.sentinelPassword}`);
      fs.writeFileSync(conf, lines.join('\n') + '\n');
      this.sentinels.push(new SentinelProcess(me.port, conf, this.opts.sentinelPassword));
    }
    await Promise.all(this.sentinels.map((s) => s.launch()));
    const replicas = this.nodes.length - 1;
    await this.until(async () => {
      for (const s of this.sentinels) {
        const known = (await s.command('SENTINEL', 'replicas', this.master)) as unknown[];
        const peers = (await s.command('SENTINEL', 'sentinels', this.master)) as unknown[];
        if (known.length < replicas || peers.length < count - 1) return false;
      }
      return true;
    }, 'the sentinels to know each other and the replicas');
  }

  private async until(cond: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await cond().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}
