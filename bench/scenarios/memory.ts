// P3: memory. Peak RSS rise over idle while draining the backlog, against the rise of the
// runtime alone carrying as many ready-made messages (each in a fresh Node-RED process);
// then a slow manual-ack consumer: at most one block in flight, never acknowledged ahead.
import { freshId, generatorFlow, oursFlow, slowConsumerFlow } from '../flows';
import { deploy, peakRss, resetPeakRss, runToCount, sleep, startRed, startSim, stopAll, tally } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

const BLOCK = 100;
const SLACK_BYTES = 32 * 1024 * 1024;

/** Idle RSS before the trigger, and the peak reached while `run` works. */
async function rise(red: NodeRed, run: () => Promise<void>): Promise<{ idle: number; peak: number; rise: number }> {
  await sleep(2000); // let the deploy's garbage settle
  const idle = red.rss();
  const reset = resetPeakRss(red.pid);
  let sampled = idle;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      sampled = Math.max(sampled, red.rss());
      await sleep(20);
    }
  })();
  try {
    await run();
  } finally {
    sampling = false;
    await sampler;
  }
  // VmHWM sees every peak, sampling only some; without a reset VmHWM may hold a start-up peak.
  const peak = reset ? Math.max(peakRss(red.pid), sampled) : sampled;
  return { idle, peak, rise: peak - idle };
}

export async function memoryScenario(plan: Plan): Promise<Row[]> {
  const n = plan.memCount;
  let sim: SimulatorProcess | undefined;
  let ours: NodeRed | undefined;
  let gen: NodeRed | undefined;
  try {
    sim = await startSim();
    // A peak follows the garbage collector's timing (tens of MB either way from one drain
    // to the next): rounds, each a fresh Node-RED for ours and for the runtime alone, and
    // the median of the rises and of their differences.
    const oursRises: Array<{ idle: number; rise: number }> = [];
    const genRises: Array<{ idle: number; rise: number }> = [];
    let oursCount = n;
    for (let round = 0; round < plan.memRounds; round++) {
      await stopAll(gen);
      gen = undefined;
      await sim.generate(n);
      ours = await startRed('mem-ours');
      await deploy(ours, oursFlow(sim.url, freshId('q')));
      let count = 0;
      oursRises.push(
        await rise(ours, async () => {
          count = (await runToCount(ours!, n, 1_200_000, 'memory drain')).count;
        }),
      );
      oursCount = Math.min(oursCount, count);
      await stopAll(ours);
      ours = undefined;

      gen = await startRed('mem-gen');
      await deploy(gen, generatorFlow(n));
      genRises.push(
        await rise(gen, async () => {
          await runToCount(gen!, n, 1_200_000, 'runtime alone');
        }),
      );
    }
    if (!gen) throw new Error('P3 needs at least one round');
    const over = spread(oursRises.map((r, i) => r.rise - genRises[i].rise));
    const o = { rise: median(oursRises.map((r) => r.rise)), idle: median(oursRises.map((r) => r.idle)) };
    const g = { rise: median(genRises.map((r) => r.rise)), idle: median(genRises.map((r) => r.idle)) };

    // The slow consumer, in the same runtime (its memory figure is taken already).
    await sim.configure({ finalBlock: 'redeliver' });
    const before = await sim.counters();
    await sim.generate(plan.slowCount);
    await deploy(gen, slowConsumerFlow(sim.url, plan.slowMsPerSms));
    const res = await gen.api('POST', '/inject/bench-trigger');
    if (!res.ok) throw new Error(`inject: ${res.status}`);
    let maxInFlight = 0;
    let maxServedUnacked = 0;
    let ahead = 0;
    const deadline = Date.now() + plan.slowCount * plan.slowMsPerSms * 3 + 30_000;
    let acked = 0;
    while (acked < plan.slowCount && Date.now() < deadline) {
      // Server first, flow second: the flow's count only grows, so server > flow is a real lead.
      const c = await sim.counters();
      const t = await tally(gen);
      const simAcked = c.messagesAcked - before.messagesAcked;
      maxServedUnacked = Math.max(maxServedUnacked, c.messagesServed - before.messagesServed - simAcked);
      maxInFlight = Math.max(maxInFlight, t.emitted - t.acked);
      ahead = Math.max(ahead, simAcked - t.acked);
      acked = t.acked;
      await sleep(20);
    }
    const after = await sim.counters();
    const slowOk = acked >= plan.slowCount && maxInFlight <= BLOCK && maxServedUnacked <= BLOCK && ahead <= 0 && after.maxConcurrentHistory <= 1;
    const memOk = over.median <= SLACK_BYTES && oursCount === n;
    return [
      {
        id: 'P3',
        what: `memory, ${fmt.n(n)} SMS; slow consumer ${fmt.n(plan.slowCount)} SMS at ${plan.slowMsPerSms} ms, manual ack`,
        measured:
          `peak RSS rise ${fmt.mb(o.rise)} (idle ${fmt.mb(o.idle)}) vs runtime alone ${fmt.mb(g.rise)} (idle ${fmt.mb(g.idle)}) (medians); ` +
          `slow: max in flight ${maxInFlight} SMS, served unacked ${maxServedUnacked}, server ahead of flow by ${ahead}, ` +
          `concurrent requests ${after.maxConcurrentHistory}, acked ${acked}/${plan.slowCount}`,
        ratio: `${fmt.mb(over.median)} over`,
        spread: describeSpread(over, fmt.mb),
        target: '<= +32 MB; <= 1 block; never ahead',
        holds: memOk && slowOk,
      },
    ];
  } finally {
    await stopAll(ours, gen, sim);
  }
}
