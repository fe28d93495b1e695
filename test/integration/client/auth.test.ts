// Token and session handling against the simulator: caching, single-flight, one refresh and
// one retry on expiry, and the lockout rule (docs/thingspace-api.md, "Access token" and "Session").
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, clientFor, failure } from './helpers';

describe('client authentication against the simulator', () => {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
    sim.generate(1000);
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('uses one token and one login for many calls', async () => {
    const client = clientFor(sim);
    let next: string | undefined;
    for (let i = 0; i < 5; i++) next = (await client.history(next)).next;
    client.close();
    const c = sim.counters();
    assert.equal(c.requests.token, 1);
    assert.equal(c.requests.login, 1);
    assert.equal(c.requests.history, 5);
  });

  it('makes concurrent callers share one token request and one login', async () => {
    const client = clientFor(sim);
    await Promise.all(Array.from({ length: 10 }, () => client.history()));
    client.close();
    const c = sim.counters();
    assert.equal(c.requests.token, 1);
    assert.equal(c.requests.login, 1);
    assert.equal(c.requests.history, 10);
  });

  it('asks for a new token only once the one it holds has expired, and no call is refused for it', async () => {
    // The simulator's token lifetime runs on the real clock: a short pause stays well inside
    // it even on a slow machine, a long one surely passes it (slowness only lengthens it).
    sim.configure({ tokenTtlSec: 2 });
    const client = clientFor(sim);
    await client.history();
    await new Promise((r) => setTimeout(r, 200));
    await client.history(); // inside the lifetime: the endpoint would hand back the same token (api 3.1)
    assert.equal(sim.counters().requests.token, 1);
    await new Promise((r) => setTimeout(r, 2000));
    await client.history();
    client.close();
    const c = sim.counters();
    assert.equal(c.requests.token, 2);
    assert.equal(c.tokensIssued, 2, 'every token request got a new token');
    assert.equal(c.requests.history, 3, 'no refused call, no retry');
  });

  it('after the bearer expires mid-drain, fetches one new token and retries the call once', async () => {
    const client = clientFor(sim);
    const first = await client.history();
    sim.expireBearer();
    const second = await client.history(first.next);
    client.close();
    assert.equal(second.status, 202);
    const c = sim.counters();
    assert.equal(c.requests.token, 2);
    assert.equal(c.requests.login, 1, 'the session survives a new bearer');
    assert.equal(c.requests.history, 3);
  });

  it('after the session expires mid-drain, logs in once and retries the call once', async () => {
    const client = clientFor(sim);
    const first = await client.history();
    sim.expireSession();
    const second = await client.history(first.next);
    client.close();
    assert.notDeepEqual(second.messages, first.messages, 'the retry carried the same next: the block moved on');
    const c = sim.counters();
    assert.equal(c.requests.login, 2);
    assert.equal(c.loginsOk, 2);
    assert.equal(c.requests.history, 3);
  });

  it('logs in once for many concurrent calls that all met the expired session', async () => {
    const client = clientFor(sim);
    await client.history();
    sim.expireSession();
    await Promise.all(Array.from({ length: 8 }, () => client.history()));
    client.close();
    assert.equal(sim.counters().loginsOk, 2);
  });

  it("gives up with bearer_expired when the new bearer is refused too, with ThingSpace's code, not as rejected credentials", async () => {
    const client = clientFor(sim);
    await client.history();
    sim.addFault({ kind: 'expire-bearer', count: 2 });
    const err = await failure(client.history());
    client.close();
    assert.equal(err.kind, 'bearer_expired');
    assert.equal(err.errorCode, '900901');
    assert.equal(err.code, '900901');
    assert.match(err.message, /refused the access token on the SMS history request right after it was renewed \(HTTP 401, 900901\)/);
    assert.equal(client.credentialsRejected, undefined);
    assert.equal(sim.counters().requests.history, 3, 'one call, one retry');
  });

  it("gives up with session_expired when the new session is refused too, with ThingSpace's errorCode and the HTTP status", async () => {
    const client = clientFor(sim);
    await client.history();
    sim.addFault({ kind: 'expire-session', count: 2 });
    const err = await failure(client.history());
    client.close();
    assert.equal(err.kind, 'session_expired');
    assert.match(err.errorCode ?? '', /\.SessionToken\./);
    assert.equal(err.code, err.errorCode);
    assert.match(err.message, /refused the session on the SMS history request right after it was renewed \(HTTP 400, .*SessionToken/);
    assert.equal(sim.counters().loginsOk, 2);
    assert.equal(sim.counters().requests.history, 3);
  });

  it('makes exactly one failed login for a wrong password, however many calls follow', async () => {
    const client = clientFor(sim, { password: 'wrong-password' });
    const first = await failure(client.history());
    assert.equal(first.kind, 'credentials_rejected');
    assert.equal(first.errorCode, 'UnifiedWebService.INPUT_INVALID.Password.Invalid');
    assert.match(
      first.message,
      /ThingSpace refused the login of user "sim-user"; 1 failed login recorded .*locks the user after 5.*\(UnifiedWebService\.INPUT_INVALID\.Password\.Invalid\)/,
    );
    assert.deepEqual(
      { user: first.login?.user, failedLogins: first.login?.failedLogins, remembered: first.login?.remembered },
      { user: 'sim-user', failedLogins: 1, remembered: false },
    );
    const before = sim.counters().requests;
    for (let i = 0; i < 10; i++) assert.equal((await failure(client.history())).kind, 'credentials_rejected');
    const parallel = await Promise.allSettled([client.startCallbacks(), client.listCallbacks(), client.history('0042')]);
    assert.ok(parallel.every((p) => p.status === 'rejected'));
    client.close();
    const c = sim.counters();
    assert.equal(c.loginsFailed, 1);
    assert.equal(c.locked, false);
    assert.deepEqual(c.requests, before, 'no request at all after the rejection');
    assert.equal(client.credentialsRejected?.kind, 'credentials_rejected');
  });

  it('makes exactly one failed login when many callers start at once with a wrong password', async () => {
    const client = clientFor(sim, { password: 'wrong-password' });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.history()));
    client.close();
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.equal(sim.counters().loginsFailed, 1);
  });

  it('makes exactly one token request for a wrong client secret, and no login', async () => {
    const client = clientFor(sim, { clientSecret: 'wrong-secret' });
    const first = await failure(client.history());
    assert.equal(first.kind, 'credentials_rejected');
    assert.equal(first.errorCode, 'invalid_client');
    for (let i = 0; i < 10; i++) await failure(client.history());
    client.close();
    const c = sim.counters();
    assert.equal(c.requests.token, 1);
    assert.equal(c.requests.login ?? 0, 0);
  });

  it('announces a rejection of the credentials once to its listeners, however many calls fail with it', async () => {
    const client = clientFor(sim, { password: 'wrong-password' });
    const heard: string[] = [];
    client.on('rejected', (err) => heard.push(err.code));
    await Promise.allSettled(Array.from({ length: 5 }, () => client.history()));
    for (let i = 0; i < 3; i++) await failure(client.startCallbacks());
    client.close();
    assert.deepEqual(heard, ['UnifiedWebService.INPUT_INVALID.Password.Invalid']);
  });

  it('announces nothing for failures that are not a rejection of the credentials', async () => {
    sim.addFault({ kind: 'server-error', endpoint: 'history', count: 2 });
    const client = clientFor(sim);
    let heard = 0;
    client.on('rejected', () => heard++);
    await failure(client.history());
    await failure(client.history());
    await client.history();
    client.close();
    assert.equal(heard, 0);
  });

  it('keeps the bearer by its own clock: asks again once expires_in has passed on that clock, and not before', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const client = clientFor(sim, { now: () => now });
    await client.history();
    now += 3599_000; // the simulator's tokens live 3600 s
    await client.history();
    assert.equal(sim.counters().requests.token, 1);
    now += 2_000;
    await client.history();
    client.close();
    const c = sim.counters();
    assert.equal(c.requests.token, 2, 'one more token request once the lifetime passed on the client clock');
    assert.equal(c.requests.history, 3, 'no call was refused meanwhile');
  });

  it('does not take a server error at login for a rejection of the credentials', async () => {
    sim.addFault({ kind: 'server-error', endpoint: 'login', count: 1 });
    const client = clientFor(sim);
    assert.equal((await failure(client.history())).kind, 'server');
    assert.equal(client.credentialsRejected, undefined);
    assert.equal((await client.history()).messages.length, 100);
    client.close();
  });

  describe('testConnection', () => {
    it('reports token and login ok with good credentials', async () => {
      const client = clientFor(sim);
      assert.deepEqual(await client.testConnection(), { token: { ok: true }, login: { ok: true } });
      client.close();
    });

    it('reports a login failure once, without marking the shared client as rejected', async () => {
      const client = clientFor(sim, { password: 'wrong-password' });
      const check = await client.testConnection();
      assert.equal(check.token.ok, true);
      assert.equal(check.login.ok, false);
      assert.equal(check.login.code, 'UnifiedWebService.INPUT_INVALID.Password.Invalid');
      assert.equal(client.credentialsRejected, undefined);
      assert.equal(sim.counters().loginsFailed, 1);
      client.close();
    });

    it('skips the login when the token fails', async () => {
      const client = clientFor(sim, { clientSecret: 'wrong-secret' });
      const check = await client.testConnection();
      assert.equal(check.token.ok, false);
      assert.equal(check.token.code, 'invalid_client');
      assert.deepEqual(check.login, { ok: false, skipped: true });
      assert.equal(sim.counters().requests.login ?? 0, 0);
      client.close();
    });

    it('tries each step once, even when the server fails', async () => {
      sim.addFault({ kind: 'server-error', endpoint: 'login', count: 5 });
      const client = clientFor(sim);
      const check = await client.testConnection();
      assert.equal(check.login.ok, false);
      assert.equal(check.login.code, 'UnifiedWebService.REQUEST_FAILED.ServiceUnavailable');
      assert.equal(sim.counters().requests.login, 1);
      client.close();
    });
  });

  describe('account names', () => {
    for (const name of ['0000/123456', '0000123456-00001/../x', '..', '0000%2F123456', 'acct?next=1', '0000123456-00001#x']) {
      it(`rejects ${JSON.stringify(name)} as bad_config before any request reaches the simulator`, () => {
        assert.throws(
          () => clientFor(sim, { accountName: name }),
          (e: Error & { kind?: string }) => e.kind === 'bad_config',
        );
        const c = sim.counters();
        assert.deepEqual(c.requests, {});
        assert.equal(c.rejectedPaths, 0);
      });
    }

    it('reports an unknown but well-formed account as an api error with its code', async () => {
      const client = clientFor(sim, { accountName: '0000999999-00001' });
      const err = await failure(client.history());
      client.close();
      assert.equal(err.kind, 'api');
      assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.AccountNotFound');
      assert.equal(sim.counters().rejectedPaths, 0);
      assert.equal(sim.queued(ACCOUNT), 1000);
    });
  });
});
