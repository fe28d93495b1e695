// HTTPS to the simulator through a real CONNECT proxy (tinyproxy), the way a client behind a
// corporate proxy reaches ThingSpace: one kept-alive tunnel for a whole drain, the faults the
// drain meets classified as they are without a proxy, certificate checks end to end through
// the tunnel, and the proxy's credentials sent to it but never shown.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { FaultRule } from '../../../simulator/options';
import type { ErrorKind } from '../../../nodes/lib/client/errors';
import type { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import type { ThingSpaceClientOptions } from '../../../nodes/lib/client/config';
import { makeTestCa, type TestCa } from '../../support/test-ca';
import { withProxyEnv } from '../../support/proxy-env';
import { startTinyproxy, type Tinyproxy } from '../../support/tinyproxy';
import { clientFor, drain, failure, tally } from './helpers';

const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'pr0xy-s3cret'; // tinyproxy's config takes letters, digits, '-', '.' and '_' only

describe('client over HTTPS through a CONNECT proxy (tinyproxy)', function () {
  this.timeout(60_000);
  let ca: TestCa;
  let proxy: Tinyproxy;
  let sim: ThingSpaceSimulator;

  before(async () => {
    ca = makeTestCa();
    proxy = await startTinyproxy();
  });
  after(async () => {
    await proxy?.stop();
    ca?.remove();
  });
  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ tls: ca.server });
  });
  afterEach(async () => {
    await sim.stop();
  });

  /** A client made while HTTPS_PROXY names `proxyUrl` (tinyproxy by default). */
  const proxied = (overrides: Partial<ThingSpaceClientOptions> = {}, proxyUrl = proxy.url, s = sim): ThingSpaceClient =>
    withProxyEnv({ HTTPS_PROXY: proxyUrl }, () => clientFor(s, { ca: ca.ca, ...overrides }));

  it('drains 2,000 SMS through one tunnel: none lost, one request per block', async () => {
    sim.generate(2000);
    const tunnelsBefore = proxy.connects();
    const client = proxied();
    const result = await drain(client);
    client.close();
    const counters = sim.counters();
    assert.equal(tally(result.messages, 2000).lost, 0);
    assert.equal(result.blocks, 20);
    assert.equal(counters.requests.history, result.blocks, 'one request per block');
    // Token, login and every block on one connection: the agent kept its tunnel alive.
    assert.equal(counters.connections, 1, 'connections accepted by the simulator');
    assert.equal(proxy.connects() - tunnelsBefore, 1, 'CONNECT requests seen by the proxy');
    assert.ok(
      proxy.requests().some((line) => line.startsWith(`CONNECT 127.0.0.1:${sim.port} `)),
      proxy.requests().join('\n'),
    );
  });

  const FAULTS: Array<{ rule: FaultRule; kind: ErrorKind; why: string }> = [
    { rule: { kind: 'server-error', status: 503 }, kind: 'server', why: '5xx' },
    { rule: { kind: 'rate-limit', retryAfterSec: 7 }, kind: 'rate_limited', why: '429 with Retry-After' },
    { rule: { kind: 'hang' }, kind: 'timeout', why: 'no answer within timeoutMs' },
    { rule: { kind: 'reset' }, kind: 'network', why: 'socket destroyed before the answer' },
  ];
  for (const { rule, kind, why } of FAULTS) {
    it(`maps ${rule.kind} on history (${why}) to '${kind}' through the tunnel, and the next call works`, async () => {
      sim.generate(150);
      const client = proxied({ timeoutMs: 800 });
      await client.history(); // token and login done before the fault
      sim.addFault({ ...rule, endpoint: 'history', count: 1 });
      const err = await failure(client.history());
      assert.equal(err.kind, kind, err.message);
      assert.equal(err.operation, 'history');
      if (kind === 'rate_limited') assert.equal(err.retryAfterMs, 7000);
      if (kind === 'server') assert.equal(err.status, 503);
      assert.equal((await client.history()).messages.length, 100);
      client.close();
    });
  }

  it("refuses a certificate it cannot trust as 'tls' through the tunnel too", async () => {
    const untrusted = await ThingSpaceSimulator.start({ tls: ca.selfSigned });
    try {
      const client = proxied({}, proxy.url, untrusted);
      const err = await failure(client.history());
      client.close();
      assert.equal(err.kind, 'tls', err.message);
      assert.equal(err.code, 'TLS_CERTIFICATE');
      assert.match(err.message, /DEPTH_ZERO_SELF_SIGNED_CERT/);
      assert.equal(untrusted.counters().requests.token, undefined, 'no request reached the server');
      assert.equal(untrusted.counters().connections, 1, 'the tunnel reached the server: the client refused its certificate');
    } finally {
      await untrusted.stop();
    }
  });

  it('goes direct when NO_PROXY names the host, with HTTPS_PROXY set', async () => {
    sim.generate(150);
    const tunnelsBefore = proxy.connects();
    const client = withProxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }, () => clientFor(sim, { ca: ca.ca }));
    const result = await drain(client);
    client.close();
    assert.equal(result.messages.length, 150);
    assert.equal(proxy.connects(), tunnelsBefore);
  });

  describe('with a proxy that wants credentials', () => {
    let guarded: Tinyproxy;
    before(async () => {
      guarded = await startTinyproxy({ basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD } });
    });
    after(async () => {
      await guarded?.stop();
    });
    const withCredentials = (password: string): string => guarded.url.replace('http://', `http://${PROXY_USER}:${encodeURIComponent(password)}@`);

    it('sends the credentials of the proxy URL to the proxy', async () => {
      sim.generate(150);
      const client = proxied({}, withCredentials(PROXY_PASSWORD));
      const result = await drain(client);
      client.close();
      assert.equal(result.messages.length, 150);
      assert.equal(guarded.connects(), 1);
    });

    // tinyproxy answers a refused CONNECT with 401 where RFC 9110 says 407.
    it('reports credentials the proxy refuses as network (its 401/407), the password nowhere in the error', async () => {
      const logs: string[] = [];
      const wrong = 'wr0ng-s3cret';
      for (const url of [withCredentials(wrong), guarded.url]) {
        const client = proxied({ log: (_level, text) => logs.push(text) }, url);
        const err = await failure(client.history());
        client.close();
        assert.equal(err.kind, 'network', err.message);
        assert.match(err.message, /proxy refused.*HTTP 40[17] from the proxy/);
        assert.equal(err.status, undefined, 'not a status of ThingSpace');
        const seen = JSON.stringify(err) + err.stack + logs.join('\n');
        for (const secret of [wrong, PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), PROXY_USER]) assert.ok(!seen.includes(secret), `${secret} in ${seen}`);
      }
      assert.equal(sim.counters().connections, 0, 'nothing reached the server');
    });
  });
});
