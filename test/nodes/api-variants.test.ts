// API answers Verizon's SDKs allow, through the nodes in a real Node-RED runtime: history
// bodies without or contradicting hasMoreData, `next` tokens 64-bit (the default) or
// zero-padded, and a bearer refused again right after its renewal.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import type { SimulatorOptions } from '../../simulator/options';
import { SIM_MODES } from '../support/sim-modes';
import { ALL_NODES, calls, collect, config, credentials, flow, helper, lastStatus, queue, statuses, waitFor } from './runtime';

const BACKLOG = 1_500;
const BLOCKS = BACKLOG / 100;

for (const mode of SIM_MODES) {
  describe(`API variants through the nodes in a Node-RED runtime (${mode.name} simulator)`, function () {
    let sim: ThingSpaceSimulator;

    async function start(opts: SimulatorOptions = {}): Promise<void> {
      sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock: 'ack-on-delivery', ...mode.options, ...opts });
    }

    afterEach(async () => {
      await helper.unload();
      await sim.stop();
    });

    /** Deploys a queue node, waits for the whole backlog and an idle status; returns what Catch got. */
    async function drainThroughNode(): Promise<Record<string, unknown>[]> {
      sim.generate(BACKLOG);
      await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
      const got = collect('out');
      const caught = collect('caught');
      await waitFor(() => got.length >= BACKLOG, 15_000, `${BACKLOG} messages`);
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.idle', 5_000, 'idle status');
      assert.equal(got.length, BACKLOG);
      assert.equal(new Set(got.map((m) => m.payload)).size, BACKLOG, 'no duplicates');
      assert.equal(sim.queued(), 0);
      return caught;
    }

    it('emits every SMS, one request per block, when history bodies carry no hasMoreData', async () => {
      await start({ hasMoreData: 'absent' });
      const caught = await drainThroughNode();
      assert.deepEqual(caught, [], 'no error reached Catch');
      assert.equal(sim.counters().requests.history, BLOCKS);
      assert.deepEqual(calls('cfg', 'warn'), []);
    });

    it('follows the status when hasMoreData contradicts it, and warns once on the config node', async () => {
      await start({ hasMoreData: 'contradicts' });
      const caught = await drainThroughNode();
      assert.deepEqual(caught, []);
      assert.equal(sim.counters().requests.history, BLOCKS);
      const warnings = calls('cfg', 'warn').map((a) => String(a[0]));
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0], /hasMoreData false; following the status/);
      assert.ok(!warnings[0].includes('sim-password') && !warnings[0].includes('sim-client-secret'));
    });

    for (const tokenStyle of ['int64', 'numeric'] as const) {
      it(`carries ${tokenStyle} next tokens back byte for byte`, async () => {
        await start({ tokenStyle });
        const caught = await drainThroughNode();
        assert.deepEqual(caught, []);
        const c = sim.counters();
        assert.equal(c.tokensRefused, 0);
        assert.equal(c.requests.history, BLOCKS);
      });
    }

    it("shows a bearer refused right after its renewal as retrying with ThingSpace's code, not as rejected credentials, and loses nothing", async () => {
      await start();
      sim.generate(300);
      sim.addFault({ kind: 'expire-bearer', endpoint: 'history', count: 2 });
      await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
      const got = collect('out');
      const caught = collect('caught');
      await waitFor(() => got.length === 300, 15_000, 'all 300 SMS after the retry');
      assert.equal(caught.length, 1, 'one error for the one refusal');
      const err = caught[0].error as Record<string, unknown>;
      assert.equal(err.code, '900901');
      assert.match(String(err.message), /right after it was renewed \(HTTP 401, 900901\)/);
      const texts = statuses('q').map((s) => s.text);
      assert.ok(texts.includes('sms-queue-in.status.retrying'), 'a retrying status');
      assert.ok(!texts.includes('sms-queue-in.status.credentialsRejected'), `statuses: ${texts.join(', ')}`);
      assert.equal(sim.counters().loginsFailed, 0);
    });

    it('has start-callbacks report a bearer refused right after its renewal as a failure with the code, not as rejected credentials', async () => {
      await start();
      sim.addFault({ kind: 'expire-bearer', endpoint: 'startCallbacks', count: 2 });
      const sc = { id: 'sc', type: 'start-callbacks', z: 'tab1', thingspace: 'cfg', callbackUrl: '', onDeploy: false, wires: [['out']] };
      await helper.load(ALL_NODES, flow(config(sim), sc), credentials());
      const caught = collect('caught');
      helper.getNode('sc').receive({ payload: 'go' });
      await waitFor(() => caught.length === 1, 10_000, 'the failure at Catch');
      assert.equal((caught[0].error as Record<string, unknown>).code, '900901');
      await waitFor(() => lastStatus('sc')?.fill === 'red', 5_000, 'a red status');
      assert.equal(lastStatus('sc')?.text, 'start-callbacks.status.failed');
    });
  });
}
