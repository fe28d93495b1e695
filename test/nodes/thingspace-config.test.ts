// The config node's "Test connection" admin endpoint, against the simulator.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ACCOUNT, ALL_NODES, config, credentials, flow, helper } from './runtime';

interface Check {
  token: { ok: boolean; code?: string; message?: string };
  login: { ok: boolean; skipped?: boolean; code?: string };
}

describe('thingspace-config Test connection', function () {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
    await helper.load(ALL_NODES, flow(config(sim)), credentials());
  });

  afterEach(async () => {
    await helper.unload();
    await sim.stop();
  });

  const test = async (body: Record<string, unknown>): Promise<Check> => {
    const res = await helper.request().post('/thingspace-config/cfg/test').send(body);
    assert.equal(res.status, 200);
    return res.body as unknown as Check;
  };

  it('reports success using the saved secrets when the dialog shows their placeholders', async () => {
    const r = await test({
      accountName: ACCOUNT,
      server: sim.url,
      credentials: { clientId: 'sim-client-id', clientSecret: '__PWRD__', username: 'sim-user', password: '__PWRD__' },
    });
    assert.deepEqual([r.token.ok, r.login.ok], [true, true]);
  });

  it('says the login failed, with its code, for a wrong password (one failed login)', async () => {
    const r = await test({
      accountName: ACCOUNT,
      server: sim.url,
      credentials: { clientId: 'sim-client-id', clientSecret: '__PWRD__', username: 'sim-user', password: 'nope' },
    });
    assert.equal(r.token.ok, true);
    assert.equal(r.login.ok, false);
    assert.ok(r.login.code);
    assert.equal(sim.counters().loginsFailed, 1);
    assert.ok(!JSON.stringify(r).includes('nope'));
  });

  it('says the token failed and skips the login for a wrong client secret', async () => {
    const r = await test({
      accountName: ACCOUNT,
      server: sim.url,
      credentials: { clientId: 'sim-client-id', clientSecret: 'wrong', username: 'sim-user', password: '__PWRD__' },
    });
    assert.equal(r.token.ok, false);
    assert.equal(r.login.skipped, true);
    assert.equal(sim.counters().loginsOk + sim.counters().loginsFailed, 0);
  });

  it('says the server is unreachable', async () => {
    const r = await test({
      accountName: ACCOUNT,
      server: 'http://127.0.0.1:9',
      credentials: { clientId: 'a', clientSecret: 'b', username: 'c', password: 'd' },
    });
    assert.equal(r.token.ok, false);
    assert.equal(r.token.code, 'NETWORK');
  });

  it('refuses a plain http server that is not on loopback', async () => {
    const r = await test({
      accountName: ACCOUNT,
      server: 'http://example.com',
      credentials: { clientId: 'a', clientSecret: 'b', username: 'c', password: 'd' },
    });
    assert.equal(r.token.ok, false);
    assert.equal(r.token.code, 'BAD_CONFIG');
  });
});
