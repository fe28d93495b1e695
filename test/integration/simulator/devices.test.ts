import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { until } from '../../support/wait';

describe('simulator: simulated devices', () => {
  let sim: ThingSpaceSimulator;
  afterEach(() => sim.stop());

  it('has each device send readable SMS with an mdn and an imei, at its own pace', async () => {
    const t0 = Date.now();
    sim = await ThingSpaceSimulator.start({ devices: 4, deviceEverySec: 0.2 });
    await until(() => sim.queued() >= 12, 'three rounds of 4 devices', 5_000);
    const queued = sim.queued();
    const elapsed = Date.now() - t0;
    // Bounds that a slow machine cannot break: three rounds take at least 0.6 s, and no more
    // SMS are sent than are due by the time they are counted.
    assert.ok(elapsed >= 590, `three rounds after ${elapsed} ms`);
    assert.ok(queued <= Math.floor((elapsed / 200) * 4), `${queued} SMS after ${elapsed} ms`);
    const all = sim.peek(undefined, 100);
    for (const m of all) {
      assert.match(m.message, /^T=\d+\.\dC BAT=\d+ seq=\d+$/);
      assert.deepEqual(
        m.deviceIds.slice(0, 2).map((d) => d.kind),
        ['mdn', 'imei'],
      );
      assert.ok(!Number.isNaN(Date.parse(m.timestamp)));
    }
    assert.equal(new Set(all.map((m) => m.deviceIds[0].id)).size, 4);
    assert.ok(
      all.some((m) => m.deviceIds.length > 2),
      'some devices have other id kinds too',
    );
  });

  it('starts and stops devices when reconfigured', async () => {
    sim = await ThingSpaceSimulator.start();
    assert.equal(sim.queued(), 0, 'no devices by default');
    sim.configure({ devices: 2, deviceEverySec: 0.1 });
    await until(() => sim.queued() > 0, 'SMS of the devices');
    sim.configure({ devices: 0 });
    const stopped = sim.queued();
    // At 20 SMS a second, half a second would show any device still sending.
    await sleep(500);
    assert.equal(sim.queued(), stopped);
  });
});
