// Outage: the simulator process is killed mid-drain and a new one started on the same port
// after the outage, holding exactly the SMS the old one had not had acknowledged. During the
// outage the node retries with backoff (counted from its 'retrying' statuses: one per
// attempt), says so on its status, and resumes by itself.
import type { NodeRed, SimulatorProcess } from '../../harness';
import { readSink } from '../../harness';
import { seedArgs, startRed, relUserDir, sleep, startSim, stopAll } from '../support/env';
import { observedDrainFlow, readCollected } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { enqueueAll, knownSms } from '../support/sms';
import { until } from '../support/wait';

export function outageScenario(): void {
  describe('simulator outage mid-drain', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it(`resumes by itself after a ${PROFILE.outage.outageMs / 1000} s outage, without a request storm`, async () => {
      const f = new Figures('outage');
      const n = PROFILE.outage.sms;
      const list = knownSms('outage', n);
      // Latency makes the drain long enough to stop it in the middle.
      const args = ['--final-block', 'ack-on-delivery', '--latency', '150', ...seedArgs(f.seed('outage'))];
      sim = await startSim(args);
      const port = sim.port;
      red = await startRed(relUserDir('outage'));
      await enqueueAll(sim, list);
      await red.deploy(observedDrainFlow(sim.url, { interval: '1' }));
      const r = red;
      await until(async () => (await readSink(r)).unique >= n / 3, 120_000, 50);
      // Freeze the queue (a 503 processes nothing), let the request in flight finish, then
      // note what is still unacknowledged: the queue is FIFO, so it is the tail of the list.
      await sim.fault({ kind: 'server-error', probability: 1 });
      const s1 = sim;
      await until(async () => (await s1.counters()).inFlightHistory === 0, 10_000, 20);
      const left = (await sim.counters()).queued;
      await sim.kill();
      const down = Date.now();
      await sleep(PROFILE.outage.outageMs);
      sim = await startSim(args, port);
      const up = Date.now();
      await enqueueAll(sim, list.slice(n - left));
      const s2 = sim;
      const resumed = await until(async () => (await readSink(r)).unique >= n && (await s2.counters()).queued === 0, 400_000, 250);
      const resumeS = (Date.now() - up) / 1000;
      const tally = await readSink(r);
      const statuses = (await readCollected(r, 'statuses')).filter((x) => x.status?.source?.type === 'sms-queue-in');
      const during = statuses.filter((x) => x.at >= down && x.at < up);
      const retrying = during.filter((x) => (x.status?.text ?? '').startsWith('retrying'));
      const minutes = PROFILE.outage.outageMs / 60_000;
      // Backoff 1 s doubling to 60 s with full jitter: about log2(outage) attempts. A storm
      // (a retry per second or faster) would be >= 60 per minute.
      const bound = Math.ceil(8 + 4 * minutes);
      f.info(`outage ${(up - down) / 1000} s with ${left} SMS unacknowledged; statuses during it: ${[...new Set(retrying.map((x) => x.status?.text?.replace(/\d+ s/, 'N s')))].join(', ') || 'none'}`);
      f.check(`requests during the outage ${retrying.length}`, `<= ${bound} (backoff, no storm)`, retrying.length <= bound && retrying.length >= 1);
      f.check(`status said "retrying" ${retrying.length} time(s) during the outage`, '>= 1', retrying.length >= 1);
      f.check(
        `drain resumed by itself, finished ${resumed ? `${resumeS.toFixed(1)} s` : 'NOT within 400 s'} after the restart`,
        'resumes, within 150 s (up to two waits of the 60 s backoff cap, then the drain)',
        resumed && resumeS <= 150,
      );
      f.check(`lost ${n - tally.unique} of ${n}`, 'lost 0', tally.unique === n);
      f.assertAll();
    });
  });
}
