// Debian's mosquitto as the test's MQTT broker: persistence on, one loopback listener,
// anonymous clients. Restartable on the same port with the same persistence dir, the way
// an operator restarts a broker.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../harness';
import { findBinary, stopChild, waitForPort } from './processes';

export const MOSQUITTO_CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];

export function findMosquitto(): string | undefined {
  return findBinary(MOSQUITTO_CANDIDATES);
}

export class Mosquitto {
  private proc: ChildProcess | undefined;
  private output = '';
  /** Times started, the first start included. */
  starts = 0;

  private constructor(
    readonly binary: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Writes the config into `dir` (created) and starts the broker on a free port. */
  static async start(binary: string, dir: string): Promise<Mosquitto> {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    const port = await freePort();
    const conf = [
      'per_listener_settings false',
      'persistence true',
      `persistence_location ${path.join(dir, 'data')}/`,
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // Queued messages for a persistent session: far more than a test sends.
      'max_queued_messages 100000',
      'log_dest stdout',
      'log_type error',
      'log_type warning',
      'log_type notice',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf);
    const broker = new Mosquitto(binary, dir, port);
    await broker.launch();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.output;
  }

  private async launch(): Promise<void> {
    const proc = spawn(this.binary, ['-c', path.join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => (this.output = (this.output + c.toString()).slice(-50_000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.proc = proc;
    this.starts++;
    await waitForPort(this.port, proc, 10_000, () => this.output);
  }

  /**
   * Stops the broker (SIGTERM: mosquitto writes its persistence file on the way out) and
   * starts it again on the same port with the same data. A SIGKILL would lose what it
   * accepted since its last autosave: mosquitto persists on shutdown and on a timer.
   */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  async stop(): Promise<void> {
    await stopChild(this.proc, 'SIGTERM');
  }
}
