// P2: the CPU-bound drain (no added latency) against the slower of two ceilings measured in
// the same run: the runtime alone (bench-gen sending ready-made messages of the same shape
// to the same sink) and the HTTP path alone (raw keep-alive http in the bench process).
// Each round measures all three one after the other and gives one ratio; the row is the
// median of the rounds' ratios, so a load burst that slows one round does not pick it.
// A guard against regressions, not a race: at any real ThingSpace latency the drain sits at
// the round-trip floor (P1), whatever microseconds per SMS cost here.
import { bareDrain } from '../bare-client';
import { freshId, generatorFlow, oursFlow } from '../flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

export async function cpuScenario(plan: Plan): Promise<Row[]> {
  const n = plan.cpuCount;
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  const ours: number[] = [];
  const runtime: number[] = [];
  // CPU time of the Node-RED process per SMS: steadier than wall time on a shared machine.
  const oursCpu: number[] = [];
  const runtimeCpu: number[] = [];
  const http: number[] = [];
  let complete = true;
  try {
    sim = await startSim();
    red = await startRed('cpu', { profile: plan.profile });
    // The first rounds warm up (not counted), as big as the others: the JIT, the heaps and
    // the simulator, for all three alike (plan.cpuWarmupRounds says why so many).
    for (let i = -plan.cpuWarmupRounds; i < plan.rounds; i++) {
      const counted = i >= 0;
      await sim.generate(n);
      await deploy(red, oursFlow(sim.url, freshId('q')));
      let cpu0 = red.cpuMs();
      const t = await runToCount(red, n, 600_000, 'CPU-bound drain');
      complete &&= t.count === n && (await sim.counters()).queued === 0;
      if (counted) {
        oursCpu.push(((red.cpuMs() - cpu0) * 1000) / n);
        ours.push((n * 1000) / drainMs(t));
      }

      await deploy(red, generatorFlow(n));
      cpu0 = red.cpuMs();
      const g = await runToCount(red, n, 600_000, 'runtime alone');
      if (counted) {
        runtimeCpu.push(((red.cpuMs() - cpu0) * 1000) / n);
        runtime.push((n * 1000) / drainMs(g));
      }

      await sim.generate(n);
      const b = await bareDrain(sim.url);
      complete &&= b.messages === n;
      if (counted) http.push((n * 1000) / b.historyMs);
    }
  } finally {
    await stopAll(red, sim);
  }
  const ratios = spread(ours.map((o, i) => o / Math.min(runtime[i], http[i])));
  const us = (x: number): string => `${x.toFixed(1)} µs`;
  return [
    {
      id: 'P2',
      what: `CPU-bound drain, ${fmt.n(n)} SMS per round, no latency`,
      measured:
        `${fmt.rate(median(ours))} vs ceilings: runtime alone ${fmt.rate(median(runtime))}, HTTP alone ${fmt.rate(median(http))} (raw keep-alive http + JSON.parse); ` +
        `Node-RED CPU per SMS ${us(median(oursCpu))} vs ${us(median(runtimeCpu))} runtime alone (medians)`,
      ratio: fmt.ratio(ratios.median),
      spread: describeSpread(ratios, fmt.ratio),
      target: '>= 0.60 of the slower ceiling (a guard)',
      holds: ratios.median >= 0.6 && complete,
    },
  ];
}
