// The quick-start example as shipped, in Node-RED started from the packed tarball, draining
// the simulator running in its own process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeRed, ROOT, SIM_CREDENTIALS, SimulatorProcess, countingSink, makeUserDir, readSink, sinkEndpoint, waitFor } from './harness';

describe('the quick-start example in Node-RED started from the packed tarball', function () {
  this.timeout(180_000);
  let sim: SimulatorProcess;
  let red: NodeRed;

  before(async () => {
    sim = await SimulatorProcess.start(['--final-block', 'ack-on-delivery']);
    red = await NodeRed.start(makeUserDir({ name: 'quick-start' }));
  });

  after(async () => {
    await red?.stop();
    await sim?.stop();
  });

  it('drains 5,000 queued SMS into the flow: none lost, none duplicated', async () => {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', '01 Quick start - SMS to debug.json'), 'utf8')) as Array<Record<string, unknown>>;
    const q = example.find((n) => n.type === 'sms-queue-in')!;
    const tabId = q.z as string;
    for (const n of example) {
      if (n.type === 'thingspace-config') Object.assign(n, { server: sim.url, credentials: SIM_CREDENTIALS });
    }
    // The example unchanged but for one more wire: a counting sink beside its debug node.
    (q.wires as string[][])[0].push('e2e-count');
    const sink = [countingSink('e2e-count'), ...sinkEndpoint()].map((n) => ({ ...n, z: tabId }));
    await sim.generate(5000);
    await red.deploy([...example, ...sink]);
    await waitFor(async () => (await readSink(red)).count >= 5000, 60_000, '5,000 SMS in the flow');
    await waitFor(async () => (await sim.counters()).queued === 0, 10_000, 'the simulator queue to empty');
    const tally = await readSink(red);
    const counters = await sim.counters();
    const lost = 5000 - tally.unique;
    console.log(
      `      quick start: enqueued 5000, emitted ${tally.count}, lost ${lost}, duplicates ${tally.dups}, ` +
        `history requests ${counters.requests.history}, blocks served ${counters.historyBlocksServed}`,
    );
    assert.equal(lost, 0);
    assert.equal(tally.dups, 0);
    assert.ok(!red.log().includes('[error]'), red.log().slice(-2000));
  });
});
