// C1-C4, issue #13: coordination through Redis. C1/C2: how long an account has no reader
// after its reader is killed (kill -9) or stopped (SIGINT), against the lease time and the
// poll interval. C3: drain throughput with coordination on vs off, ThingSpace 20 ms away and
// Redis 1 ms away (bench/redis-delay.ts). C4: Redis round trips per block of that drain,
// from Redis's own command counters.
import { RedisServer } from '../../test/support/redis-server';
import { freshId, oursFlow } from '../flows';
import { deploy, drainMs, runToCount, sleep, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { delayProxy } from '../redis-delay';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

const LEASE_S = 5;
const INTERVAL_S = 1;
const BLOCK = 100;

interface HistoryRecord {
  session: number;
  start: number;
}

/** Round trips Redis answered so far: every command coordination sends is a script, so the
 *  EVALSHA and EVAL calls of INFO commandstats (the commands a script runs inside count
 *  separately there, and are not round trips). */
async function redisCalls(redis: RedisServer): Promise<number> {
  const info = String(await redis.command('INFO', 'commandstats'));
  let n = 0;
  for (const m of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) n += Number(m[2]);
  return n;
}

export async function coordinationScenarios(plan: Plan, want: (id: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  let sim: SimulatorProcess | undefined;
  let redis: RedisServer | undefined;
  const reds: NodeRed[] = [];
  try {
    redis = await RedisServer.start();
    sim = await startSim(['--latency', String(plan.latencyMs)]);
    const proxy = await delayProxy(redis.port, 1);
    const coordinated = (url: string): Record<string, unknown> => ({
      coordination: 'redis',
      redisUrl: url,
      leaseTime: LEASE_S,
      instanceName: '${BENCH_RUNTIME}',
    });

    if (want('C3') || want('C4')) {
      const red = await startRed('coord-drain', {}, { env: { BENCH_RUNTIME: 'bench-a' } });
      reds.push(red);
      const n = plan.drainCount;
      const off: number[] = [];
      const on: number[] = [];
      let perBlock = NaN;
      for (let i = 0; i < plan.reps; i++) {
        await sim.generate(n);
        await deploy(red, oursFlow(sim.url, freshId('q')));
        off.push(drainMs(await runToCount(red, n, 300_000, 'drain, coordination off')));
        await sim.generate(n);
        await deploy(red, oursFlow(sim.url, freshId('q'), {}, coordinated(`redis://127.0.0.1:${proxy.port}`)));
        await sleep(1000); // the lease is taken
        const before = await redisCalls(redis);
        on.push(drainMs(await runToCount(red, n, 300_000, 'drain, coordination on')));
        perBlock = ((await redisCalls(redis)) - before) / Math.ceil(n / BLOCK);
      }
      if (want('C3')) {
        const ratios = spread(on.map((x, i) => off[i] / x));
        rows.push({
          id: 'C3',
          what: `drain ${fmt.n(n)} SMS, ThingSpace ${plan.latencyMs} ms, Redis 1 ms: coordination on vs off`,
          measured: `on ${fmt.ms(median(on))}, off ${fmt.ms(median(off))}`,
          ratio: ratios.median.toFixed(2),
          spread: describeSpread(ratios, fmt.ratio),
          target: '>= 0.95 (throughput on / off)',
          holds: ratios.median >= 0.95,
        });
      }
      if (want('C4')) {
        rows.push({
          id: 'C4',
          what: 'Redis round trips per block of that drain (confirm, state saves, renewals, heartbeats)',
          measured: `${perBlock.toFixed(2)} per block`,
          ratio: perBlock.toFixed(2),
          target: '<= 2',
          holds: perBlock <= 2,
        });
      }
      await red.stop();
    }

    for (const [id, how] of [
      ['C1', 'kill -9'],
      ['C2', 'graceful stop (SIGINT)'],
    ] as const) {
      if (!want(id)) continue;
      await redis.command('FLUSHALL');
      const a = await startRed(`coord-${id}-a`, {}, { env: { BENCH_RUNTIME: 'bench-a' } });
      const b = await startRed(`coord-${id}-b`, {}, { env: { BENCH_RUNTIME: 'bench-b' } });
      reds.push(a, b);
      await sim.generate(plan.drainCount);
      const flow = oursFlow(sim.url, freshId('q'), { interval: String(INTERVAL_S) }, coordinated(redis.url));
      await Promise.all([deploy(a, flow), deploy(b, flow)]);
      await sleep(2000);
      const holder = String(await redis.command('GET', `thingspace-sms:{0000123456-00001@${new URL(sim.url).host}}:lease`)).split('|')[2];
      const leader = holder === 'bench-b' ? b : a;
      const log = (await sim.control<{ requests: HistoryRecord[] }>('GET', 'history-log')).requests;
      const session = log[log.length - 1]?.session;
      const t0 = Date.now();
      if (id === 'C1') await leader.kill();
      else await leader.stop();
      let gap = NaN;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const next = (await sim.control<{ requests: HistoryRecord[] }>('GET', 'history-log')).requests.find((h) => h.start > t0 && h.session !== session);
        if (next) {
          gap = next.start - t0;
          break;
        }
        await sleep(20);
      }
      const bound = id === 'C1' ? (LEASE_S + INTERVAL_S) * 1000 : INTERVAL_S * 1000;
      rows.push({
        id,
        what: `failover after ${how}: no reader until the standby's first request`,
        measured: `${fmt.ms(gap)}; ${(gap / (LEASE_S * 1000)).toFixed(2)} x lease (${LEASE_S} s), ${(gap / (INTERVAL_S * 1000)).toFixed(1)} x interval (${INTERVAL_S} s)`,
        ratio: (gap / bound).toFixed(2),
        target: id === 'C1' ? '<= 1 of lease + interval' : '<= 1 of the poll interval',
        holds: gap <= bound,
      });
      await stopAll(a, b);
      // what the standby drained is left to the next scenario's fresh generate
    }
    await proxy.close();
  } finally {
    await stopAll(...reds, sim);
    await redis?.close();
  }
  return rows;
}
