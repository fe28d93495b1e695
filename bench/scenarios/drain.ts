// P1 (latency-bound drain against its round-trip floor) and P7 (ours against the peer flow
// built from core nodes, with 20 ms latency and with none). P1's drain is also P7's "ours at
// 20 ms": one run, two rows.
import { bareDrain, type BareDrain } from '../bare-client';
import { freshId, oursFlow, peerFlow } from '../flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

const BLOCK = 100;

interface Run {
  ms: number;
  count: number;
  queuedAfter: number;
}

async function drainOnce(red: NodeRed, sim: SimulatorProcess, flow: 'ours' | 'peer', count: number): Promise<Run> {
  await sim.generate(count);
  const flows = flow === 'ours' ? oursFlow(sim.url, freshId('q')) : peerFlow(sim.url);
  await deploy(red, flows);
  const t = await runToCount(red, count, 300_000, `${flow} drain`);
  const queuedAfter = (await sim.counters()).queued;
  return { ms: drainMs(t), count: t.count, queuedAfter };
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

export async function drainScenarios(plan: Plan, only: (id: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const n = plan.drainCount;
  const blocks = Math.ceil(n / BLOCK);
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  try {
    sim = await startSim(['--latency', String(plan.latencyMs)]);
    red = await startRed('drain', { profile: plan.profile });

    // The floor, measured: the bare client (raw keep-alive http, no Node-RED) doing the
    // token, the login and the same blocks at the same latency. Each of its round trips is
    // the added latency plus what the simulator needs to serve a block; the computed floor
    // (blocks x latency, plus its token and login round trips) is shown beside it.
    const bares: BareDrain[] = [];
    const ours20: Run[] = [];
    const peer20: Run[] = [];
    for (let i = 0; i < plan.reps; i++) {
      await sim.generate(n);
      bares.push(await bareDrain(sim.url));
      ours20.push(await drainOnce(red, sim, 'ours', n));
      if (only('P7')) peer20.push(await drainOnce(red, sim, 'peer', n));
    }
    const o20 = best(ours20);
    if (only('P1')) {
      const bare = bares.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
      const computedMs = blocks * plan.latencyMs + bare.tokenMs + bare.loginMs;
      const ratio = o20.ms / bare.totalMs;
      rows.push({
        id: 'P1',
        what: `latency-bound drain, ${fmt.n(n)} SMS, ${plan.latencyMs} ms latency`,
        measured:
          `${fmt.ms(o20.ms)} vs floor ${fmt.ms(bare.totalMs)} measured (bare client: token ${fmt.ms(bare.tokenMs)}, login ${fmt.ms(bare.loginMs)}, ` +
          `${bare.blocks} blocks at ${(bare.historyMs / bare.blocks).toFixed(1)} ms); computed floor ${blocks} x ${plan.latencyMs} ms + token + login = ${fmt.ms(computedMs)} (ratio ${fmt.ratio(o20.ms / computedMs)})`,
        ratio: fmt.ratio(ratio),
        target: '<= 1.05 of the measured floor',
        holds: ratio <= 1.05 && o20.count === n && o20.queuedAfter === 0,
      });
    }
    if (only('P7')) {
      await sim.configure({ latencyMs: 0 });
      const ours0: Run[] = [];
      const peer0: Run[] = [];
      for (let i = 0; i < plan.reps; i++) {
        ours0.push(await drainOnce(red, sim, 'ours', n));
        peer0.push(await drainOnce(red, sim, 'peer', n));
      }
      const p20 = best(peer20);
      const o0 = best(ours0);
      const p0 = best(peer0);
      const r20 = o20.ms / p20.ms;
      const r0 = o0.ms / p0.ms;
      const ok = (r: Run) => r.count === n && r.queuedAfter === 0;
      rows.push({
        id: 'P7',
        what: `ours vs the core-node peer flow, ${fmt.n(n)} SMS`,
        measured:
          `${plan.latencyMs} ms: ${fmt.ms(o20.ms)} vs ${fmt.ms(p20.ms)} (${fmt.rate((n * 1000) / o20.ms)} vs ${fmt.rate((n * 1000) / p20.ms)}); ` +
          `0 ms: ${fmt.ms(o0.ms)} vs ${fmt.ms(p0.ms)} (${fmt.rate((n * 1000) / o0.ms)} vs ${fmt.rate((n * 1000) / p0.ms)})` +
          (ok(p20) && ok(p0) ? '' : ' [peer did not drain fully]'),
        ratio: `${fmt.ratio(r20)} / ${fmt.ratio(r0)}`,
        target: 'time ratio <= 1.00 at both',
        holds: r20 <= 1 && r0 <= 1 && ok(o20) && ok(o0),
      });
    }
  } finally {
    await stopAll(red, sim);
  }
  return rows;
}
