// Soak: compressed token and session lifetimes, SMS trickling in, 2% faults, for 30 minutes
// (full) or 60 s (short). Nothing lost; RSS and active handles flat: the first and last
// windows compared. The poll interval is longer than the session idle time, so the session
// has expired at almost every poll, and the bearer expires every tokenTtl.
import type { NodeRed, SimulatorProcess } from '../../harness';
import { readSink } from '../../harness';
import { seedArgs, sleep, startRed, relUserDir, startSim, stopAll } from '../support/env';
import { observedDrainFlow, readHandles } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { until } from '../support/wait';

interface Sample {
  at: number;
  rss: number;
  resources: number;
  handles: number;
}

export function soakScenario(): void {
  const p = PROFILE.soak;
  describe('soak', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it(`runs ${p.durationMs / 60_000} min with bearer ${p.tokenTtlSec} s, session idle ${p.sessionIdleSec} s, trickle and 2% faults: nothing lost, RSS and handles flat`, async () => {
      const f = new Figures('soak');
      sim = await startSim([
        '--final-block',
        'ack-on-delivery',
        '--token-ttl',
        String(p.tokenTtlSec),
        '--session-idle',
        String(p.sessionIdleSec),
        ...seedArgs(f.seed('soak')),
      ]);
      red = await startRed(relUserDir('soak', 'file'));
      await sim.fault({ kind: 'server-error', probability: 0.02, endpoint: 'any' });
      await red.deploy(observedDrainFlow(sim.url, { interval: String(p.intervalSec) }));
      const r = red;
      const s = sim;
      const samples: Sample[] = [];
      let sent = 0;
      const t0 = Date.now();
      let nextSample = t0;
      while (Date.now() - t0 < p.durationMs) {
        await s.generate(p.smsPerSec);
        sent += p.smsPerSec;
        if (Date.now() >= nextSample) {
          const h = await readHandles(r);
          samples.push({ at: Date.now() - t0, rss: r.rss(), resources: Object.values(h.byType).reduce((a, b) => a + b, 0), handles: h.handles });
          nextSample += Math.max(2000, p.windowMs / 10);
        }
        await sleep(1000);
      }
      // One more poll picks up the last trickle.
      const drained = await until(async () => (await readSink(r)).unique >= sent, (p.intervalSec + 60) * 1000, 500);
      const tally = await readSink(r);
      const c = await s.counters();
      const first = samples.filter((x) => x.at <= p.windowMs);
      const last = samples.filter((x) => x.at >= p.durationMs - p.windowMs);
      const avg = (xs: Sample[], k: keyof Sample): number => xs.reduce((a, x) => a + x[k], 0) / Math.max(1, xs.length);
      const max = (xs: Sample[], k: keyof Sample): number => Math.max(...xs.map((x) => x[k]));
      const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
      const win = `${p.windowMs / 60_000 >= 1 ? `${p.windowMs / 60_000} min` : `${p.windowMs / 1000} s`}`;
      f.info(
        `${sent} SMS trickled over ${(p.durationMs / 60_000).toFixed(1)} min; tokens issued ${c.tokensIssued}, logins ${c.loginsOk} (failed ${c.loginsFailed}), faults ${JSON.stringify(c.faultsInjected)}; drained ${drained}`,
      );
      f.check(`lost ${sent - tally.unique} of ${sent}`, 'lost 0', tally.unique === sent);
      f.check(`failed logins ${c.loginsFailed}`, '0', c.loginsFailed === 0);
      f.check(
        `RSS first ${win} avg ${mb(avg(first, 'rss'))} MB (max ${mb(max(first, 'rss'))}), last ${win} avg ${mb(avg(last, 'rss'))} MB (max ${mb(max(last, 'rss'))})`,
        'last avg <= first avg + 20 MB',
        avg(last, 'rss') <= avg(first, 'rss') + 20 * 2 ** 20,
      );
      f.check(
        `active resources first ${win} avg ${avg(first, 'resources').toFixed(1)} (max ${max(first, 'resources')}), last ${win} avg ${avg(last, 'resources').toFixed(1)} (max ${max(last, 'resources')}); _getActiveHandles ${avg(first, 'handles').toFixed(1)} -> ${avg(last, 'handles').toFixed(1)}`,
        'last max <= first max + 2',
        max(last, 'resources') <= max(first, 'resources') + 2,
      );
      f.assertAll();
    });
  });
}
