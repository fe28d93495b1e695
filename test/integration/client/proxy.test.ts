// Which requests go through a proxy, read from the environment as curl reads it, and plain
// http through a real forward proxy (tinyproxy). HTTPS through its CONNECT tunnel is in
// proxy-tunnel.test.ts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { proxyFor } from '../../../nodes/lib/client/agent';
import { HttpTransport } from '../../../nodes/lib/client/http';
import { withProxyEnv } from '../../support/proxy-env';
import { startTinyproxy, type Tinyproxy } from '../../support/tinyproxy';
import { clientFor, drain, failure, type DrainResult } from './helpers';

describe('client/proxy variables', () => {
  it('reads <scheme>_proxy, ALL_PROXY and NO_PROXY as curl does', () => {
    const api = new URL('https://thingspace.verizon.com');
    const local = new URL('http://127.0.0.1:8870');
    withProxyEnv({}, () => assert.equal(proxyFor(api), undefined));
    withProxyEnv({ HTTPS_PROXY: 'http://proxy:3128' }, () => {
      assert.equal(proxyFor(api), 'http://proxy:3128');
      assert.equal(proxyFor(local), undefined, 'HTTPS_PROXY does not apply to http://');
    });
    withProxyEnv({ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' }, () => assert.equal(proxyFor(api), 'http://lower:3128'));
    withProxyEnv({ ALL_PROXY: 'http://all:3128' }, () => assert.equal(proxyFor(local), 'http://all:3128'));
    for (const no of ['*', 'thingspace.verizon.com', '.verizon.com', 'verizon.com', 'other.example, verizon.com', 'thingspace.verizon.com:443']) {
      withProxyEnv({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: no }, () => assert.equal(proxyFor(api), undefined, `NO_PROXY=${no}`));
    }
    for (const no of ['example.com', 'thingspace.verizon.com:8443', 'izon.com']) {
      withProxyEnv({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: no }, () => assert.equal(proxyFor(api), 'http://proxy:3128', `NO_PROXY=${no}`));
    }
  });

  it('takes a bare host:port as an http:// proxy, and names the proxy without its credentials', () => {
    const server = { server: 'https://thingspace.verizon.com', timeoutMs: 1000, maxResponseBytes: 1024, ca: undefined };
    for (const [value, origin] of [
      ['proxy.example:3128', 'http://proxy.example:3128'],
      ['http://user:s3cret-pw@proxy.example:3128', 'http://proxy.example:3128'],
      ['https://proxy.example', 'https://proxy.example'],
    ]) {
      const transport = withProxyEnv({ HTTPS_PROXY: value }, () => new HttpTransport(server));
      assert.equal(transport.proxy, origin, value);
      transport.close();
    }
    assert.equal(withProxyEnv({}, () => new HttpTransport(server)).proxy, undefined);
  });

  it('refuses a proxy variable it cannot use as bad_config, without echoing it', () => {
    for (const value of ['socks5://user:s3cret-pw@proxy:1080', 'http://user:s3cret-pw@[bad']) {
      let thrown: unknown;
      try {
        withProxyEnv(
          { HTTPS_PROXY: value },
          () => new HttpTransport({ server: 'https://thingspace.verizon.com', timeoutMs: 1000, maxResponseBytes: 1024, ca: undefined }),
        );
      } catch (err) {
        thrown = err;
      }
      assert.equal((thrown as { kind?: string }).kind, 'bad_config', value);
      assert.match((thrown as Error).message, /proxy/);
      assert.ok(!(thrown as Error).message.includes('s3cret-pw'), (thrown as Error).message);
    }
  });

  describe('plain http through tinyproxy', () => {
    let proxy: Tinyproxy;
    let sim: ThingSpaceSimulator;
    before(async () => {
      proxy = await startTinyproxy();
    });
    after(async () => {
      await proxy?.stop();
    });
    beforeEach(async () => {
      // The final block acknowledged as it is served, so that a second drain starts empty.
      sim = await ThingSpaceSimulator.start({ finalBlock: 'ack-on-delivery' });
    });
    afterEach(async () => {
      await sim.stop();
    });

    /** Drains `count` SMS with these variables set while the client is made. */
    const drainWith = async (vars: Record<string, string>, count: number): Promise<DrainResult> => {
      sim.generate(count);
      const client = withProxyEnv(vars, () => clientFor(sim));
      try {
        return await drain(client);
      } finally {
        client.close();
      }
    };

    it('sends every request through the proxy when HTTP_PROXY applies', async () => {
      const before = proxy.requests().length;
      const result = await drainWith({ HTTP_PROXY: proxy.url }, 250);
      assert.equal(result.messages.length, 250);
      assert.equal(result.blocks, 3);
      const seen = proxy.requests().slice(before);
      assert.ok(
        seen.some((line) => line.startsWith(`POST ${sim.url}/api/ts/v1/oauth2/token`)),
        seen.join('\n'),
      );
      assert.equal(seen.filter((line) => line.includes('/history')).length, 3, seen.join('\n'));
    });

    it('goes direct when NO_PROXY names the host or no variable is set', async () => {
      for (const vars of [{ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, {}] as Array<Record<string, string>>) {
        const before = proxy.requests().length;
        const result = await drainWith(vars, 150);
        assert.equal(result.messages.length, 150);
        assert.equal(proxy.requests().length, before, JSON.stringify(vars));
      }
    });

    it('sends the credentials of the proxy URL with each request to a proxy that wants them, and reads its 407 as the proxy refusing', async () => {
      const guarded = await startTinyproxy({ basicAuth: { user: 'proxy-user', password: 'pr0xy-s3cret' } });
      try {
        const withCredentials = guarded.url.replace('http://', `http://proxy-user:${encodeURIComponent('pr0xy-s3cret')}@`);
        const result = await drainWith({ HTTP_PROXY: withCredentials }, 150);
        assert.equal(result.messages.length, 150);
        assert.ok(
          guarded.requests().some((line) => line.includes('/history')),
          guarded.requests().join('\n'),
        );
        sim.generate(1);
        const refused = withProxyEnv({ HTTP_PROXY: guarded.url }, () => clientFor(sim));
        const err = await failure(refused.history());
        refused.close();
        assert.equal(err.kind, 'network');
        assert.match(err.message, /HTTP 407 from the proxy/);
        assert.ok(!JSON.stringify(err).includes('s3cret'));
      } finally {
        await guarded.stop();
      }
    });

    it('reports a proxy that cannot be reached as network, naming the proxy but not its credentials', async () => {
      const dead = `http://user:s3cret-pw@127.0.0.1:${await closedPort()}`;
      const client = withProxyEnv({ HTTP_PROXY: dead }, () => clientFor(sim, { timeoutMs: 2000 }));
      const err = await failure(client.history());
      client.close();
      assert.equal(err.kind, 'network');
      assert.match(err.message, /through the proxy.*ECONNREFUSED/);
      assert.ok(!JSON.stringify(err).includes('s3cret-pw'), JSON.stringify(err));
    });
  });
});

/** A loopback port nobody listens on (probed and released). */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
