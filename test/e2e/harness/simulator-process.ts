// The simulator in its own process, as the real service would be: started from the built
// CLI, driven through its HTTP control interface (/_sim/...).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './paths';
import type { FaultRule, SimulatorCounters, SimulatorOptions, SmsMessage } from '../../../simulator/options';

export class SimulatorProcess {
  private output = '';
  private exited: Promise<void>;

  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.stdout?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
  }

  /** `args` are CLI flags, e.g. ['--latency', '20']; devices default to 0, port to a free one. */
  static async start(args: string[] = [], opts: { port?: number } = {}): Promise<SimulatorProcess> {
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
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          proc.stdout?.off('data', onData);
          resolve(m[1]);
        }
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${err}`)));
    });
    return new SimulatorProcess(proc, url);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async control<T = unknown>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_sim/${p}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator control ${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  counters(): Promise<SimulatorCounters> {
    return this.control('GET', 'counters');
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
