// Issue #22: the Redis that coordinates the runtimes fails over. Two Node-RED processes from
// the packed tarball coordinate through a real Redis Sentinel set (Debian's redis-server and
// redis-sentinel: a primary, a replica, three sentinels, down after 1 s); the primary is
// SIGKILLed during a 5,000 SMS manual-ack drain. The simulator's history log is the witness
// of "one reader at a time"; the file node's lines are the record of what was emitted.
import fs from 'node:fs';
import path from 'node:path';
import type { NodeRed, SimulatorProcess } from '../../harness';
import { ACCOUNT, queueNode, tab } from '../../harness';
import { SentinelSet, sentinelAvailable } from '../../../support/redis-sentinel';
import { startRed, relUserDir, sleep, startSim, stopAll, type RelUserDir } from '../support/env';
import { endpoints, observers, readCollected, relConfig, type Collected } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { until } from '../support/wait';
import { manualFileFlow } from './crash';

type N = Record<string, unknown>;
const P = PROFILE.sentinel;
const PREFIX = 'rel22:';
const OUT_FILE = 'sms-out.txt';
const OTHER = '0000123456-00002';
/** The data nodes' password: the secrets scan looks for it too. */
export const SENTINEL_REDIS_PASSWORD = 'RelSentinelRedisPass-4b9e';

interface Replica {
  name: string;
  dir: RelUserDir;
  red: NodeRed;
}

interface HistoryRecord {
  account: string;
  session: number;
  next: boolean;
  start: number;
  end?: number;
}

