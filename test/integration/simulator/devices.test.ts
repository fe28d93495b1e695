import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThingSpaceSimulator } from '../../../simulator/server';

describe('simulator: simulated devices', () => {
  let sim: ThingSpaceSimulator;
  afterEach(() => sim.stop());

  it('has each device send readable SMS with an mdn and an imei, at its own pace', async () => {
    sim = await ThingSpaceSimulator.start({ devices: 4, deviceEverySec: 0.2 });
    await sleep(700);
    const queued = sim.queued();
    assert.ok(queued >= 8 && queued <= 16, `about 3 rounds of 4 devices, got ${queued}`);
    const all = sim.peek(undefined, 100);
    for (const m of all) {
      assert.match(m.message, /^T=\d+\.\dC BAT=\d+ seq=\d+$/);
      assert.deepEqual(m.deviceIds.slice(0, 2).map((d) => d.kind), ['mdn', 'imei']);
      assert.ok(!Number.isNaN(Date.parse(m.timestamp)));
    }
    assert.equal(new Set(all.map((m) => m.deviceIds[0].id)).size, 4);
    assert.ok(all.some((m) => m.deviceIds.length > 2), 'some devices have other id kinds too');
  });

  it('starts and stops devices when reconfigured', async () => {
    sim = await ThingSpaceSimulator.start();
    await sleep(200);
    assert.equal(sim.queued(), 0);
    sim.configure({ devices: 2, deviceEverySec: 0.1 });
    await sleep(300);
    assert.ok(sim.queued() > 0);
    sim.configure({ devices: 0 });
    const stopped = sim.queued();
    await sleep(250);
    assert.equal(sim.queued(), stopped);
  });
});
