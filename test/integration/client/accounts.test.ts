// One user, several billing accounts: the client serves any of them (forAccount) over one
// transport, one token and one login, each call naming its own account.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import { ACCOUNT, clientFor, drain, failure } from './helpers';

const B = '0000123456-00002';
const C = '0000654321-00001';

describe('client: one user, several accounts', () => {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, accounts: [ACCOUNT, B, C], finalBlock: 'ack-on-delivery' });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it("drains each account's own queue with 1 token request and 1 login in total", async () => {
    sim.generate(250, { account: ACCOUNT });
    sim.generate(120, { account: B });
    sim.generate(7, { account: C });
    const client = clientFor(sim);
    const [a, b, c] = await Promise.all([drain(client), drain(client.forAccount(B)), drain(client.forAccount(C))]);
    client.close();
    assert.deepEqual([a.messages.length, b.messages.length, c.messages.length], [250, 120, 7]);
    assert.deepEqual([sim.queued(ACCOUNT), sim.queued(B), sim.queued(C)], [0, 0, 0]);
    assert.deepEqual([sim.history(ACCOUNT).length, sim.history(B).length, sim.history(C).length], [3, 2, 1]);
    const counters = sim.counters();
    assert.equal(counters.requests.token, 1);
    assert.equal(counters.requests.login, 1);
  });

  it("gives one view per account, and the client's own account is the one it was made for", () => {
    const client = clientFor(sim);
    assert.equal(client.forAccount(B), client.forAccount(B));
    assert.equal(client.forAccount(B).accountName, B);
    assert.equal(client.forAccount(ACCOUNT).accountName, client.accountName);
    client.close();
  });

  it('keeps leading zeros and refuses what is not an account name as bad_config, without a request', () => {
    const client = clientFor(sim);
    assert.equal(client.forAccount('0001').accountName, '0001');
    for (const bad of ['', 'ab', '../x', '0000 1', 'a'.repeat(33)]) {
      assert.throws(
        () => client.forAccount(bad),
        (e: unknown) => e instanceof ThingSpaceError && e.kind === 'bad_config',
        bad,
      );
    }
    client.close();
    assert.equal(sim.counters().requests.token ?? 0, 0);
  });

  it('sends, registers and starts callbacks in the account the view names', async () => {
    const client = clientFor(sim);
    const b = client.forAccount(B);
    const { requestId } = await b.sendSms({ smsMessage: 'hi', deviceIds: [{ kind: 'mdn', id: '15551230001' }] });
    assert.equal(sim.sentSms().find((s) => s.requestId === requestId)?.accountName, B);
    await b.registerCallback('https://example.com/sms');
    assert.equal(sim.callbacks(B).length, 1);
    assert.equal(sim.callbacks(ACCOUNT).length, 0);
    assert.deepEqual(await b.startCallbacks(), { success: true });
    assert.equal((await b.listCallbacks())[0].url, 'https://example.com/sms');
    client.close();
  });

  it("a rejected login found by one account's call reaches the listeners of every account once, and no account tries again", async () => {
    sim.generate(3, { account: C });
    const client = clientFor(sim, { password: 'not-the-password' });
    const heard: string[] = [];
    client.forAccount(B).on('rejected', () => heard.push('B'));
    client.on('rejected', () => heard.push('own'));
    const first = await failure(client.forAccount(C).history());
    assert.equal(first.kind, 'credentials_rejected');
    const again = await failure(client.forAccount(B).history());
    assert.equal(again.kind, 'credentials_rejected');
    assert.ok(client.forAccount(ACCOUNT).credentialsRejected, 'every view knows');
    client.close();
    assert.deepEqual(heard.sort(), ['B', 'own']);
    assert.equal(sim.counters().loginsFailed, 1, 'one failed login for the user, whatever the number of accounts');
  });
});
