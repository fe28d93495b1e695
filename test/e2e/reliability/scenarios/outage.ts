// Outage: the simulator process is killed mid-drain and a new one started on the same port
// after the outage, holding exactly the SMS the old one had not had acknowledged. During the
// outage the node retries with backoff (counted from its 'retrying' statuses: one per
// attempt), says so on its status, and resumes by itself.
import type { NodeRed, SimulatorProcess } from '../../harness';
import { readSink } from '../../harness';
import { seedArgs, startRed, relUserDir, sleep, startSim, stopAll } from '../support/env';
import { ACCOUNT, observedDrainFlow, readCollected } from '../support/flows';
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
      f.info(
        `outage ${(up - down) / 1000} s with ${left} SMS unacknowledged; statuses during it: ${[...new Set(retrying.map((x) => x.status?.text?.replace(/\d+ s/, 'N s')))].join(', ') || 'none'}`,
      );
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

/**
 * An outage that begins with a request cut in flight: ThingSpace took the `next` it carried
 * (acknowledging its block) and the answer never came back; then every connection is reset
 * until the restore. The retry carries that `next` again; a strict ThingSpace refuses it as
 * spent. That refusal is our own lost answer, not another reader: the drain resumes on the
 * first request after the restore, with no ANOTHER_READER and no second backoff step.
 */
export function resetsScenario(): void {
  describe('outage with a request cut in flight', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it(`resumes within one backoff step of the end of a ${PROFILE.resets.outageMs / 1000} s outage that cut a request ThingSpace had taken`, async () => {
      const f = new Figures('outage, resets in flight');
      const n = PROFILE.resets.sms;
      const list = knownSms('resets', n);
      sim = await startSim(['--final-block', 'ack-on-delivery', '--latency', '40']);
      const s = sim;
      red = await startRed(relUserDir('resets'));
      const r = red;
      await enqueueAll(sim, list);
      await red.deploy(observedDrainFlow(sim.url, { interval: '1' }));
      await until(async () => (await readSink(r)).unique >= n / 3, 120_000, 20);
      // The next history request is taken and then cut; every request after it is cut before
      // ThingSpace reads it, on every endpoint, until the restore.
      await sim.fault([
        { kind: 'reset-after', endpoint: 'history', count: 1 },
        { kind: 'reset', endpoint: 'any', probability: 1 },
      ]);
      const down = Date.now();
      await sleep(PROFILE.resets.outageMs);
      await sim.clearFaults();
      const up = Date.now();
      const drained = await until(async () => (await readSink(r)).unique >= n && (await s.counters()).queued === 0, 200_000, 100);
      const done = Date.now();
      const tally = await readSink(r);
      const c = await sim.counters();
      const log = (
        await sim.control<{ requests: Array<{ next: boolean; start: number; end?: number; status?: number; messages?: number }> }>(
          'GET',
          `history-log?account=${ACCOUNT}`,
        )
      ).requests;
      const errors = (await readCollected(r, 'errors')).filter((e) => e.source === 'sms-queue-in');
      const statuses = (await readCollected(r, 'statuses')).filter((x) => x.status?.source?.type === 'sms-queue-in');
      const cut = log.filter((x) => x.start >= down && x.start < up);
      const after = log.filter((x) => x.start >= up);
      const firstAfter = after[0];
      const resumed = after.find((x) => (x.messages ?? 0) > 0);
      const waitS = firstAfter ? (firstAfter.start - up) / 1000 : NaN;
      const resumeS = firstAfter && resumed?.end ? (resumed.end - firstAfter.start) / 1000 : NaN;
      const codes = errors.map((e) => e.code ?? '');
      const other = codes.filter((x) => x === 'ANOTHER_READER' || x.endsWith('.UnexpectedError'));
      const said = statuses.filter((x) => /another reader/i.test(x.status?.text ?? ''));
      f.info(
        `outage ${((up - down) / 1000).toFixed(1)} s, ${cut.length} requests cut in it (the first after ThingSpace took it); after the restore: ${after
          .slice(0, 3)
          .map((x) => `${x.next ? 'next' : 'no next'} ${x.status ?? 'cut'}`)
          .join(', ')}; Catch codes ${[...new Set(codes)].join(', ') || 'none'}; drain finished ${((done - up) / 1000).toFixed(1)} s after the restore`,
      );
      f.check(`spent next tokens sent again ${c.tokensStale}`, '>= 1 (the retry carried the next ThingSpace had taken)', c.tokensStale >= 1);
      f.check(`first request ${waitS.toFixed(1)} s after the restore`, 'within one backoff step (the 60 s cap)', waitS <= 60);
      f.check(`drain resumed ${resumeS.toFixed(2)} s after that request`, '<= 1 s (no second backoff step)', resumeS <= 1);
      f.check(
        `ANOTHER_READER or refusal errors at Catch ${other.length}, statuses naming another reader ${said.length}`,
        '0, 0',
        other.length === 0 && said.length === 0,
      );
      f.check(`lost ${n - tally.unique} of ${n}${drained ? '' : ' (not drained within 200 s)'}`, 'lost 0', drained && tally.unique === n);
      f.assertAll();
    });
  });
}
