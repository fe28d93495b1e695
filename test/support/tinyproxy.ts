// A real forward proxy for tests and the benchmark: Debian's tinyproxy, run in the foreground
// on a free loopback port with a config written to a temp directory, CONNECT allowed to any
// port. Its log tells what it was asked for (one CONNECT line per tunnel).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TinyproxyOptions {
  /** Require these credentials (Proxy-Authorization: Basic) from every client. */
  basicAuth?: { user: string; password: string };
}

export interface Tinyproxy {
  /** `http://127.0.0.1:<port>`, without credentials. */
  url: string;
  port: number;
  /** Request lines the proxy logged so far, e.g. `CONNECT 127.0.0.1:4431 HTTP/1.1`. */
  requests(): string[];
  /** Tunnels asked for so far (CONNECT requests). */
  connects(): number;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy', '/usr/local/bin/tinyproxy'];
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 5000;

function binary(): string {
  const found = [process.env.TINYPROXY, ...CANDIDATES].find((p): p is string => p !== undefined && p !== '' && existsSync(p));
  if (found === undefined) {
    throw new Error('tinyproxy is not installed: the proxy tests run a real CONNECT proxy (apt-get install tinyproxy, or set TINYPROXY to its path)');
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function config(port: number, log: string, opts: TinyproxyOptions): string {
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 120',
    `LogFile "${log}"`,
    'LogLevel Info',
    'MaxClients 200',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes',
    // No ConnectPort line: CONNECT is allowed to any port (the simulator's is random).
  ];
  if (opts.basicAuth) lines.push(`BasicAuth ${opts.basicAuth.user} ${opts.basicAuth.password}`);
  return lines.join('\n') + '\n';
}

/** Resolves once the log says tinyproxy accepts connections; rejects if it exits first. */
function ready(child: ChildProcess, log: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const onExit = (code: number | null): void => {
      clearInterval(poll);
      reject(new Error(`tinyproxy exited (${code}) before accepting connections: ${stderr().trim() || readLog(log).slice(-500)}`));
    };
    const poll = setInterval(() => {
      if (readLog(log).includes('Accepting connections')) {
        clearInterval(poll);
        child.off('exit', onExit);
        resolve();
      } else if (Date.now() - started > START_TIMEOUT_MS) {
        clearInterval(poll);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        reject(new Error(`tinyproxy did not start within ${START_TIMEOUT_MS} ms`));
      }
    }, 20);
    child.once('exit', onExit);
  });
}

function readLog(log: string): string {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '';
  }
}

export async function startTinyproxy(opts: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const bin = binary();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thingspace-tinyproxy-'));
  const log = path.join(dir, 'tinyproxy.log');
  let lastError: unknown;
  // The free port is probed then handed over, so another process may take it between: retry.
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const conf = path.join(dir, 'tinyproxy.conf');
    writeFileSync(conf, config(port, log, opts));
    rmSync(log, { force: true });
    const child = spawn(bin, ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await ready(child, log, () => stderr);
    } catch (err) {
      lastError = err;
      continue;
    }
    const requests = (): string[] => [...readLog(log).matchAll(/Request \(file descriptor \d+\): (.*)$/gm)].map((m) => m[1]);
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      requests,
      connects: () => requests().filter((line) => line.startsWith('CONNECT ')).length,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
          await exited;
          clearTimeout(killer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error('tinyproxy did not start');
}
