// Issue #13: more than one Node-RED on one account, coordinated through a real redis-server.
// Three Node-RED processes from the packed tarball run the same flow; the simulator counts
// history requests that overlap on an account and logs each with its session, so it is the
// independent witness of "one reader at a time". Random moments are seeded: the seed is
// printed, and COORDINATION_SEED=<n> replays a run.
import fs from 'node:fs';
import path from 'node:path';
import type { NodeRed, SimulatorProcess } from '../../harness';
import { ACCOUNT, TAB, countingSink, queueNode, readSink, sinkEndpoint, tab } from '../../harness';
import { RedisServer, redisAvailable } from '../../../support/redis-server';
import { startRed, relUserDir, sleep, startSim, stopAll, type RelUserDir } from '../support/env';
import { endpoints, observers, readCollected, relConfig } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { until } from '../support/wait';
import type { HistoryRecord } from '../../../../simulator/history-log';
import { FINAL_BLOCK_WINDOW_MS, manualFileFlow, windowKill, type WindowKill } from './crash';
import { callbackBody, postAll } from './push';

type N = Record<string, unknown>;
const P = PROFILE.coordination;
const PREFIX = 'rel13:';
const OUT_FILE = 'sms-out.txt';

/** mulberry32: small, seedable, good enough to pick moments. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Replica {
  name: string;
  dir: RelUserDir;
  red: NodeRed;
}

export function coordinationScenarios(): void {
  describe('more than one Node-RED on one account (coordination through Redis)', function () {
    this.timeout(0);
    const seed = Number(process.env.COORDINATION_SEED) || Math.floor(Math.random() * 2 ** 31);
    const random = seeded(seed);
    let redis: RedisServer | undefined;
    let sim: SimulatorProcess | undefined;
    const replicas: Replica[] = [];

    const coordinated = (server: string, extra: N = {}): N =>
      relConfig(
        server,
        {},
        { coordination: 'redis', redisUrl: redis!.url, redisPrefix: PREFIX, leaseTime: P.leaseSec, instanceName: '${TS_RUNTIME}', ...extra },
      );

    async function startReplica(name: string): Promise<Replica> {
      const dir = relUserDir(`coord-${name}`);
      const red = await startRed(dir, { env: { TS_RUNTIME: name } });
      return { name, dir, red };
    }

    async function restart(r: Replica): Promise<void> {
      r.red = await startRed(r.dir, { env: { TS_RUNTIME: r.name } });
    }

    const leaseKey = (account = ACCOUNT): string => `${PREFIX}{${account}@${new URL(sim!.url).host}}:lease`;
    async function holderOf(account = ACCOUNT): Promise<string | undefined> {
      const v = await redis!.command('GET', leaseKey(account));
      return typeof v === 'string' ? v.split('|')[2] : undefined;
    }
    const history = async (): Promise<HistoryRecord[]> => (await sim!.control<{ requests: HistoryRecord[] }>('GET', 'history-log')).requests;

    /** The SMS texts written by every runtime's file node: each line one SMS. */
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

    async function deployAll(flow: (r: Replica) => N[]): Promise<void> {
      for (const r of replicas) fs.rmSync(path.join(r.dir.userDir, OUT_FILE), { force: true });
      await Promise.all(replicas.map((r) => r.red.deploy(flow(r))));
    }

    before(async function () {
      if (!redisAvailable()) {
        console.log('      skipped: redis-server is not installed');
        this.skip();
      }
      console.log(`      coordination seed ${seed} (COORDINATION_SEED=${seed} replays it)`);
      redis = await RedisServer.start();
      for (const name of ['rt-a', 'rt-b', 'rt-c']) replicas.push(await startReplica(name));
    });

    beforeEach(async () => {
      await stopAll(sim);
      await redis!.command('FLUSHALL');
      sim = await startSim(['--latency', '10', '--final-block', 'ack-on-delivery']);
    });

    after(async () => {
      await stopAll(...replicas.map((r) => r.red), sim);
      await redis?.close();
    });

    it(`three runtimes, ${P.sms} SMS in manual-ack mode, the leader SIGKILLed ${P.kills} time(s): nothing lost, one reader at a time`, async () => {
      const f = new Figures('coordination, failover after kill -9');
      const n = P.sms;
      await sim!.generate(n);
      await deployAll(() => manualFileFlow(sim!.url, OUT_FILE, 10).map((x) => (x.type === 'thingspace-config' ? coordinated(sim!.url) : x)));
      const failovers: number[] = [];
      const windows: WindowKill[] = [];
      for (let k = 0; k < P.kills; k++) {
        const before = written().unique;
        const target = before + Math.floor((n - before) * (0.15 + random() * 0.4));
        await until(() => written().unique >= target, 120_000, 20);
        await sleep(Math.floor(random() * 300));
        const name = await holderOf();
        const leader = replicas.find((r) => r.name === name);
        if (!leader) throw new Error(`no lease holder found (${String(name)})`);
        const log = await history();
        const leaderSession = log[log.length - 1]?.session;
        const t0 = Date.now();
        await leader.red.kill();
        const hit = windowKill(await history(), t0);
        if (hit) windows.push(hit);
        await until(async () => (await history()).some((h) => h.start > t0 && h.session !== leaderSession), 60_000, 50);
        const next = (await history()).find((h) => h.start > t0 && h.session !== leaderSession);
        failovers.push(next ? next.start - t0 : NaN);
        await restart(leader);
      }
      const done = await until(() => written().unique >= n, 180_000, 250);
      const tally = written();
      const c = await sim!.counters();
      f.info(`seed ${seed}; failover after kill -9: ${failovers.map((ms) => `${ms} ms`).join(', ')} (lease ${P.leaseSec * 1000} ms, poll interval 1000 ms)`);
      // The documented limit (README, "The final block"): a kill between a final block's answer and its hold.
      const inWindow = windows.reduce((sum, w) => sum + w.messages, 0);
      const slowest = Math.max(0, ...windows.map((w) => w.since));
      const lost = n - tally.unique;
      if (windows.length > 0)
        f.info(`${windows.map((w) => `${w.since} ms`).join(', ')} after a final block of ${inWindow} SMS was answered, the leader was killed`);
      f.check(
        `lost ${lost} of ${n}${done ? '' : ' (drain NOT finished within 180 s)'}${windows.length > 0 ? ` (at most ${inWindow} in the final-block window)` : ''}`,
        `lost 0, but for a final block answered (ack-on-delivery) at most ${FINAL_BLOCK_WINDOW_MS} ms before the kill`,
        lost === 0 || (lost <= inWindow && slowest <= FINAL_BLOCK_WINDOW_MS),
      );
      f.check(
        `duplicates ${tally.lines - tally.unique} after ${P.kills} failover(s)`,
        `at most one block (100) per failover`,
        tally.lines - tally.unique <= 100 * P.kills,
      );
      f.check(`overlapping history requests ${c.historyOverlaps}`, '0', c.historyOverlaps === 0);
      f.check(
        `slowest failover ${Math.max(...failovers)} ms`,
        `within lease + interval + 2 s (${P.leaseSec * 1000 + 3000} ms)`,
        failovers.every((ms) => ms <= P.leaseSec * 1000 + 3000),
      );
      f.assertAll();
    });

    it(`the leader SIGSTOPped for 3x the lease time, then SIGCONTed: no request with next after its lease, nothing lost`, async () => {
      const f = new Figures('coordination, paused leader');
      const n = P.sms;
      await sim!.generate(n);
      await deployAll(() => manualFileFlow(sim!.url, OUT_FILE, 10).map((x) => (x.type === 'thingspace-config' ? coordinated(sim!.url) : x)));
      await until(() => written().unique >= Math.floor(n * (0.2 + random() * 0.3)), 120_000, 20);
      const name = await holderOf();
      const leader = replicas.find((r) => r.name === name)!;
      const log = await history();
      const pausedSession = log[log.length - 1].session;
      const stoppedAt = Date.now();
      process.kill(leader.red.pid, 'SIGSTOP');
      await sleep(3 * P.leaseSec * 1000);
      process.kill(leader.red.pid, 'SIGCONT');
      const resumedAt = Date.now();
      const done = await until(() => written().unique >= n, 180_000, 250);
      await sleep(1000);
      const late = (await history()).filter((h) => h.session === pausedSession && h.next && h.start > stoppedAt + P.leaseSec * 1000);
      const tally = written();
      const c = await sim!.counters();
      f.info(`seed ${seed}; paused ${resumedAt - stoppedAt} ms (lease ${P.leaseSec * 1000} ms); new holder ${String(await holderOf())}`);
      f.check(`requests with next from the paused runtime after its lease expired: ${late.length}`, '0', late.length === 0);
      f.check(`lost ${n - tally.unique} of ${n}${done ? '' : ' (drain NOT finished)'}`, 'lost 0', tally.unique === n);
      f.check(`overlapping history requests ${c.historyOverlaps}`, '0', c.historyOverlaps === 0);
      f.assertAll();
    });

    it(`Redis restarted mid-drain (keys lost), then down for ${P.outageMs / 1000} s: nothing lost, polling resumes, statuses say why`, async () => {
      const f = new Figures('coordination, Redis faults');
      const n = P.sms;
      await sim!.generate(n);
      await deployAll(() => [...manualFileFlow(sim!.url, OUT_FILE, 10).map((x) => (x.type === 'thingspace-config' ? coordinated(sim!.url) : x))]);
      await until(() => written().unique >= Math.floor(n * 0.2), 120_000, 20);
      await redis!.restart(200);
      await until(() => written().unique >= Math.floor(n * 0.5), 120_000, 20);
      await redis!.stop();
      const downAt = Date.now();
      await sleep(1500);
      const during = written().unique;
      await sleep(Math.max(0, P.outageMs - 1500));
      const stalled = written().unique - during;
      await redis!.launch();
      const back = Date.now();
      const resumed = await until(() => written().unique > during + stalled, 60_000, 100);
      const resumedAfter = Date.now() - back;
      const done = await until(() => written().unique >= n, 180_000, 250);
      const tally = written();
      const c = await sim!.counters();
      const statuses = (await Promise.all(replicas.map((r) => readCollected(r.red, 'statuses')))).flat();
      const errors = (await Promise.all(replicas.map((r) => readCollected(r.red, 'errors')))).flat();
      const said = statuses.filter((s) => /coordination unavailable/.test(s.status?.text ?? '')).length;
      const caught = errors.filter((e) => e.code === 'COORDINATION_UNAVAILABLE').length;
      f.info(
        `outage ${back - downAt} ms; drain resumed ${resumedAfter} ms after Redis came back; ${said} "coordination unavailable" statuses, ${caught} COORDINATION_UNAVAILABLE errors`,
      );
      f.check(`SMS written while Redis was down (after 1.5 s): ${stalled}`, '0: no reading without a lease', stalled === 0);
      f.check(`drain resumed by itself`, 'yes', resumed);
      f.check(`lost ${n - tally.unique} of ${n}${done ? '' : ' (drain NOT finished)'}`, 'lost 0', tally.unique === n);
      f.check(`statuses and Catch name the outage`, 'both seen', said > 0 && caught > 0);
      f.check(`overlapping history requests ${c.historyOverlaps}`, '0', c.historyOverlaps === 0);
      f.assertAll();
    });

    it(`push: ${P.pushes} callbacks over two runtimes, each body sent to both: every SMS emitted once`, async () => {
      const f = new Figures('coordination, push behind a load balancer');
      const flow = (): N[] => [
        tab(),
        coordinated(sim!.url),
        { id: 'rel-push-in', type: 'http in', z: TAB, name: '', url: '/rel/push', method: 'post', upload: false, swaggerDoc: '', wires: [['e2e-q']] },
        queueNode(['e2e-count'], { interval: '0' }),
        countingSink('e2e-count', ['rel-push-out']),
        { id: 'rel-push-out', type: 'http response', z: TAB, name: '', statusCode: '200', headers: {}, wires: [] },
        ...sinkEndpoint(),
      ];
      await deployAll(flow);
      await sleep(1000);
      const [a, b] = replicas;
      const bodies = Array.from({ length: P.pushes }, (_, i) => callbackBody(i));
      // Each body to one runtime, then its retry to the other (half start on each side).
      const first = bodies.filter((_, i) => i % 2 === 0);
      const second = bodies.filter((_, i) => i % 2 === 1);
      await Promise.all([postAll(`${a.red.url}/rel/push`, first, 10), postAll(`${b.red.url}/rel/push`, second, 10)]);
      await Promise.all([postAll(`${b.red.url}/rel/push`, first, 10), postAll(`${a.red.url}/rel/push`, second, 10)]);
      const [ta, tb] = await Promise.all([readSink(a.red), readSink(b.red)]);
      const emitted = ta.count + tb.count;
      f.info(`emitted by ${a.name}: ${ta.count}, by ${b.name}: ${tb.count}`);
      f.check(`emitted ${emitted} for ${P.pushes} SMS each pushed twice`, `${P.pushes}: once each`, emitted === P.pushes && ta.dups === 0 && tb.dups === 0);
      f.assertAll();
    });

    it(`spread: ${P.accounts} accounts x ${P.perAccount} SMS on three runtimes; one killed, its accounts move; nothing lost`, async () => {
      const f = new Figures('coordination, many accounts');
      const accounts = Array.from({ length: P.accounts }, (_, i) => `0000123456-${String(i + 1).padStart(5, '0')}`);
      await sim!.configure({ accounts });
      for (const acct of accounts) await sim!.generate(P.perAccount, acct);
      const flow = (): N[] => {
        const nodes: N[] = [tab()];
        accounts.forEach((acct, i) => {
          nodes.push({ ...coordinated(sim!.url), id: `cfg-${i}`, accountName: acct });
          nodes.push({ ...queueNode(['spread-file'], { interval: '1' }), id: `q-${i}`, thingspace: `cfg-${i}`, y: 40 + i * 20 });
        });
        nodes.push({
          id: 'spread-file',
          type: 'file',
          z: TAB,
          name: 'write',
          filename: OUT_FILE,
          filenameType: 'str',
          appendNewline: true,
          createDir: true,
          overwriteFile: 'false',
          encoding: 'none',
          wires: [[]],
        });
        return nodes;
      };
      await deployAll(flow);
      const total = P.accounts * P.perAccount;
      const share = Math.ceil(P.accounts / 3);
      const spreadNow = async (): Promise<Record<string, number>> => {
        const counts: Record<string, number> = {};
        for (const acct of accounts) {
          const h = await holderOf(acct);
          if (h) counts[h] = (counts[h] ?? 0) + 1;
        }
        return counts;
      };
      const fair = async (names: string[], each: number): Promise<boolean> => {
        const s = await spreadNow();
        return names.every((nm) => Math.abs((s[nm] ?? 0) - each) <= 1) && Object.values(s).reduce((x, y) => x + y, 0) === P.accounts;
      };
      const spreadOk = await until(() => fair(['rt-a', 'rt-b', 'rt-c'], share), 60_000, 250);
      const spread = await spreadNow();
      const victim = replicas[2];
      const t0 = Date.now();
      await victim.red.kill();
      const share2 = Math.ceil(P.accounts / 2);
      const moved = await until(async () => !Object.keys(await spreadNow()).includes(victim.name) && (await fair(['rt-a', 'rt-b'], share2)), 60_000, 100);
      const movedMs = Date.now() - t0;
      const done = await until(() => written().unique >= total, 180_000, 250);
      const tally = written();
      const c = await sim!.counters();
      await restart(victim);
      f.info(`leases per runtime before the kill: ${JSON.stringify(spread)}; after: ${JSON.stringify(await spreadNow())}`);
      f.check(`each runtime held ${share} +- 1 leases`, 'yes', spreadOk);
      f.check(
        `the killed runtime's accounts moved in ${movedMs} ms`,
        `within lease + 2 intervals + 2 s (${P.leaseSec * 1000 + 4000} ms)`,
        moved && movedMs <= P.leaseSec * 1000 + 4000,
      );
      f.check(`lost ${total - tally.unique} of ${total}${done ? '' : ' (drain NOT finished)'}`, 'lost 0', tally.unique === total);
      f.check(`overlapping history requests ${c.historyOverlaps}`, '0', c.historyOverlaps === 0);
      f.assertAll();
    });

    it('bad input: a wrong Redis URL, a wrong password, a server that is not Redis: clear errors, no crash, no polling', async () => {
      const f = new Figures('coordination, bad input');
      await sim!.generate(50);
      const red = replicas[0].red;
      const cases: Array<[string, N, RegExp]> = [
        ['an http:// URL', { redisUrl: 'http://127.0.0.1:6379' }, /redis:\/\/ or rediss:\/\//],
        ['nothing listening', { redisUrl: 'redis://127.0.0.1:1' }, /connection refused/],
        ['a wrong password', {}, /WRONGPASS|refused the password|asks for a password/],
        ['not Redis (the simulator)', { redisUrl: `redis://127.0.0.1:${sim!.port}` }, /Redis protocol/],
      ];
      const secured = await RedisServer.start({ password: 'RelRedisPass-77a1' });
      try {
        for (const [what, extra, pattern] of cases) {
          const x = what === 'a wrong password' ? { redisUrl: secured.url, ...extra } : extra;
          await red.deploy([tab(), coordinated(sim!.url, x), queueNode([], { interval: '1' }), ...observers(), ...endpoints()]);
          const said = await until(async () => (await readCollected(red, 'errors')).some((e) => pattern.test(e.message ?? '')), 15_000, 200);
          const errors = await readCollected(red, 'errors', true);
          const c = await sim!.counters();
          f.check(
            `${what}: ${errors.map((e) => e.code).join(', ') || 'no error'}`,
            `a clear error (${pattern.source}), no history request`,
            said && (c.requests.history ?? 0) === 0,
          );
          f.check(`${what}: no secret in the errors`, 'none', !JSON.stringify(errors).includes('RelRedisPass-77a1'));
        }
        // Two accounts under one prefix: each its own lease, both read.
        await sim!.configure({ accounts: [ACCOUNT, '0000123456-00002'] });
        await sim!.generate(30, '0000123456-00002');
        await red.deploy([
          tab(),
          coordinated(sim!.url),
          { ...coordinated(sim!.url), id: 'cfg-2', accountName: '0000123456-00002' },
          queueNode([], { interval: '1' }),
          { ...queueNode([], { interval: '1' }), id: 'q-2', thingspace: 'cfg-2' },
        ]);
        const both = await until(async () => (await sim!.counters()).queued === 0, 30_000, 200);
        f.check('two accounts on one key prefix: each read under its own lease', 'both drained', both);
      } finally {
        await secured.close();
      }
      f.assertAll();
    });
  });
}
