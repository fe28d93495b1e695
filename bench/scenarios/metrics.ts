// M1: the drain with the metrics on (the default, and served on a path) against the same
// drain in a Node-RED with them off (settings.js thingspaceSms.metrics: false), at the
// plan's latency and at none. Rounds alternate on and off; each ratio is throughput on /
// throughput off, from the round's own drains; the median of the rounds is printed.
import { drainOnce } from './drain';
import { startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

export async function metricsScenario(plan: Plan): Promise<Row[]> {
  const n = plan.drainCount;
  let sim: SimulatorProcess | undefined;
  let on: NodeRed | undefined;
  let off: NodeRed | undefined;
  try {
    sim = await startSim(['--latency', String(plan.latencyMs)]);
    on = await startRed('metrics-on', { settings: { thingspaceSms: { metricsPath: '/thingspace/metrics' } } });
    off = await startRed('metrics-off', { settings: { thingspaceSms: { metrics: false } } });
    const ratios: Record<'slow' | 'fast', number[]> = { slow: [], fast: [] };
    const times: Record<'slow' | 'fast', { on: number[]; off: number[] }> = { slow: { on: [], off: [] }, fast: { on: [], off: [] } };
    for (const speed of ['slow', 'fast'] as const) {
      await sim.configure({ latencyMs: speed === 'slow' ? plan.latencyMs : 0 });
      await drainOnce(on, sim, 'ours', plan.warmupCount);
      await drainOnce(off, sim, 'ours', plan.warmupCount);
      for (let i = 0; i < plan.rounds; i++) {
        const a = await drainOnce(on, sim, 'ours', n);
        const b = await drainOnce(off, sim, 'ours', n);
        if (a.count !== n || b.count !== n) throw new Error(`a drain did not complete (${a.count}, ${b.count} of ${n})`);
        times[speed].on.push(a.ms);
        times[speed].off.push(b.ms);
        ratios[speed].push(b.ms / a.ms);
      }
    }
    const s = spread(ratios.slow);
    const f = spread(ratios.fast);
    const rate = (ms: number[]): string => fmt.rate((n * 1000) / median(ms));
    return [
      {
        id: 'M1',
        what: `drain throughput, metrics on vs off, ${fmt.n(n)} SMS`,
        measured: `${plan.latencyMs} ms: ${rate(times.slow.on)} vs ${rate(times.slow.off)}; 0 ms: ${rate(times.fast.on)} vs ${rate(times.fast.off)}`,
        ratio: `${fmt.ratio(s.median)} / ${fmt.ratio(f.median)}`,
        spread: `${describeSpread(s, fmt.ratio)} / ${fmt.ratio(f.min)}-${fmt.ratio(f.max)}`,
        target: `>= 0.97 at ${plan.latencyMs} ms, >= 0.90 at 0 ms`,
        holds: s.median >= 0.97 && f.median >= 0.9,
      },
    ];
  } finally {
    await stopAll(on, off, sim);
  }
}
