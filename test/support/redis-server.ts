// A real redis-server for the tests that need one (coordination across runtimes): started on
// a free loopback port with no persistence, stopped, killed or restarted by the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BINARY = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p)) ?? 'redis-server';

/** Is redis-server installed here? Tests that need it skip with a note otherwise. */
export function redisAvailable(): boolean {
  return spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  port?: number;
  /** requirepass */
  password?: string;
  /** More arguments, e.g. ['--replicaof', '127.0.0.1 6379']. */
  args?: string[];
}

export class RedisServer {
  private proc: ChildProcess | undefined;
  private output = '';
  readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly opts: RedisServerOptions,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h13-redis-'));
  }

  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(opts.port ?? (await freePort()), opts);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** (Re)starts on the same port; data is not kept (no RDB, no AOF): a restart loses every key. */
  async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--loglevel', 'warning'];
    if (this.opts.password) args.push('--requirepass', this.opts.password, '--masterauth', this.opts.password);
    args.push(...(this.opts.args ?? []));
    this.output = '';
    const proc = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-10_000)));
    proc.stderr?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-10_000)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited: ${this.output}`);
      if (await answers(this.port, this.opts.password)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}: ${this.output}`);
  }

  /** SIGKILL, or SIGTERM with `graceful`; resolves once the process is gone. */
  async stop(graceful = false): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(graceful ? 'SIGTERM' : 'SIGKILL');
    await exited;
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  /** One command over a raw socket (RESP), for tests that look at keys. */
  command(...args: string[]): Promise<unknown> {
    return rawCommand(this.port, args, this.opts.password);
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function answers(port: number, password?: string): Promise<boolean> {
  try {
    await rawCommand(port, ['PING'], password);
    return true;
  } catch {
    return false;
  }
}

/** A minimal RESP client: enough for PING, GET, KEYS, TTL and the like. */
export function rawCommand(port: number, args: string[], password?: string): Promise<unknown> {
  const encode = (a: string[]): string => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const expected = password ? 2 : 1;
    socket.setTimeout(3000, () => socket.destroy(new Error('redis: no answer')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write((password ? encode(['AUTH', password]) : '') + encode(args)));
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const parsed: unknown[] = [];
      let at = 0;
      for (;;) {
        const r = parse(buf, at);
        if (!r) break;
        parsed.push(r.value);
        at = r.next;
      }
      if (parsed.length >= expected) {
        socket.end();
        const v = parsed[expected - 1];
        if (v instanceof Error) reject(v);
        else resolve(v);
      }
    });
  });
}

function parse(buf: Buffer, at: number): { value: unknown; next: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      return { value: new Error(line), next: eol + 2 };
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const n = Number(line);
      if (n < 0) return { value: null, next: eol + 2 };
      if (buf.length < eol + 2 + n + 2) return undefined;
      return { value: buf.toString('utf8', eol + 2, eol + 2 + n), next: eol + 2 + n + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next: eol + 2 };
      const out: unknown[] = [];
      let next = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, next);
        if (!r) return undefined;
        out.push(r.value);
        next = r.next;
      }
      return { value: out, next };
    }
    default:
      throw new Error(`not a Redis reply (type byte ${JSON.stringify(type)})`);
  }
}
