// The shipped SMS-to-MQTT example in Node-RED started from the packed tarball, publishing
// through Node-RED's own `mqtt out` node (QoS 1) to a real mosquitto with persistence,
// read back by a subscriber with a persistent session.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { ACCOUNT, NodeRed, ROOT, SIM_CREDENTIALS, SimulatorProcess, e2ePath, makeUserDir, waitFor } from '../harness';
import { Mosquitto, findMosquitto } from './lib/mosquitto';
import { requireOrSkip } from './lib/processes';
import type { SmsMessage } from '../../../nodes/lib/types';

type N = Record<string, unknown>;

const EXAMPLE = path.join(ROOT, 'examples', '02 SMS to MQTT per device topic.json');
const DEVICES = 5;

/** The example as a user imports it, with the server, credentials and broker filled in. */
function exampleFlow(simUrl: string, brokerPort: number): N[] {
  const flow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as N[];
  for (const n of flow) {
    if (n.type === 'thingspace-config') Object.assign(n, { server: simUrl, credentials: SIM_CREDENTIALS });
    if (n.type === 'mqtt-broker') Object.assign(n, { broker: '127.0.0.1', port: String(brokerPort) });
  }
  return flow;
}

function mdn(device: number): string {
  return String(15557000000 + device);
}

/** `count` SMS spread over DEVICES devices, each text unique and naming its run. */
function smsBatch(run: string, count: number): SmsMessage[] {
  const base = Date.parse('2024-05-02T09:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    deviceIds: [
      { kind: 'mdn', id: mdn(i % DEVICES) },
      { kind: 'imei', id: String(356938035700000 + (i % DEVICES)) },
    ],
    message: `${run} sms ${i}`,
    timestamp: new Date(base + i * 1000).toISOString(),
  }));
}

function topicOf(sms: SmsMessage): string {
  return `thingspace/${ACCOUNT}/sms/${sms.deviceIds[0].id}`;
}

/** A QoS 1 subscriber with a persistent session: the broker keeps its messages while it is away. */
class Subscriber {
  /** text -> topics it arrived on, one entry per arrival. */
  readonly arrivals = new Map<string, string[]>();
  total = 0;
  private constructor(readonly client: mqtt.MqttClient) {
    client.on('message', (topic, payload) => {
      const text = payload.toString('utf8');
      const list = this.arrivals.get(text) ?? [];
      list.push(topic);
      this.arrivals.set(text, list);
      this.total++;
    });
  }

  static async connect(url: string): Promise<Subscriber> {
    const client = mqtt.connect(url, {
      clientId: 'e2e-sms-subscriber',
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 250,
      connectTimeout: 5_000,
    });
    const sub = new Subscriber(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync('thingspace/+/sms/#', { qos: 1 });
    return sub;
  }

  /** Of `sent`: how many arrived, how many times too often, and any on a wrong topic. */
  tally(sent: SmsMessage[]): { received: number; lost: number; duplicates: number; wrongTopic: string[] } {
    let received = 0;
    let duplicates = 0;
    const wrongTopic: string[] = [];
    for (const sms of sent) {
      const topics = this.arrivals.get(sms.message);
      if (!topics) continue;
      received++;
      duplicates += topics.length - 1;
      if (topics.some((t) => t !== topicOf(sms))) wrongTopic.push(`${sms.message}: ${topics.join(', ')}`);
    }
    return { received, lost: sent.length - received, duplicates, wrongTopic };
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

describe('the SMS-to-MQTT example against a real mosquitto', function () {
  this.timeout(120_000);
  let broker: Mosquitto | undefined;
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  let sub: Subscriber | undefined;

  before(async function () {
    const binary = requireOrSkip(this, 'mosquitto', findMosquitto());
    if (!binary) return;
    broker = await Mosquitto.start(binary, e2ePath('mosquitto', 'mqttdb'));
    sim = await SimulatorProcess.start([]);
    red = await NodeRed.start(makeUserDir({ name: 'mqttdb-mqtt' }));
    sub = await Subscriber.connect(broker.url);
  });

  after(async () => {
    await sub?.close().catch(() => undefined);
    await red?.stop();
    await sim?.stop();
    await broker?.stop();
  });

  it('publishes every SMS once, on the topic of the device that sent it', async () => {
    const sent = smsBatch('steady', 600);
    await sim!.enqueue(sent);
    await red!.deploy(exampleFlow(sim!.url, broker!.port));
    await waitFor(() => sub!.tally(sent).received === sent.length, 30_000, 'every SMS at the subscriber');
    // Anything published twice would arrive right behind the first copy: give it a moment.
    await new Promise((r) => setTimeout(r, 1_000));
    const t = sub!.tally(sent);
    console.log(`      mqtt, no fault: sent ${sent.length}, received ${t.received}, lost ${t.lost}, duplicates ${t.duplicates}`);
    assert.deepEqual(t.wrongTopic, []);
    assert.equal(t.lost, 0);
    assert.equal(t.duplicates, 0);
    assert.ok(!/\[error\]/.test(red!.log()), red!.log().slice(-3000));
  });

  it('loses none of them when the broker restarts in the middle of a drain, and counts the duplicates', async () => {
    const sent = smsBatch('restart', 2_000);
    // Slow answers stretch the drain over seconds, so the restart lands inside it.
    await sim!.configure({ latencyMs: 150 });
    await sim!.enqueue(sent);
    await red!.deploy(exampleFlow(sim!.url, broker!.port)); // a full deploy restarts the flow: it polls at once
    await waitFor(() => sub!.tally(sent).received >= sent.length * 0.3, 60_000, 'a third of the SMS at the subscriber', 5);
    const before = sub!.tally(sent).received;
    await broker!.restart(500);
    await waitFor(() => sub!.tally(sent).received === sent.length, 90_000, 'every SMS at the subscriber after the restart').catch((err: Error) => {
      const t = sub!.tally(sent);
      throw new Error(`${err.message}: received ${t.received} of ${sent.length}, lost ${t.lost}\n${red!.log().slice(-3000)}`);
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const t = sub!.tally(sent);
    const counters = await sim!.counters();
    console.log(
      `      mqtt, broker restart after ${before} SMS: sent ${sent.length}, received ${t.received}, lost ${t.lost}, ` +
        `duplicates ${t.duplicates}, simulator redeliveries ${counters.redeliveries}`,
    );
    assert.ok(before < sent.length, 'the restart came after the drain had finished');
    assert.deepEqual(t.wrongTopic, []);
    assert.equal(t.lost, 0);
  });
});
