// S1: sending SMS. sms-out against a bare flow of core nodes making the same POST /sms calls,
// the same number in flight, at the drain rows' latency: sends per second, and what sms-out
// adds to each send (its checks, queue, retry bookkeeping and correlation).
import { sendBareFlow, sendOursFlow } from '../send-flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

async function sendOnce(red: NodeRed, flow: 'ours' | 'bare', server: string, count: number, inFlight: number): Promise<number> {
  await deploy(red, flow === 'ours' ? sendOursFlow(server, count, inFlight) : sendBareFlow(server, count, inFlight));
  const t = await runToCount(red, count, 300_000, `${flow} sends`);
  if (t.count !== count) throw new Error(`${flow}: the sink counted ${t.count} of ${count} sends`);
  return drainMs(t);
}

export async function sendScenario(plan: Plan): Promise<Row[]> {
  const n = plan.sendCount;
  const c = plan.sendInFlight;
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  const ours: number[] = [];
  const bare: number[] = [];
  try {
    sim = await startSim(['--latency', String(plan.latencyMs)]);
    red = await startRed('send', { profile: plan.profile });
    // One uncounted warm-up of each (the http stack's first requests are slow), then the runs.
    for (let i = 0; i <= plan.reps; i++) {
      const count = i === 0 ? Math.min(200, n) : n;
      const b = await sendOnce(red, 'bare', sim.url, count, c);
      const o = await sendOnce(red, 'ours', sim.url, count, c);
      if (i > 0) {
        bare.push(b);
        ours.push(o);
      }
    }
    const accepted = (await sim.counters()).smsAccepted;
    if (accepted < 2 * n * plan.reps) throw new Error(`the simulator accepted ${accepted} sends, fewer than were counted`);
  } finally {
    await stopAll(red, sim);
  }
  const o = median(ours);
  const b = median(bare);
  const ratios = spread(ours.map((x, i) => bare[i] / x));
  // Each of the c loops (or slots) carries n / c sends one after the other.
  const addedMs = ((o - b) * c) / n;
  return [
    {
      id: 'S1',
      what: `send, ${fmt.n(n)} SMS, ${c} in flight, ${plan.latencyMs} ms latency`,
      measured: `${fmt.rate((n * 1000) / o)} through sms-out vs ${fmt.rate((n * 1000) / b)} through http request nodes; ${addedMs >= 0 ? '+' : ''}${addedMs.toFixed(2)} ms per send`,
      ratio: fmt.ratio(ratios.median),
      spread: describeSpread(ratios, fmt.ratio),
      target: '>= 1.00 (sends/s vs http request)',
      holds: ratios.median >= 1,
    },
  ];
}
