// Push mode: callback bodies POSTed to an `http in` -> sms-queue-in flow. A flood at 50
// concurrent: each SMS emitted once, RSS bounded, a repeated body suppressed. Forged bodies
// (callback credentials on the config node, missing or wrong in the body): never emitted,
// CALLBACK_UNAUTHORIZED to Catch, 401 to the sender.
import http from 'node:http';
import type { NodeRed, SimulatorProcess } from '../../harness';
import { TAB, countingSink, queueNode, readSink, sinkEndpoint, tab } from '../../harness';
import { CALLBACK_CREDS, sleep, startRed, relUserDir, startSim, stopAll } from '../support/env';
import { endpoints, observers, readCollected, relConfig, type Collected } from '../support/flows';
import { until } from '../support/wait';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';

export function pushFlow(server: string, withCallbackCreds: boolean): Record<string, unknown>[] {
  return [
    tab(),
    relConfig(server, withCallbackCreds ? CALLBACK_CREDS : {}),
    { id: 'rel-push-in', type: 'http in', z: TAB, name: '', url: '/rel/push', method: 'post', upload: false, swaggerDoc: '', wires: [['e2e-q']] },
    queueNode(['e2e-count'], { interval: '0' }),
    countingSink('e2e-count', ['rel-push-out']),
    { id: 'rel-push-out', type: 'http response', z: TAB, name: '', statusCode: '200', headers: {}, wires: [] },
    ...sinkEndpoint(),
    ...observers(),
    ...endpoints(),
  ];
}

export function callbackBody(i: number, creds?: { username?: string; password?: string }): Record<string, unknown> {
  return {
    ...(creds ?? {}),
    requestId: `req-${i}`,
    deviceIds: [{ kind: 'mdn', id: `1555123${String(i % 1000).padStart(4, '0')}` }],
    smsResponse: { message: `push n=${i}`, timestamp: new Date(Date.parse('2024-05-02T16:00:00Z') + i * 1000).toISOString() },
    callbackCount: 1,
    maxCallbackThreshold: 4,
  };
}

/** POSTs bodies with at most `concurrency` in flight over keep-alive sockets; the statuses. */
export async function postAll(url: string, bodies: unknown[], concurrency: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(url);
  const statuses = new Array<number>(bodies.length).fill(0);
  let next = 0;
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const data = JSON.stringify(bodies[i]);
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          timeout: 60_000,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses[i] = res.statusCode ?? 0;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.end(data);
    });
  const worker = async (): Promise<void> => {
    while (next < bodies.length) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return statuses;
}

export function pushScenarios(): void {
  describe('push mode', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    before(async () => {
      sim = await startSim();
      red = await startRed(relUserDir('push'));
    });
    after(async () => stopAll(red, sim));

    it(`emits each of ${PROFILE.flood.bodies} callback bodies posted ${PROFILE.flood.concurrency} at a time exactly once, with bounded RSS`, async () => {
      const f = new Figures('push flood');
      const n = PROFILE.flood.bodies;
      const r = red!;
      await r.deploy(pushFlow(sim!.url, false));
      await sleep(1000);
      const baseline = r.rss();
      let peak = baseline;
      const sampler = setInterval(() => {
        try {
          peak = Math.max(peak, r.rss());
        } catch {
          // process gone: the figures below say so
        }
      }, 100);
      const bodies = Array.from({ length: n }, (_, i) => callbackBody(i));
      const t0 = Date.now();
      let statuses: number[];
      try {
        statuses = await postAll(`${r.url}/rel/push`, bodies, PROFILE.flood.concurrency);
      } finally {
        clearInterval(sampler);
      }
      const seconds = (Date.now() - t0) / 1000;
      const tally = await readSink(r);
      const ok = statuses.filter((s) => s === 200).length;
      // The same body again: answered 200 (so ThingSpace stops retrying), not emitted. A new
      // body after it is answered once it passed the sink; the node takes its input in order,
      // so the repeat, had it been emitted, would have passed the sink before it.
      const again = await postAll(`${r.url}/rel/push`, [bodies[n - 1], callbackBody(n)], 1);
      const after = await readSink(r);
      const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
      f.info(`${n} bodies in ${seconds.toFixed(1)} s (${Math.round(n / seconds)}/s)`);
      f.check(`answered 200: ${ok} of ${n}`, `${n}`, ok === n);
      f.check(
        `emitted ${tally.count}, distinct ${tally.unique}, lost ${n - tally.unique}`,
        `${n} emitted once each, lost 0`,
        tally.count === n && tally.unique === n,
      );
      f.check(`RSS ${mb(baseline)} MB before, peak ${mb(peak)} MB (+${mb(peak - baseline)} MB)`, 'growth <= 150 MB', peak - baseline <= 150 * 2 ** 20);
      f.check(
        `a repeated body: answered ${again[0]}, emitted ${after.count - tally.count - 1}`,
        'answered 200, emitted 0',
        again[0] === 200 && again[1] === 200 && after.count === tally.count + 1,
      );
      f.assertAll();
    });

    it('emits no forged callback body and reports each one as CALLBACK_UNAUTHORIZED', async () => {
      const f = new Figures('forged push');
      const r = red!;
      await r.deploy(pushFlow(sim!.url, true));
      await readCollected(r, 'errors', true);
      const before = await readSink(r);
      const good = { username: CALLBACK_CREDS.callbackUsername, password: CALLBACK_CREDS.callbackPassword };
      const forged = [
        callbackBody(100_001),
        callbackBody(100_002, { username: good.username }),
        callbackBody(100_003, { password: good.password }),
        callbackBody(100_004, { username: good.username, password: 'wrong' }),
        callbackBody(100_005, { username: 'someone', password: good.password }),
        callbackBody(100_006, { username: '', password: '' }),
        callbackBody(100_007, { username: good.username.toUpperCase(), password: good.password }),
        { ...callbackBody(100_008), Username: 'x', Password: 'y' },
      ];
      const valid = Array.from({ length: 20 }, (_, i) => callbackBody(200_000 + i, good));
      const fs = await postAll(`${r.url}/rel/push`, forged, 4);
      const vs = await postAll(`${r.url}/rel/push`, valid, 4);
      // Valid bodies are answered once they passed the sink, so the count is complete; the
      // Catch reports of the forged ones travel on their own: wait for them.
      const unauthorized = async (): Promise<Collected[]> => (await readCollected(r, 'errors')).filter((e) => e.code === 'CALLBACK_UNAUTHORIZED');
      await until(async () => (await unauthorized()).length >= forged.length, 10_000, 100);
      const after = await readSink(r);
      const errors = await unauthorized();
      f.check(
        `forged bodies emitted ${after.count - before.count - valid.length} of ${forged.length}; answered ${[...new Set(fs)].join('/')}`,
        '0 emitted, all answered 401',
        after.count - before.count === valid.length && fs.every((s) => s === 401),
      );
      f.check(`CALLBACK_UNAUTHORIZED errors ${errors.length}`, `${forged.length}`, errors.length === forged.length);
      f.check(
        `valid bodies emitted ${after.count - before.count} of ${valid.length}, answered ${[...new Set(vs)].join('/')}`,
        `all ${valid.length}, 200`,
        after.count - before.count === valid.length && vs.every((s) => s === 200),
      );
      f.assertAll();
    });
  });
}
