// Logins are the user's: clients of one runtime (one AuthRegistry) holding the same server,
// app key, user and password share one bearer token and one M2M session, fetched
// single-flight across them, and free them when the last one closes.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { AuthRegistry } from '../../../nodes/lib/client/shared-auth';
import type { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import { clientFor, failure } from './helpers';

const accounts = Array.from({ length: 40 }, (_, i) => `0000123456-${String(i + 1).padStart(5, '0')}`);

describe('clients sharing a token and a session (AuthRegistry)', () => {
  let sim: ThingSpaceSimulator;
  let clients: ThingSpaceClient[];

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, accounts });
    clients = [];
  });

  afterEach(async () => {
    for (const c of clients) c.close();
    await sim.stop();
  });

  const make = (registry: AuthRegistry, accountName: string, password = 'sim-password'): ThingSpaceClient => {
    const c = clientFor(sim, { accountName, password, auth: registry });
    clients.push(c);
    return c;
  };

  it('40 accounts of one user, called at once, cost one token request and one login', async () => {
    const registry = new AuthRegistry();
    const all = accounts.map((a) => make(registry, a));
    await Promise.all(all.map((c) => c.history()));
    const c = sim.counters();
    assert.equal(c.requests.token, 1, 'token requests');
    assert.equal(c.requests.login, 1, 'logins');
    assert.equal(c.requests.history, 40);
    assert.deepEqual(registry.size, { bearers: 1, sessions: 1 });
  });

  it('without a shared registry each client logs in for itself (as before)', async () => {
    await Promise.all(
      accounts
        .slice(0, 3)
        .map((a) => clientFor(sim, { accountName: a }))
        .map(async (c) => {
          clients.push(c);
          await c.history();
        }),
    );
    assert.equal(sim.counters().requests.login, 3);
  });

  it('a client with another password rides on nobody: its own session, its own refusal', async () => {
    const registry = new AuthRegistry();
    const good = make(registry, accounts[0]);
    const bad = make(registry, accounts[1], 'not-the-password');
    await good.history();
    const err = await failure(bad.history());
    assert.equal(err.kind, 'credentials_rejected');
    assert.equal(err.login?.user, 'sim-user');
    assert.deepEqual(registry.size, { bearers: 1, sessions: 2 });
    assert.equal(sim.counters().loginsFailed, 1);
    assert.equal(good.credentialsRejected, undefined, 'the right password is not rejected by the wrong one');
    await good.history();
  });

  it('a refused password is refused for every client holding it, said to each once, with one failed login', async () => {
    const registry = new AuthRegistry();
    const six = accounts.slice(0, 6).map((a) => make(registry, a, 'wrong'));
    const told: string[] = [];
    six.forEach((c) => c.on('rejected', (e) => told.push(`${c.accountName} ${e.login?.user} ${e.login?.failedLogins}`)));
    await failure(six[0].history());
    for (const c of six) assert.equal((await failure(c.history())).kind, 'credentials_rejected');
    assert.equal(told.length, 6, told.join('\n'));
    assert.ok(told.every((t) => t.endsWith('sim-user 1')));
    assert.equal(sim.counters().loginsFailed, 1);
    assert.equal(sim.counters().locked, false);
  });

  it('frees the token and the session when the last client closes: the next ones log in afresh', async () => {
    const registry = new AuthRegistry();
    const a = make(registry, accounts[0]);
    const b = make(registry, accounts[1]);
    await Promise.all([a.history(), b.history()]);
    a.close();
    assert.deepEqual(registry.size, { bearers: 1, sessions: 1 }, 'still held by b');
    a.close(); // twice: released once
    assert.deepEqual(registry.size, { bearers: 1, sessions: 1 });
    b.close();
    assert.deepEqual(registry.size, { bearers: 0, sessions: 0 });
    await make(registry, accounts[2]).history();
    assert.equal(sim.counters().requests.login, 2);
  });

  it('a client closed while its login is in flight leaves the others waiting on a new one, not failed', async () => {
    const registry = new AuthRegistry();
    sim.configure({ latencyMs: 150 });
    const first = make(registry, accounts[0]);
    const second = make(registry, accounts[1]);
    const gone = failure(first.history());
    // The second waits on the token request the first started on its own connection.
    await new Promise((r) => setTimeout(r, 50));
    const kept = second.history();
    first.close();
    assert.equal((await gone).kind, 'aborted');
    const block = await kept;
    assert.ok(Array.isArray(block.messages));
    assert.equal(sim.counters().loginsOk, 1);
  });
});
