// Shared by the consumer tests: a simulator, a real client pointed at it, a consumer, and a
// recorder of what the consumer emitted.
import { ThingSpaceSimulator } from '../../simulator/server';
import type { SimulatorOptions } from '../../simulator/options';
import { ThingSpaceClient, type ThingSpaceClientOptions } from '../../nodes/lib/client/thingspace-client';
import { QueueConsumer, type ConsumerBlock, type ConsumerState, type QueueConsumerOptions } from '../../nodes/lib/consumer/queue-consumer';
import type { ThingSpaceError } from '../../nodes/lib/client/errors';
import type { SmsMessage } from '../../nodes/lib/types';

export const ACCOUNT = '0000123456-00001';

export interface Rig {
  sim: ThingSpaceSimulator;
  client: ThingSpaceClient;
  consumers: QueueConsumer[];
  close(): Promise<void>;
}

export async function rig(simOpts: SimulatorOptions = {}, clientOpts: Partial<ThingSpaceClientOptions> = {}): Promise<Rig> {
  const sim = await ThingSpaceSimulator.start({ quiet: true, ...simOpts });
  const client = new ThingSpaceClient({
    server: sim.url,
    accountName: ACCOUNT,
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    username: 'sim-user',
    password: 'sim-password',
    timeoutMs: 5000,
    ...clientOpts,
  });
  const r: Rig = {
    sim,
    client,
    consumers: [],
    async close() {
      await Promise.all(r.consumers.map((c) => c.stop()));
      client.close();
      await sim.stop();
    },
  };
  return r;
}

/** Everything one consumer emitted, in order. */
export class Recorder {
  readonly blocks: ConsumerBlock[] = [];
  readonly states: ConsumerState[] = [];
  readonly errors: ThingSpaceError[] = [];
  duplicates = 0;
  stopped = 0;

  constructor(readonly consumer: QueueConsumer) {
    consumer.on('block', (b) => this.blocks.push(b));
    consumer.on('state', (s) => this.states.push(s));
    consumer.on('error', (e) => this.errors.push(e));
    consumer.on('duplicates', (n) => (this.duplicates += n));
    consumer.on('stopped', () => this.stopped++);
  }

  get sms(): SmsMessage[] {
    return this.blocks.flatMap((b) => b.items.map((i) => i.sms));
  }

  get texts(): string[] {
    return this.sms.map((s) => s.message);
  }

  saw(state: ConsumerState['state']): boolean {
    return this.states.some((s) => s.state === state);
  }
}

export function consumerFor(r: Rig, opts: Partial<QueueConsumerOptions> = {}): { consumer: QueueConsumer; rec: Recorder } {
  const consumer = new QueueConsumer({
    api: r.client,
    intervalMs: 60_000,
    ackMode: 'auto',
    ackTimeoutMs: 60_000,
    dedupe: true,
    backoff: { initialMs: 10, maxMs: 50 },
    strict: true,
    ...opts,
  });
  r.consumers.push(consumer);
  return { consumer, rec: new Recorder(consumer) };
}

/** Resolves once `cond` holds; polls every 5 ms, fails after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function sms(n: number, device = 1): SmsMessage {
  return {
    deviceIds: [
      { kind: 'mdn', id: String(15551230000 + device) },
      { kind: 'imei', id: String(356938035600000 + device) },
    ],
    message: `reading ${n}`,
    timestamp: new Date(Date.UTC(2024, 4, 2, 9, 0, n)).toISOString(),
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
