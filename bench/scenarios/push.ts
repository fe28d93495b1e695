// P6: push mode. Concurrent senders POST callback bodies through http in -> sms-queue-in
// -> sink -> http response, against the same flow with sms-queue-in removed.
import http from 'node:http';
import { pushFlow } from '../flows';
import { deploy, startRed, startSim, stopAll, tally } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

let serial = 0;

/** A callback body in the simulator's default (nested) shape, docs/thingspace-api.md, "Pushed SMS bodies"; each text unique. */
function body(): string {
  const n = ++serial;
  const mdn = `1555123${String(n % 1000).padStart(4, '0')}`;
  return JSON.stringify({
    requestId: `req-${n}`,
    deviceIds: [{ kind: 'mdn', id: mdn }],
    smsResponse: { message: `T=21.4C BAT=88 push n=${n}`, timestamp: '2024-05-02T16:15:07.000Z' },
    callbackCount: 1,
    maxCallbackThreshold: 4,
  });
}

function post(agent: http.Agent, url: string, data: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** `total` callbacks from `senders` concurrent loops; callbacks/s, or throws on a non-2xx. */
async function blast(red: NodeRed, total: number, senders: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: senders });
  const url = `${red.url}/bench/callback`;
  let left = total;
  let failed = 0;
  try {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (left > 0) {
          left--;
          const status = await post(agent, url, body());
          if (status < 200 || status >= 300) failed++;
        }
      }),
    );
    const ms = performance.now() - t0;
    if (failed > 0) throw new Error(`${failed} callbacks were not answered 2xx`);
    const counted = (await tally(red)).count;
    if (counted !== total) throw new Error(`the sink counted ${counted} of ${total} callbacks`);
    return (total * 1000) / ms;
  } finally {
    agent.destroy();
  }
}

export async function pushScenario(plan: Plan): Promise<Row[]> {
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  const ours: number[] = [];
  const bare: number[] = [];
  try {
    sim = await startSim();
    red = await startRed('push', { profile: plan.profile });
    // A short warm-up of each flow first: the http stack's first requests are slow.
    for (let i = 0; i <= plan.reps; i++) {
      const n = i === 0 ? Math.min(1000, plan.pushCount) : plan.pushCount;
      await deploy(red, pushFlow(sim.url, false));
      const b = await blast(red, n, plan.pushSenders);
      await deploy(red, pushFlow(sim.url, true));
      const o = await blast(red, n, plan.pushSenders);
      if (i > 0) {
        bare.push(b);
        ours.push(o);
      }
    }
  } finally {
    await stopAll(red, sim);
  }
  const ratios = spread(ours.map((o, i) => o / bare[i]));
  return [
    {
      id: 'P6',
      what: `push, ${fmt.n(plan.pushCount)} callbacks, ${plan.pushSenders} concurrent senders`,
      measured: `${fmt.rate(median(ours))} through sms-queue-in vs ${fmt.rate(median(bare))} without it`,
      ratio: fmt.ratio(ratios.median),
      spread: describeSpread(ratios, fmt.ratio),
      target: '>= 0.80',
      holds: ratios.median >= 0.8,
    },
  ];
}
