// Redeploy 20 times during a drain, cycling full, modified-flows and modified-nodes deploys
// and a config-node change: nothing lost, one poll loop afterwards, and no handle (socket,
// timer) left behind. Handles are counted inside Node-RED by a function node calling
// process.getActiveResourcesInfo() and process._getActiveHandles() (`process` reaches the
// sandbox through functionGlobalContext), and from outside as socket fds in /proc/<pid>/fd.
import fs from 'node:fs';
import type { NodeRed, SimulatorProcess } from '../../harness';
import { readSink, type DeployType } from '../../harness';
import { sleep, startRed, relUserDir, startSim, stopAll } from '../support/env';
import { observedDrainFlow, readHandles, type Handles } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { until } from '../support/wait';

type N = Record<string, unknown>;

function socketFds(pid: number): number {
  let n = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/** The fewest handles over a few quiet samples: the admin API's own sockets come and go. */
async function quietHandles(red: NodeRed): Promise<{ h: Handles; sockets: number }> {
  let best: { h: Handles; sockets: number } | undefined;
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    const h = await readHandles(red);
    const sockets = socketFds(red.pid);
    const total = (x: Handles): number => Object.values(x.byType).reduce((a, b) => a + b, 0);
    if (!best || total(h) < total(best.h)) best = { h, sockets: Math.min(sockets, best?.sockets ?? Infinity) };
    else best.sockets = Math.min(best.sockets, sockets);
  }
  return best!;
}

const DEPLOYS: Array<{ type: DeployType; change: 'none' | 'queue' | 'config' }> = [
  { type: 'full', change: 'none' },
  { type: 'flows', change: 'queue' },
  { type: 'nodes', change: 'queue' },
  { type: 'nodes', change: 'config' },
];

export function redeployScenario(): void {
  describe('redeploys during a drain', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it(`loses nothing and leaves one poll loop and no handles after ${PROFILE.redeploy.deploys} redeploys of every kind`, async () => {
      const f = new Figures('redeploy');
      // The pauses between deploys.
      const seeded = f.seed('redeploy');
      const n = PROFILE.redeploy.sms;
      sim = await startSim(['--final-block', 'ack-on-delivery']);
      red = await startRed(relUserDir('redeploy'));
      const flows = observedDrainFlow(sim.url, { interval: '1' });
      await red.deploy(flows);
      const before = await quietHandles(red);

      // Slow blocks keep the drain going through all the deploys.
      await sim.configure({ latencyMs: 250 });
      await sim.generate(n);
      const r = red;
      await until(async () => (await readSink(r)).unique > 0, 30_000, 50);
      const kinds: string[] = [];
      for (let i = 0; i < PROFILE.redeploy.deploys; i++) {
        const d = DEPLOYS[i % DEPLOYS.length];
        const next = flows.map((x: N) => {
          if (d.change === 'queue' && x.type === 'sms-queue-in') return { ...x, name: `q${i}` };
          if (d.change === 'config' && x.type === 'thingspace-config') return { ...x, name: `sim ${i}` };
          return x;
        });
        await red.deploy(next, d.type);
        kinds.push(`${d.type}${d.change === 'none' ? '' : `/${d.change}`}`);
        await sleep(seeded.int(200, 500));
      }
      const midway = (await readSink(red)).unique;
      await sim.configure({ latencyMs: 0 });
      const s = sim;
      const drained = await until(async () => (await readSink(r)).unique >= n && (await s.counters()).queued === 0, 300_000, 250);
      const tally = await readSink(red);

      // One loop with a 1 s interval asks about once a second; two would ask twice as often.
      await sim.control('POST', 'reset-counters');
      const windowS = 8;
      await sleep(windowS * 1000);
      const c = await sim.counters();
      const after = await quietHandles(red);

      const total = (h: Handles): number => Object.values(h.byType).reduce((a, b) => a + b, 0);
      const diff = Object.keys({ ...before.h.byType, ...after.h.byType })
        .map((k) => [k, (after.h.byType[k] ?? 0) - (before.h.byType[k] ?? 0)] as const)
        .filter(([, d]) => d !== 0)
        .map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${d}`);
      f.info(
        `${kinds.length} deploys (${[...new Set(kinds)].join(', ')}); ${midway} of ${n} SMS in the flow when they ended; drained ${drained ? 'yes' : 'NO'}`,
      );
      f.check(`lost ${n - tally.unique} of ${n}`, 'lost 0', tally.unique === n);
      f.check(`duplicates emitted ${tally.dups}`, 'reported (at-least-once; dedupe hides most)', true);
      f.check(
        `history requests in ${windowS} s idle: ${c.requests.history} (max concurrent ${c.maxConcurrentHistory})`,
        `one poll loop: ${windowS / 2}..${windowS + 2} requests, max concurrent 1`,
        c.requests.history >= windowS / 2 && c.requests.history <= windowS + 2 && c.maxConcurrentHistory <= 1,
      );
      f.check(
        `active resources ${total(before.h)} -> ${total(after.h)} (${diff.join(', ') || 'no change'}); _getActiveHandles ${before.h.handles} -> ${after.h.handles}`,
        'no more after than before (+1 tolerated: a keep-alive socket)',
        total(after.h) <= total(before.h) + 1 && after.h.handles <= before.h.handles + 1,
      );
      f.check(`socket fds in /proc/${red.pid}/fd ${before.sockets} -> ${after.sockets}`, '+1 at most', after.sockets <= before.sockets + 1);
      f.assertAll();
    });
  });
}
