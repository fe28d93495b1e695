// 1,000 sends through sms-out with their delivery notices arriving out of order, one in ten
// twice, at the listener that also receives MO SMS the whole time (the devices' echoes and
// SMS of their own): every send gets exactly one outcome, every MO SMS comes out as an SMS,
// and no notice ever does. The simulator's random choices are seeded (SMS_OUT_SEED).
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ACCOUNT, ALL_NODES, TAB, collect, config, credentials, flow, helper, waitFor } from './runtime';
import { collectAndAnswer, startListener, type Listener } from './listener';
import { pushQueue, smsOut } from './sms-out-flow';

const SENDS = 1000;
const OWN_MO = 200;
const SEED = Number(process.env.SMS_OUT_SEED ?? (Date.now() % 1_000_000_000) + 1);

describe('sms-out under load in a Node-RED runtime', function () {
  this.timeout(120_000);
  let sim: ThingSpaceSimulator;
  let listener: Listener;

  before(() => console.log(`      seed ${SEED} (set SMS_OUT_SEED to replay)`));

  afterEach(async () => {
    await helper.unload();
    await listener?.close();
    await sim?.stop();
  });

  it('1,000 sends, notices out of order and 10% twice, MO SMS meanwhile: one outcome each, every SMS an SMS', async () => {
    sim = await ThingSpaceSimulator.start({
      quiet: true,
      noticeDelayMs: 10,
      noticeJitterMs: 400,
      noticeDuplicateRate: 0.1,
      noticeFailureRate: 0.05,
      deviceReplies: 'echo',
      seed: SEED,
    });
    listener = await startListener('q');
    const q = pushQueue();
    const sc = {
      id: 'sc',
      type: 'start-callbacks',
      z: TAB,
      thingspace: 'cfg',
      callbackUrl: listener.url,
      onDeploy: true,
      deliveryNotices: true,
      deliveryUrl: '',
      wires: [[]],
    };
    await helper.load(
      ALL_NODES,
      flow(
        config(sim),
        q,
        sc,
        smsOut({ wires: [['accepted'], ['outcome']] }),
        { id: 'accepted', type: 'helper', z: TAB },
        { id: 'outcome', type: 'helper', z: TAB },
      ),
      credentials(),
    );
    await waitFor(() => sim.callbacks(ACCOUNT).length === 2, 5_000, 'both listeners registered');
    const sms = collectAndAnswer('out');
    const accepted = collect('accepted');
    const outcomes = collect('outcome');
    const caught = collect('caught');

    const so = helper.getNode('so');
    for (let i = 0; i < SENDS; i++) so.receive({ payload: `CMD ${i}`, deviceIds: [{ kind: 'mdn', id: String(15551230000 + (i % 50)) }], correlationId: i });
    // Devices of their own send SMS while the sends and their notices are under way.
    for (let i = 0; i < OWN_MO; i += 10) {
      sim.enqueue(
        Array.from({ length: 10 }, (_, k) => ({
          deviceIds: [{ kind: 'mdn', id: '15551239999' }],
          message: `own ${i + k}`,
          timestamp: new Date().toISOString(),
        })),
      );
      await new Promise((r) => setTimeout(r, 20));
    }

    await waitFor(() => accepted.length + caught.length >= SENDS, 60_000, 'every send accepted or reported');
    assert.equal(caught.length, 0, `no send failed: ${JSON.stringify(caught[0]?.error)}`);
    const finals = (): Record<string, unknown>[] => outcomes.filter((o) => (o.payload as { final: boolean }).final);
    await waitFor(() => finals().length >= SENDS, 60_000, 'an outcome for every send');
    const c = sim.counters();
    await waitFor(() => sms.length >= sim.counters().deviceReplies + OWN_MO && sim.queued() === 0, 60_000, 'every MO SMS');

    // Exactly one final outcome per original message, all of them correlated.
    const per = new Map<number, number>();
    for (const o of finals()) per.set(o.correlationId as number, (per.get(o.correlationId as number) ?? 0) + 1);
    assert.equal(per.size, SENDS, 'every original got an outcome');
    assert.deepEqual([...new Set(per.values())], [1], 'exactly one each');
    assert.ok(
      finals().every((o) => (o.payload as { correlated: boolean }).correlated),
      'all correlated',
    );
    const failed = finals().filter((o) => (o.payload as { status: string }).status === 'failed').length;
    assert.equal(failed + c.deviceReplies, SENDS, 'each device that got its SMS echoed it, each failure did not');
    assert.ok(sim.counters().noticesPosted > SENDS, `some notices came twice (${sim.counters().noticesPosted} posted)`);

    // Every MO SMS came out as an SMS, once, and nothing else did.
    const texts = sms.map((m) => m.payload);
    assert.ok(
      texts.every((t) => typeof t === 'string' && (/^ECHO CMD \d+$/.test(t) || /^own \d+$/.test(t))),
      'only SMS texts',
    );
    assert.equal(new Set(texts).size, texts.length, 'no SMS twice');
    assert.equal(texts.length, sim.counters().deviceReplies + OWN_MO);
    assert.ok(
      listener.answers.every((s) => s === 200),
      'ThingSpace got 200 for every callback',
    );
    console.log(
      `      ${SENDS} sends, ${c.noticesPosted} notices posted (${c.noticesPosted - SENDS} repeats), ${texts.length} MO SMS, ${failed} failed deliveries`,
    );
  });
});
