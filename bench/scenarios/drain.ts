// P1 (latency-bound drain against its round-trip floor) and P7 (ours against the peer flow
// built from core nodes, with 20 ms latency and with none). P1's drain is also P7's "ours at
// 20 ms": one run, two rows. A small warm-up drain of each first (JIT, sockets), then
// `plan.rounds` rounds of the bare client, ours and the peer, in that order, each round's
// ratios taken from its own drains, and the median of the rounds printed.
import { bareDrain, type BareDrain } from '../bare-client';
import { freshId, oursFlow, peerFlow } from '../flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

const BLOCK = 100;

interface Run {
  ms: number;
  count: number;
  queuedAfter: number;
}

export async function drainOnce(red: NodeRed, sim: SimulatorProcess, flow: 'ours' | 'peer', count: number): Promise<Run> {
  await sim.generate(count);
  const flows = flow === 'ours' ? oursFlow(sim.url, freshId('q')) : peerFlow(sim.url);
  await deploy(red, flows);
  const t = await runToCount(red, count, 300_000, `${flow} drain`);
  const queuedAfter = (await sim.counters()).queued;
  return { ms: drainMs(t), count: t.count, queuedAfter };
}

/** Figures of the bare client's drains: medians of each part. */
export function bareFigures(bares: BareDrain[]): { totalMs: number; tokenMs: number; loginMs: number; blocks: number; perBlockMs: number } {
  return {
    totalMs: median(bares.map((b) => b.totalMs)),
    tokenMs: median(bares.map((b) => b.tokenMs)),
    loginMs: median(bares.map((b) => b.loginMs)),
    blocks: bares[0].blocks,
    perBlockMs: median(bares.map((b) => b.historyMs / b.blocks)),
  };
}

export async function drainScenarios(plan: Plan, only: (id: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const n = plan.drainCount;
  const blocks = Math.ceil(n / BLOCK);
  const ok = (r: Run): boolean => r.count === n && r.queuedAfter === 0;
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  try {
    sim = await startSim(['--latency', String(plan.latencyMs)]);
    red = await startRed('drain', { profile: plan.profile });

    await sim.generate(plan.warmupCount);
    await bareDrain(sim.url);
    await drainOnce(red, sim, 'ours', plan.warmupCount);
    if (only('P7')) await drainOnce(red, sim, 'peer', plan.warmupCount);

    // The floor, measured: the bare client (raw keep-alive http, no Node-RED) doing the
    // token, the login and the same blocks at the same latency. Each of its round trips is
    // the added latency plus what the simulator needs to serve a block; the computed floor
    // (blocks x latency, plus its token and login round trips) is shown beside it.
    const bares: BareDrain[] = [];
    const ours20: Run[] = [];
    const peer20: Run[] = [];
    for (let i = 0; i < plan.rounds; i++) {
      await sim.generate(n);
      bares.push(await bareDrain(sim.url));
      ours20.push(await drainOnce(red, sim, 'ours', n));
      if (only('P7')) peer20.push(await drainOnce(red, sim, 'peer', n));
    }
    const o20 = median(ours20.map((r) => r.ms));
    if (only('P1')) {
      const bare = bareFigures(bares);
      const computedMs = blocks * plan.latencyMs + bare.tokenMs + bare.loginMs;
      const ratios = spread(ours20.map((r, i) => r.ms / bares[i].totalMs));
      rows.push({
        id: 'P1',
        what: `latency-bound drain, ${fmt.n(n)} SMS, ${plan.latencyMs} ms latency`,
        measured:
          `${fmt.ms(o20)} vs floor ${fmt.ms(bare.totalMs)} measured (bare client: token ${fmt.ms(bare.tokenMs)}, login ${fmt.ms(bare.loginMs)}, ` +
          `${bare.blocks} blocks at ${bare.perBlockMs.toFixed(1)} ms); computed floor ${blocks} x ${plan.latencyMs} ms + token + login = ${fmt.ms(computedMs)} (ratio ${fmt.ratio(o20 / computedMs)})`,
        ratio: fmt.ratio(ratios.median),
        spread: describeSpread(ratios, fmt.ratio),
        target: '<= 1.05 of the measured floor',
        holds: ratios.median <= 1.05 && ours20.every(ok),
      });
    }
    if (only('P7')) {
      await sim.configure({ latencyMs: 0 });
      const ours0: Run[] = [];
      const peer0: Run[] = [];
      for (let i = 0; i < plan.rounds; i++) {
        ours0.push(await drainOnce(red, sim, 'ours', n));
        peer0.push(await drainOnce(red, sim, 'peer', n));
      }
      const p20 = median(peer20.map((r) => r.ms));
      const o0 = median(ours0.map((r) => r.ms));
      const p0 = median(peer0.map((r) => r.ms));
      const r20 = spread(ours20.map((r, i) => r.ms / peer20[i].ms));
      const r0 = spread(ours0.map((r, i) => r.ms / peer0[i].ms));
      rows.push({
        id: 'P7',
        what: `ours vs the core-node peer flow, ${fmt.n(n)} SMS`,
        measured:
          `${plan.latencyMs} ms: ${fmt.ms(o20)} vs ${fmt.ms(p20)} (${fmt.rate((n * 1000) / o20)} vs ${fmt.rate((n * 1000) / p20)}); ` +
          `0 ms: ${fmt.ms(o0)} vs ${fmt.ms(p0)} (${fmt.rate((n * 1000) / o0)} vs ${fmt.rate((n * 1000) / p0)})` +
          (peer20.every(ok) && peer0.every(ok) ? '' : ' [peer did not drain fully]'),
        ratio: `${fmt.ratio(r20.median)} / ${fmt.ratio(r0.median)}`,
        spread: `${describeSpread(r20, fmt.ratio)} / ${fmt.ratio(r0.min)}-${fmt.ratio(r0.max)}`,
        target: 'time ratio <= 1.00 at both',
        holds: r20.median <= 1 && r0.median <= 1 && ours20.every(ok) && ours0.every(ok),
      });
    }
  } finally {
    await stopAll(red, sim);
  }
  return rows;
}
