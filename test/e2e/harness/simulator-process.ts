// The simulator in its own process, as the real service would be: started from the built
// CLI, driven through its HTTP control interface (/_sim/...). Over HTTPS (--tls-key and
// --tls-cert) the control calls go through node:https with the test CA (fetch cannot be told
// to trust a private CA), each on a connection of its own, so the simulator's connection
// counter moves by exactly one per control call.
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { ROOT } from './paths';
import type { FaultRule, SimulatorCounters, SimulatorOptions, SmsMessage } from '../../../simulator/options';

export class SimulatorProcess {
  private output = '';
  private exited: Promise<void>;

  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
    /** The CA that signed an HTTPS simulator's certificate (PEM). */
    private readonly ca?: string,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.stdout?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
  }

  /** `args` are CLI flags, e.g. ['--latency', '20']; devices default to 0, port to a free one.
   *  `ca`: the CA of the certificate given with --tls-cert. */
  static async start(args: string[] = [], opts: { port?: number; ca?: string } = {}): Promise<SimulatorProcess> {
    const cli = path.join(ROOT, 'dist', 'simulator', 'cli.js');
    const proc = spawn(process.execPath, [cli, '--port', String(opts.port ?? 0), '--devices', '0', '--quiet', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (c: Buffer) => {
        out += c.toString();
        const m = /listening on (https?:\/\/\S+)/.exec(out);
        if (m) {
          proc.stdout?.off('data', onData);
          resolve(m[1]);
        }
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${err}`)));
    });
    return new SimulatorProcess(proc, url, opts.ca);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async control<T = unknown>(method: string, p: string, body?: unknown): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const { status, text } =
      this.ca === undefined ? await fetchText(`${this.url}/_sim/${p}`, method, data) : await httpsText(`${this.url}/_sim/${p}`, method, data, this.ca);
    if (status >= 300) throw new Error(`simulator control ${method} ${p}: ${status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  counters(): Promise<SimulatorCounters> {
    return this.control('GET', 'counters');
  }

  /** Zeroes the counters (the connection of this call itself is counted before). */
  resetCounters(): Promise<SimulatorCounters> {
    return this.control('POST', 'reset-counters');
  }

  enqueue(sms: SmsMessage | SmsMessage[]): Promise<unknown> {
    return this.control('POST', 'sms', sms);
  }

  generate(count: number, account?: string): Promise<unknown> {
    return this.control('POST', 'sms', { count, account });
  }

  fault(rule: FaultRule | FaultRule[]): Promise<unknown> {
    return this.control('POST', 'faults', rule);
  }

  clearFaults(): Promise<unknown> {
    return this.control('DELETE', 'faults');
  }

  configure(options: Partial<SimulatorOptions>): Promise<unknown> {
    return this.control('POST', 'options', options);
  }

  expire(what: 'bearer' | 'session'): Promise<unknown> {
    return this.control('POST', 'expire', { what });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    await this.exited;
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

async function fetchText(url: string, method: string, body: string | undefined): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method, headers: JSON_HEADERS, body });
  return { status: res.status, text: await res.text() };
}

function httpsText(url: string, method: string, body: string | undefined, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent: false, ca, headers: JSON_HEADERS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
