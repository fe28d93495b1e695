// The simulator in its own process over HTTPS, with a certificate from a throwaway test CA.
// The harness's SimulatorProcess speaks plain http only (its control calls go through fetch,
// which cannot be told to trust a private CA), so this one sends its control calls through
// node:https with the CA. Each control call opens its own connection (no keep-alive), so the
// simulator's connection counter moves by exactly one per call and the rest is the drain's.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../test/e2e/harness';
import { makeTestCa, type TestCa } from '../test/support/test-ca';
import type { SimulatorCounters } from '../simulator/options';

export class TlsSimulator {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly testCa: TestCa,
    private readonly dir: string,
    /** `https://127.0.0.1:<port>` */
    readonly url: string,
    /** A file holding the CA's certificate, for NODE_EXTRA_CA_CERTS. */
    readonly caFile: string,
  ) {}

  /** The CA's certificate (PEM). */
  get ca(): string {
    return this.testCa.ca;
  }

  /** `args` are CLI flags, e.g. ['--latency', '20']. */
  static async start(args: string[] = []): Promise<TlsSimulator> {
    const testCa = makeTestCa();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingspace-bench-tls-'));
    const file = (name: string, text: string): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, text, { mode: 0o600 });
      return p;
    };
    const caFile = file('ca.pem', testCa.ca);
    const key = file('server.key', testCa.server.key);
    const cert = file('server.pem', testCa.server.cert);
    const cli = path.join(ROOT, 'dist', 'simulator', 'cli.js');
    const proc = spawn(process.execPath, [cli, '--port', '0', '--devices', '0', '--quiet', '--tls-key', key, '--tls-cert', cert, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const onData = (c: Buffer): void => {
          out += c.toString();
          const m = /listening on (https:\/\/\S+)/.exec(out);
          if (m) {
            proc.stdout?.off('data', onData);
            proc.stdout?.resume();
            resolve(m[1]);
          }
        };
        proc.stdout?.on('data', onData);
        proc.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${err}`)));
      });
      return new TlsSimulator(proc, exited, testCa, dir, url, caFile);
    } catch (e) {
      testCa.remove();
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  control<T = unknown>(method: string, p: string, body?: unknown): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.url}/_sim/${p}`, { method, agent: false, ca: this.ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`simulator control ${method} ${p}: ${res.statusCode} ${text}`));
          else resolve((text ? JSON.parse(text) : undefined) as T);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  counters(): Promise<SimulatorCounters> {
    return this.control('GET', 'counters');
  }

  /** Zeroes the counters; the connection of this call itself is counted before the reset. */
  resetCounters(): Promise<SimulatorCounters> {
    return this.control('POST', 'reset-counters');
  }

  generate(count: number, account?: string): Promise<unknown> {
    return this.control('POST', 'sms', { count, account });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    await this.exited;
    this.testCa.remove();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
