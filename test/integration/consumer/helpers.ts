// Shared by the consumer tests: a simulator, a real client pointed at it, a consumer, and a
// recorder of what the consumer emitted.
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { SimulatorOptions } from '../../../simulator/options';
import { ThingSpaceClient, type ThingSpaceClientOptions } from '../../../nodes/lib/client/thingspace-client';
import { QueueConsumer, type QueueConsumerOptions } from '../../../nodes/lib/consumer/queue-consumer';
import { Recorder } from '../../support/consumer-records';
import { seedFromEnv } from '../../support/seed';

export { Recorder, range, sms } from '../../support/consumer-records';
export { until } from '../../support/wait';

export const ACCOUNT = '0000123456-00001';

/** The backoff's jitter. */
const seeded = seedFromEnv('consumer-integration');

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

export function consumerFor(r: Rig, opts: Partial<QueueConsumerOptions> = {}): { consumer: QueueConsumer; rec: Recorder } {
  const consumer = new QueueConsumer({
    api: r.client,
    intervalMs: 60_000,
    ackMode: 'auto',
    ackTimeoutMs: 60_000,
    dedupe: true,
    backoff: { initialMs: 10, maxMs: 50, random: seeded.random },
    strict: true,
    ...opts,
  });
  r.consumers.push(consumer);
  return { consumer, rec: new Recorder(consumer) };
}
