// Fault storm during a drain: 10% 5xx, 5% 429 with Retry-After, 3% malformed JSON, 2%
// connection resets on history calls, hangs beyond the client's 30 s timeout (full profile),
// one session expiry and one bearer expiry. Nothing lost, one request in flight at a time,
// no failed login, and a bounded number of requests per block.
import type { NodeRed, SimulatorProcess } from '../../harness';
import { readSink } from '../../harness';
import { seedArgs, startRed, relUserDir, startSim, stopAll } from '../support/env';
import { observedDrainFlow, readCollected } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { until } from '../support/wait';

export function faultStormScenario(): void {
  describe('fault storm during a drain', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it(`drains ${PROFILE.storm.sms} SMS through 20% faults, ${PROFILE.storm.hangs} hang(s) and token/session expiry`, async () => {
      const f = new Figures('fault storm');
      const n = PROFILE.storm.sms;
      sim = await startSim(['--final-block', 'ack-on-delivery', '--latency', '5', ...seedArgs(f.seed('storm'))]);
      red = await startRed(relUserDir('storm'));
      await sim.generate(n);
      await sim.fault([
        { kind: 'server-error', probability: 0.1, status: 503 },
        { kind: 'rate-limit', probability: 0.05, retryAfterSec: 1 },
        { kind: 'malformed', probability: 0.03 },
        { kind: 'reset', probability: 0.02 },
      ]);
      const t0 = Date.now();
      await red.deploy(observedDrainFlow(sim.url, { interval: '1' }));
      const r = red;
      const s = sim;
      // Expiries and hangs at a third and two thirds of the drain.
      await until(async () => (await readSink(r)).unique >= n / 3, 300_000, 100);
      await s.expire('session');
      if (PROFILE.storm.hangs > 0) await s.fault({ kind: 'hang', count: Math.ceil(PROFILE.storm.hangs / 2) });
      await until(async () => (await readSink(r)).unique >= (2 * n) / 3, 300_000, 100);
      await s.expire('bearer');
      if (PROFILE.storm.hangs > 1) await s.fault({ kind: 'hang', count: Math.floor(PROFILE.storm.hangs / 2) });
      const done = await until(async () => (await readSink(r)).unique >= n && (await s.counters()).queued === 0, 600_000, 250);
      const seconds = (Date.now() - t0) / 1000;
      const tally = await readSink(r);
      const c = await s.counters();
      const errors = await readCollected(r, 'errors');
      const blocks = Math.ceil(n / 100);
      const perBlock = c.requests.history / blocks;
      f.info(
        `drained ${done ? 'in' : 'NOT within'} ${seconds.toFixed(1)} s; faults injected ${JSON.stringify(c.faultsInjected)}; ${errors.length} Catch errors`,
      );
      f.check(`lost ${n - tally.unique} of ${n}`, 'lost 0', tally.unique === n);
      f.check(`duplicates emitted ${tally.dups}`, '0 (dedupe hides re-deliveries)', tally.dups === 0);
      f.check(`max concurrent history requests ${c.maxConcurrentHistory}`, '1', c.maxConcurrentHistory === 1);
      f.check(`failed logins ${c.loginsFailed}`, '0', c.loginsFailed === 0);
      f.check(
        `history requests per block ${perBlock.toFixed(2)} (${c.requests.history} for ${blocks} blocks; ${c.requests.token} token, ${c.requests.login} login requests)`,
        '<= 2 (one per block plus retries of the ~20% faulted)',
        perBlock <= 2,
      );
      f.assertAll();
    });
  });
}
