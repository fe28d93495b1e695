// `node dist/bench/proxy-tunnel.js` (after `npm run build`): the cost of a CONNECT proxy on a
// drain. Drains COUNT SMS (default 5,000) over HTTPS from the simulator at LATENCY ms per
// answer (default 20), with a fresh client each time (token, login, then every block):
// straight to the simulator, through tinyproxy, and through a bare CONNECT relay in this
// process that sets TCP_NODELAY (what the client's own proxy path costs, without tinyproxy's
// relaying), ROUNDS times each (default 3, in rotating order). Prints the times, the ratios
// and the connections each drain opened; asserts nothing (timings on a shared machine are
// not a test).
import http from 'node:http';
import net from 'node:net';
import { ThingSpaceSimulator } from '../simulator/server';
import { clientFor, drain, tally } from '../test/integration/client/helpers';
import { makeTestCa } from '../test/support/test-ca';
import { withProxyEnv } from '../test/support/proxy-env';
import { startTinyproxy } from '../test/support/tinyproxy';

const COUNT = Number(process.env.COUNT ?? 5000);
const LATENCY = Number(process.env.LATENCY ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Run {
  ms: number;
  lost: number;
  requests: number;
  connections: number;
  tunnels: number;
}

type Mode = 'direct' | 'tinyproxy' | 'relay';
const MODES: Mode[] = ['direct', 'tinyproxy', 'relay'];

/** A CONNECT relay on loopback: no auth, no logging, TCP_NODELAY on both sides. */
async function startRelay(): Promise<{ url: string; tunnels: () => number; close: () => void }> {
  let tunnels = 0;
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels++;
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect({ host, port: Number(port), noDelay: true }, () => {
      client.setNoDelay(true);
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels: () => tunnels,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const ca = makeTestCa();
  const proxy = await startTinyproxy();
  const relay = await startRelay();
  // Each block acknowledged as served, the final one included, so every run starts empty.
  const sim = await ThingSpaceSimulator.start({ tls: ca.server, latencyMs: LATENCY, finalBlock: 'ack-on-delivery' });
  const runs: Record<Mode, Run[]> = { direct: [], tinyproxy: [], relay: [] };
  const proxyFor: Record<Mode, Record<string, string>> = { direct: {}, tinyproxy: { HTTPS_PROXY: proxy.url }, relay: { HTTPS_PROXY: relay.url } };
  const tunnelCount = (): number => proxy.connects() + relay.tunnels();
  try {
    const once = async (mode: Mode): Promise<Run> => {
      sim.generate(COUNT);
      sim.resetCounters();
      const tunnelsBefore = tunnelCount();
      const client = withProxyEnv(proxyFor[mode], () => clientFor(sim, { ca: ca.ca }));
      const started = process.hrtime.bigint();
      const result = await drain(client);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      client.close();
      const c = sim.counters();
      const requests = Object.values(c.requests).reduce((a, b) => a + b, 0);
      return { ms, lost: tally(result.messages, COUNT).lost, requests, connections: c.connections, tunnels: tunnelCount() - tunnelsBefore };
    };
    await once('direct'); // warm-up: JIT, TLS contexts
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(round + i) % MODES.length];
        runs[mode].push(await once(mode));
      }
    }
  } finally {
    await sim.stop();
    await proxy.stop();
    relay.close();
    ca.remove();
  }
  console.log(`Drain of ${COUNT} SMS over HTTPS, simulator latency ${LATENCY} ms, ${ROUNDS} rounds, Node ${process.version}`);
  console.log('mode       ms (each run)            median ms  lost  requests  connections  tunnels');
  for (const mode of MODES) {
    const r = runs[mode];
    const each = r.map((x) => x.ms.toFixed(0)).join(' / ');
    console.log(
      `${mode.padEnd(10)} ${each.padEnd(24)} ${median(r.map((x) => x.ms))
        .toFixed(0)
        .padStart(
          9,
        )}  ${String(Math.max(...r.map((x) => x.lost))).padStart(4)}  ${String(r[0].requests).padStart(8)}  ${String(Math.max(...r.map((x) => x.connections))).padStart(11)}  ${String(Math.max(...r.map((x) => x.tunnels))).padStart(7)}`,
    );
  }
  const direct = median(runs.direct.map((x) => x.ms));
  for (const mode of ['tinyproxy', 'relay'] as const) console.log(`${mode} / direct: ${(median(runs[mode].map((x) => x.ms)) / direct).toFixed(3)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
