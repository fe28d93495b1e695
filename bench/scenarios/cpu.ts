// P2: the CPU-bound drain (no added latency) against the slower of two ceilings measured in
// the same run: the runtime alone (bench-gen sending ready-made messages of the same shape
// to the same sink) and the HTTP path alone (raw keep-alive http in the bench process).
import { bareDrain } from '../bare-client';
import { freshId, generatorFlow, oursFlow } from '../flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
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
    // Round -1 warms up (not counted): the JIT, the heaps and the simulator, for all three alike.
    for (let i = -1; i < plan.reps; i++) {
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
  const o = Math.max(...ours);
  const r = Math.max(...runtime);
  const h = Math.max(...http);
  const ceiling = Math.min(r, h);
  const ratio = o / ceiling;
  return [
    {
      id: 'P2',
      what: `CPU-bound drain, ${fmt.n(n)} SMS, no latency`,
      measured:
        `${fmt.rate(o)} vs ceilings: runtime alone ${fmt.rate(r)}, HTTP alone ${fmt.rate(h)} (raw keep-alive http + JSON.parse); ` +
        `Node-RED CPU per SMS ${Math.round(Math.min(...oursCpu))} µs vs ${Math.round(Math.min(...runtimeCpu))} µs runtime alone`,
      ratio: fmt.ratio(ratio),
      target: '>= 0.70 of the slower ceiling',
      holds: ratio >= 0.7 && complete,
    },
  ];
}
