import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ThingSpaceSimulator } from '../../simulator/server';
import { proxyFor } from '../../nodes/lib/client/proxy';
import { HttpTransport } from '../../nodes/lib/client/http';
import { clientFor, drain, type DrainResult } from './helpers';

const VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

/** Runs `fn` with exactly these proxy variables set (others cleared), then restores them. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  }
}

/** A forward proxy for plain http: takes absolute-form request targets and relays them. */
async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('client/proxy variables', () => {
  it('reads <scheme>_proxy, ALL_PROXY and NO_PROXY as curl does', async () => {
    const api = new URL('https://thingspace.verizon.com');
    const local = new URL('http://127.0.0.1:8870');
    await withEnv({}, () => assert.equal(proxyFor(api), undefined));
    await withEnv({ HTTPS_PROXY: 'http://proxy:3128' }, () => {
      assert.equal(proxyFor(api), 'http://proxy:3128');
      assert.equal(proxyFor(local), undefined, 'HTTPS_PROXY does not apply to http://');
    });
    await withEnv({ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' }, () => assert.equal(proxyFor(api), 'http://lower:3128'));
    await withEnv({ ALL_PROXY: 'http://all:3128' }, () => assert.equal(proxyFor(local), 'http://all:3128'));
    for (const no of ['*', 'thingspace.verizon.com', '.verizon.com', 'verizon.com', 'other.example, verizon.com', 'thingspace.verizon.com:443']) {
      await withEnv({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: no }, () => assert.equal(proxyFor(api), undefined, `NO_PROXY=${no}`));
    }
    for (const no of ['example.com', 'thingspace.verizon.com:8443', 'izon.com']) {
      await withEnv({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: no }, () => assert.equal(proxyFor(api), 'http://proxy:3128', `NO_PROXY=${no}`));
    }
  });

  describe('with a simulator and a real forward proxy', () => {
    let current: ThingSpaceSimulator | undefined;
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    beforeEach(async () => {
      proxy = await startProxy();
    });
    afterEach(async () => {
      await proxy.close();
    });
    after(async () => {
      await current?.stop();
    });

    /** Drains `count` SMS from a fresh simulator (a drain leaves its final block queued, as
     *  the default final-block mode redelivers it) with these variables set. */
    const drainWith = async (vars: Record<string, string>, count: number): Promise<{ via: string; result: DrainResult; sim: string }> => {
      await current?.stop();
      const sim = (current = await ThingSpaceSimulator.start({ quiet: true }));
      sim.generate(count);
      proxy.seen.length = 0;
      return withEnv(vars, async () => {
        const transport = new HttpTransport(sim.url, 1000, 1024);
        const via = transport.via;
        transport.close();
        const client = clientFor(sim);
        try {
          return { via, result: await drain(client), sim: sim.url };
        } finally {
          client.close();
        }
      });
    };

    it('sends every request through the proxy when HTTP_PROXY applies', async () => {
      const { via, result, sim } = await drainWith({ HTTP_PROXY: proxy.url }, 250);
      assert.equal(via, 'axios');
      assert.equal(result.messages.length, 250);
      assert.equal(result.blocks, 3);
      assert.ok(proxy.seen.some((line) => line.startsWith(`POST ${sim}/api/ts/v1/oauth2/token`)), proxy.seen.join('\n'));
      assert.equal(proxy.seen.filter((line) => line.includes('/history')).length, 3);
    });

    it('goes direct, on node:http, when NO_PROXY names the host or no variable is set', async () => {
      const cases: Array<Record<string, string>> = [{ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, {}];
      for (const vars of cases) {
        const { via, result } = await drainWith(vars, 150);
        assert.equal(via, 'node');
        assert.equal(result.messages.length, 150);
        assert.deepEqual(proxy.seen, []);
      }
    });
  });
});