export function sentinelScenarios(): void {
  describe('coordination through Redis Sentinel (two runtimes, the primary killed)', function () {
    this.timeout(0);
    let set: SentinelSet | undefined;
    let sim: SimulatorProcess | undefined;
    const replicas: Replica[] = [];

    const sentinelConfig = (server: string, extra: N = {}): N =>
      relConfig(
        server,
        { redisPassword: SENTINEL_REDIS_PASSWORD },
        {
          coordination: 'sentinel',
          sentinels: set!.list,
          sentinelMaster: set!.master,
          redisPrefix: PREFIX,
          leaseTime: P.leaseSec,
          instanceName: '${TS_RUNTIME}',
          ...extra,
        },
      );

    const leaseKey = (): string => `${PREFIX}{${ACCOUNT}@127.0.0.1:${sim!.port}}:lease`;
    /** The lease value ("epoch|token|runtime") on one data node. */
    async function leaseOn(port: number): Promise<string | undefined> {
      const v = await set!.nodes.find((n) => n.port === port)?.command('GET', leaseKey());
      return typeof v === 'string' ? v : undefined;
    }
    const history = async (): Promise<HistoryRecord[]> => (await sim!.control<{ requests: HistoryRecord[] }>('GET', 'history-log')).requests;

    function written(): { lines: number; unique: number } {
      const all: string[] = [];
      for (const r of replicas) {
        try {
          all.push(
            ...fs
              .readFileSync(path.join(r.dir.userDir, OUT_FILE), 'utf8')
              .split('\n')
              .filter((l) => l.length > 0),
          );
        } catch {
          // nothing written yet
        }
      }
      return { lines: all.length, unique: new Set(all).size };
    }

    before(async function () {
      if (!sentinelAvailable()) {
        console.log('      skipped: redis-server or redis-sentinel is not installed');
        this.skip();
      }
      for (const name of ['rt-a', 'rt-b']) {
        const dir = relUserDir(`sentinel-${name}`);
        replicas.push({ name, dir, red: await startRed(dir, { env: { TS_RUNTIME: name } }) });
      }
    });

    beforeEach(async () => {
      await stopAll(sim);
      await set?.close();
      set = await SentinelSet.start({ password: SENTINEL_REDIS_PASSWORD });
      sim = await startSim(['--latency', '10', '--final-block', 'ack-on-delivery']);
    });

    after(async () => {
      await stopAll(...replicas.map((r) => r.red), sim);
      await set?.close();
    });

    it(`${P.sms} SMS in manual-ack mode, the Redis primary SIGKILLed mid-drain: lost 0, at most one block twice, the statuses say what happened`, async () => {
      const f = new Figures('sentinel, primary killed');
      const n = P.sms;
      await sim!.generate(n);
      for (const r of replicas) fs.rmSync(path.join(r.dir.userDir, OUT_FILE), { force: true });
      await Promise.all(
        replicas.map((r) => r.red.deploy(manualFileFlow(sim!.url, OUT_FILE, 10).map((x) => (x.type === 'thingspace-config' ? sentinelConfig(sim!.url) : x)))),
      );
      const started = await until(() => written().unique >= n * 0.3, 120_000, 20);
      const oldPort = (await set!.primary()).port;
      const atKillLease = await leaseOn(oldPort);
      const atKill = written().unique;
      // Before the kill: the runtimes may see the primary go before killPrimary() returns.
      const t0 = Date.now();
      await set!.killPrimary();
      let promotedMs = NaN;
      const promotion = set!.failedOver(oldPort).then(
        (node) => ((promotedMs = Date.now() - t0), node),
        () => undefined,
      );
      // Taken again: a lease value other than the one at the kill, on a surviving node.
      let retakenLease: string | undefined;
      const retaken = await until(
        async () => {
          for (const node of set!.nodes.filter((x) => x.port !== oldPort)) {
            const v = await leaseOn(node.port);
            if (v !== undefined && v !== atKillLease) retakenLease = v;
          }
          return retakenLease !== undefined;
        },
        30_000,
        50,
      );
      const retakenMs = Date.now() - t0;
      const newPrimary = await promotion;
      const leader = atKillLease?.split('|')[2];
      const newHolder = retakenLease?.split('|')[2];
      const onNewPrimary = newPrimary !== undefined && (await leaseOn(newPrimary.port)) === retakenLease;
      const done = await until(() => written().unique >= n, 120_000, 100);
      const doneMs = Date.now() - t0;
      await sleep(1500); // the last status ("idle since") and any late Catch message
      const tally = written();
      const c = await sim!.counters();
      const log = await history();
      // Reading stopped: no request went out between the kill (plus one request in flight) and the lease retaken.
      const during = log.filter((h) => h.start > t0 + 500 && h.start < t0 + retakenMs - 200 && h.account === ACCOUNT).length;

      const byRuntime = await Promise.all(
        replicas.map(async (r) => ({
          r,
          statuses: (await readCollected(r.red, 'statuses')).filter((s) => s.status?.source?.type === 'sms-queue-in'),
          errors: await readCollected(r.red, 'errors'),
        })),
      );
      const text = (s: Collected): string => s.status?.text ?? '';
      const failoverSaid = byRuntime.filter((x) => x.statuses.some((s) => s.at >= t0 && /^Redis failover \(tsms via Sentinel\)/.test(text(s)))).length;
      const holderAfter = byRuntime.find((x) => x.r.name === newHolder);
      const lastOfHolder = holderAfter?.statuses[holderAfter.statuses.length - 1];
      const reading = lastOfHolder !== undefined && new RegExp(` · ${newHolder}$`).test(text(lastOfHolder)) && !/failover|unavailable/.test(text(lastOfHolder));
      const caught = byRuntime.flatMap((x) =>
        x.errors.filter((e) => e.at >= t0 && e.code === 'COORDINATION_UNAVAILABLE').map((e) => ({ rt: x.r.name, message: e.message ?? '' })),
      );
      const perRuntime = replicas.map((r) => caught.filter((e) => e.rt === r.name).length);
      const anotherReader = byRuntime.reduce(
        (k, x) => k + x.errors.filter((e) => e.code === 'ANOTHER_READER').length + x.statuses.filter((st) => /another reader/.test(text(st))).length,
        0,
      );
      const leaked = byRuntime.some((x) => JSON.stringify([x.statuses, x.errors]).includes(SENTINEL_REDIS_PASSWORD));

      f.info(
        `killed the primary (127.0.0.1:${oldPort}, leader ${String(leader)}) at ${atKill} SMS written; replica promoted after ${promotedMs} ms; ` +
          `lease held again by ${String(newHolder)} ${retakenMs} ms after the kill (epoch ${String(retakenLease?.split('|')[0])}); drain done ${doneMs} ms after it`,
      );
      // What each runtime said after the kill (repeats folded), ms from the kill; and the longest pause in reading.
      for (const x of byRuntime) {
        const said = x.statuses.filter((st) => st.at >= t0).filter((st, i, a) => text(st).replace(/\d+/g, '#') !== text(a[i - 1] ?? {}).replace(/\d+/g, '#'));
        f.info(`${x.r.name} after the kill: ${said.map((st) => `+${st.at - t0} ${text(st)}`).join(' -> ')}`);
      }
      const starts = log.filter((h) => h.account === ACCOUNT && h.start > t0 + retakenMs).map((h) => h.start);
      const gap = starts.reduce((m, x, i) => (i === 0 ? m : Math.max(m, x - starts[i - 1])), 0);
      f.info(`longest pause between history requests after the lease was retaken: ${gap} ms`);
      f.check(`drain under way at the kill`, `between 1 and ${n - 1} SMS`, started && atKill < n);
      f.check(`lost ${n - tally.unique} of ${n}${done ? '' : ' (drain NOT finished)'}`, 'lost 0', tally.unique === n);
      f.check(`duplicates ${tally.lines - tally.unique} after 1 failover`, 'at most one block (100)', tally.lines - tally.unique <= 100);
      f.check(`lease taken again on the new primary after ${retakenMs} ms`, 'within 15 s', retaken && onNewPrimary && retakenMs <= 15_000);
      f.check(`"another reader" said (Catch or status): ${anotherReader}`, '0: a failover is no other reader', anotherReader === 0);
      f.check(`history requests while no lease could be confirmed: ${during}`, '0', during === 0);
      f.check(`overlapping history requests ${c.historyOverlaps}`, '0', c.historyOverlaps === 0);
      f.check(`runtimes whose status said "Redis failover": ${failoverSaid} of ${replicas.length}`, `${replicas.length}`, failoverSaid === replicas.length);
      f.check(`the holder's status afterwards: "${lastOfHolder ? text(lastOfHolder) : 'none'}"`, `reading, naming ${String(newHolder)}`, reading);
      f.check(
        `COORDINATION_UNAVAILABLE to Catch per runtime: ${perRuntime.join(', ')}`,
        'once each, naming the failover',
        perRuntime.every((k) => k === 1) && caught.every((e) => /failover/.test(e.message)),
      );
      f.check('the Redis password in statuses or errors', 'never', !leaked);
      f.assertAll();
    });

    it('bad configuration: an unknown master name, sentinels that do not answer: a clear error, nothing read, the other account reads on', async () => {
      const f = new Figures('sentinel, bad configuration');
      const red = replicas[0].red;
      await sim!.configure({ accounts: [ACCOUNT, OTHER] });
      const cases: Array<[string, N, string, RegExp, RegExp]> = [
        [
          'unknown master name',
          { sentinelMaster: 'no-such-master' },
          'BAD_CONFIG',
          /the sentinels monitor no master named "no-such-master": check the master name/,
          /^Redis Sentinel: no master named "no-such-master"/,
        ],
        [
          'sentinels that do not answer',
          { sentinels: '127.0.0.1:1, 127.0.0.1:2' },
          'COORDINATION_UNAVAILABLE',
          /no sentinel answers/,
          /^coordination unavailable: no sentinel answers/,
        ],
      ];
      for (const [what, extra, code, pattern, statusPattern] of cases) {
        await sim!.generate(20);
        await sim!.generate(30, OTHER);
        const before = (await history()).length;
        const good = { ...relConfig(sim!.url), id: 'cfg-good', accountName: OTHER };
        await red.deploy([
          tab(),
          sentinelConfig(sim!.url, extra),
          good,
          queueNode([], { interval: '1' }),
          { ...queueNode([], { interval: '1' }), id: 'q-good', thingspace: 'cfg-good', y: 160 },
          ...observers(),
          ...endpoints(),
        ]);
        const said = await until(async () => (await readCollected(red, 'errors')).some((e) => e.code === code && pattern.test(e.message ?? '')), 15_000, 200);
        const otherRead = await until(async () => (await history()).slice(before).some((h) => h.account === OTHER), 15_000, 200);
        await sleep(2000);
        const errors = await readCollected(red, 'errors', true);
        const statuses = (await readCollected(red, 'statuses', true)).filter((s) => s.status?.source?.id === 'e2e-q');
        const last = statuses[statuses.length - 1]?.status;
        const readBad = (await history()).slice(before).filter((h) => h.account === ACCOUNT).length;
        const mine = errors.filter((e) => e.source === 'sms-queue-in' && e.code === code);
        f.check(`${what}: to Catch ${mine.map((e) => e.message).join(' | ') || 'nothing'}`, `${code}, ${pattern.source}, once`, said && mine.length === 1);
        f.check(`${what}: status "${last?.text ?? 'none'}"`, `red, ${statusPattern.source}`, last?.fill === 'red' && statusPattern.test(last?.text ?? ''));
        f.check(`${what}: history requests on the account without a lease: ${readBad}`, '0', readBad === 0);
        f.check(`${what}: the other account (a plain config node) read`, 'yes', otherRead);
        f.check(`${what}: the Redis password in errors or statuses`, 'never', !JSON.stringify([errors, statuses]).includes(SENTINEL_REDIS_PASSWORD));
      }
      await red.deploy([tab(), ...observers(), ...endpoints()]);
      f.assertAll();
    });
  });
}
