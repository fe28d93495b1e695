// The simulator over HTTPS (the `tls` option, --tls-key/--tls-cert) and its count of
// accepted connections.
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { parseCli } from '../../../simulator/cli';
import { makeTestCa, type TestCa } from '../../support/test-ca';
import { ACCOUNT, basic, request } from './helpers';

interface TlsRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Keeps the connection; without it each request opens its own. */
  agent?: https.Agent;
}

/** One HTTPS request trusting only `ca`. */
function fetchTls(url: string, ca: string, opts: TlsRequest = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, method: opts.method ?? 'GET', agent: opts.agent ?? false, headers: opts.headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('simulator: HTTPS and connection counting', () => {
  let ca: TestCa;
  let sim: ThingSpaceSimulator | undefined;
  before(() => {
    ca = makeTestCa();
  });
  after(() => ca?.remove());
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('serves https:// with the given key and certificate, and counts each accepted connection', async () => {
    sim = await ThingSpaceSimulator.start({ tls: ca.server });
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetchTls(`${sim.url}/_sim/counters`, ca.ca)).status, 200);
    assert.equal((await fetchTls(`${sim.url}/_sim/counters`, ca.ca)).status, 200);
    const agent = new https.Agent({ keepAlive: true });
    for (let i = 0; i < 3; i++) assert.equal((await fetchTls(`${sim.url}/_sim/counters`, ca.ca, { agent })).status, 200);
    agent.destroy();
    assert.equal(sim.counters().connections, 3, 'two fresh connections, then one kept alive for three requests');
    await assert.rejects(request(sim.url.replace('https:', 'http:'), 'GET', '/_sim/counters'), 'no plain http on a TLS port');
  });

  it('counts connections over plain http too, and resetCounters starts them again', async () => {
    sim = await ThingSpaceSimulator.start();
    await request(sim.url, 'GET', '/_sim/counters');
    assert.equal(sim.counters().connections, 1);
    sim.resetCounters();
    assert.equal(sim.counters().connections, 0);
  });

  it('writes https:// into an absolute Location', async () => {
    sim = await ThingSpaceSimulator.start({ tls: ca.server, locationForm: 'absolute' });
    sim.generate(150);
    const token = JSON.parse(
      (
        await fetchTls(`${sim.url}/api/ts/v1/oauth2/token`, ca.ca, {
          method: 'POST',
          headers: { Authorization: basic(), 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        })
      ).text,
    ).access_token as string;
    const login = { username: 'sim-user', password: 'sim-password' };
    const session = JSON.parse(
      (
        await fetchTls(`${sim.url}/api/m2m/v1/session/login`, ca.ca, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(login),
        })
      ).text,
    ).sessionToken as string;
    const block = await fetchTls(`${sim.url}/api/m2m/v1/sms/${ACCOUNT}/history`, ca.ca, {
      headers: { Authorization: `Bearer ${token}`, 'VZ-M2M-Token': session },
    });
    assert.equal(block.status, 202);
    assert.match(String(block.headers.location), new RegExp(`^${sim.url}/api/m2m/v1/sms/${ACCOUNT}/history\\?next=`));
  });

  it('keeps the key out of its options, and takes tls at start only', async () => {
    sim = await ThingSpaceSimulator.start({ tls: ca.server });
    assert.ok(!JSON.stringify(sim.options()).includes('PRIVATE KEY'));
    sim.configure({ tls: ca.selfSigned, latencyMs: 1 });
    assert.equal((await fetchTls(`${sim.url}/_sim/counters`, ca.ca)).status, 200, 'still the CA-signed certificate');
    assert.throws(() => sim!.configure({ tls: { key: '', cert: ca.server.cert } }), /"tls"/);
    await assert.rejects(ThingSpaceSimulator.start({ tls: { cert: ca.server.cert } as never }), /"tls" must be \{key, cert\}/);
  });

  it('reads --tls-key and --tls-cert from files, both or neither', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'thingspace-cli-tls-'));
    try {
      writeFileSync(path.join(dir, 'key.pem'), ca.server.key);
      writeFileSync(path.join(dir, 'cert.pem'), ca.server.cert);
      const { options } = parseCli(['--tls-key', path.join(dir, 'key.pem'), '--tls-cert', path.join(dir, 'cert.pem')]);
      assert.equal(options.tls?.key.toString(), ca.server.key);
      assert.equal(options.tls?.cert.toString(), ca.server.cert);
      assert.throws(() => parseCli(['--tls-key', path.join(dir, 'key.pem')]), /go together/);
      assert.throws(() => parseCli(['--tls-key', path.join(dir, 'nope.pem'), '--tls-cert', path.join(dir, 'cert.pem')]), /--tls-key: cannot read .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
