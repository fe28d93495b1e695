// P8: the latency-bound drain of P1 over HTTPS and through a real CONNECT proxy (Debian's
// tinyproxy), as a site behind a corporate proxy runs it: the simulator serves HTTPS with a
// certificate of a throwaway CA, Node-RED trusts that CA through NODE_EXTRA_CA_CERTS (the
// config node has no CA field) and finds the proxy in HTTPS_PROXY. The floor is the bare
// client draining as many SMS through the same tinyproxy, TLS inside the tunnel, in the same
// round. The tunnels tinyproxy opened for Node-RED are counted against the simulator's
// connections: one tunnel per connection, and one connection for the whole drain, not one
// per request.
import { bareDrain, type BareDrain } from '../bare-client';
import { freshId, oursFlow } from '../flows';
import { deploy, drainMs, runToCount, startRed, stopAll } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import { startTlsSimulator, type TlsSimulator } from '../tls-simulator';
import { bareFigures } from './drain';
import { startTinyproxy, type Tinyproxy } from '../../test/support/tinyproxy';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';

const BLOCK = 100;

interface Run {
  ms: number;
  count: number;
  queuedAfter: number;
  tunnels: number;
  connections: number;
  requests: number;
}

async function drainOnce(red: NodeRed, sim: SimulatorProcess, proxy: Tinyproxy, count: number): Promise<Run> {
  await sim.generate(count);
  await sim.resetCounters();
  const tunnels0 = proxy.connects();
  await deploy(red, oursFlow(sim.url, freshId('q')));
  const t = await runToCount(red, count, 300_000, 'drain through tinyproxy');
  const c = await sim.counters();
  return {
    ms: drainMs(t),
    count: t.count,
    queuedAfter: c.queued,
    tunnels: proxy.connects() - tunnels0,
    // The counters call itself came on a connection of its own.
    connections: c.connections - 1,
    requests: Object.values(c.requests).reduce((a, b) => a + b, 0),
  };
}

export async function proxyScenario(plan: Plan): Promise<Row[]> {
  const n = plan.drainCount;
  const blocks = Math.ceil(n / BLOCK);
  let tls: TlsSimulator | undefined;
  let proxy: Tinyproxy | undefined;
  let red: NodeRed | undefined;
  try {
    tls = await startTlsSimulator(['--latency', String(plan.latencyMs), '--final-block', 'ack-on-delivery']);
    const { sim, ca } = tls;
    proxy = await startTinyproxy();
    // Both spellings: the client reads the lower-case one first, as curl does, and an empty
    // no_proxy keeps a NO_PROXY of the bench's own environment from exempting the simulator.
    const env = { HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: '', no_proxy: '', NODE_EXTRA_CA_CERTS: tls.caFile };
    red = await startRed('proxy', { profile: plan.profile }, { env });
    const bare = async (count: number): Promise<{ drain: BareDrain; tunnels: number }> => {
      await sim.generate(count);
      const before = proxy!.connects();
      const drain = await bareDrain(sim.url, { ca, proxy: proxy!.url });
      if (drain.messages !== count) throw new Error(`the bare client drained ${drain.messages} of ${count} SMS`);
      return { drain, tunnels: proxy!.connects() - before };
    };

    await bare(plan.warmupCount);
    await drainOnce(red, sim, proxy, plan.warmupCount);
    const bares: Array<{ drain: BareDrain; tunnels: number }> = [];
    const ours: Run[] = [];
    for (let i = 0; i < plan.reps; i++) {
      bares.push(await bare(n));
      ours.push(await drainOnce(red, sim, proxy, n));
    }

    const b = bareFigures(bares.map((x) => x.drain));
    const o = median(ours.map((r) => r.ms));
    const computedMs = blocks * plan.latencyMs + b.tokenMs + b.loginMs;
    const ratios = spread(ours.map((r, i) => r.ms / bares[i].drain.totalMs));
    const tunnels = Math.max(...ours.map((r) => r.tunnels));
    const connections = Math.max(...ours.map((r) => r.connections));
    const onePerConnection = ours.every((r) => r.tunnels === r.connections);
    const complete = ours.every((r) => r.count === n && r.queuedAfter === 0);
    return [
      {
        id: 'P8',
        what: `drain ${fmt.n(n)} SMS over HTTPS through tinyproxy (CONNECT), ${plan.latencyMs} ms latency`,
        measured:
          `${fmt.ms(o)} vs floor ${fmt.ms(b.totalMs)} measured (bare client through the same tinyproxy: token ${fmt.ms(b.tokenMs)}, login ${fmt.ms(b.loginMs)}, ` +
          `${b.blocks} blocks at ${b.perBlockMs.toFixed(1)} ms); computed floor ${blocks} x ${plan.latencyMs} ms + token + login = ${fmt.ms(computedMs)} (ratio ${fmt.ratio(o / computedMs)}); ` +
          `per drain: Node-RED opened ${tunnels} CONNECT tunnel(s) for ${ours[0].requests} requests, the simulator saw ${connections} connection(s); ` +
          `the bare client ${Math.max(...bares.map((x) => x.tunnels))} tunnel(s)`,
        ratio: fmt.ratio(ratios.median),
        spread: describeSpread(ratios, fmt.ratio),
        target: '<= 1.10 of the measured floor; 1 tunnel per connection',
        holds: ratios.median <= 1.1 && onePerConnection && complete,
      },
    ];
  } finally {
    await stopAll(red, proxy, tls);
  }
}
