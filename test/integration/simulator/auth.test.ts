import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, CREDS, basic, getToken, history, loginWith, request, session } from './helpers';

describe('simulator: OAuth token and M2M session (docs/thingspace-api.md, "Access token" and "Session")', () => {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start();
  });
  afterEach(() => sim.stop());

  describe('token', () => {
    it('returns the same bearer token while it lives, with the remaining lifetime', async () => {
      const a = (await getToken(sim)).json();
      const b = (await getToken(sim)).json();
      assert.equal(a.token_type, 'Bearer');
      assert.equal(a.access_token, b.access_token);
      assert.ok(b.expires_in <= 3600 && b.expires_in > 3590);
      assert.equal(sim.counters().tokensIssued, 1);
    });

    it('refuses a wrong client secret with 401 invalid_client', async () => {
      const res = await request(sim.url, 'POST', '/api/ts/v1/oauth2/token', {
        headers: { Authorization: basic(CREDS.clientId, 'wrong'), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      assert.equal(res.status, 401);
      assert.equal(res.json().error, 'invalid_client');
      assert.ok(!res.text.includes('wrong'), 'the secret is never echoed');
    });

    it('refuses a missing or other grant type with 400', async () => {
      const headers = { Authorization: basic(), 'Content-Type': 'application/x-www-form-urlencoded' };
      const none = await request(sim.url, 'POST', '/api/ts/v1/oauth2/token', { headers, body: '' });
      assert.equal(none.status, 400);
      assert.equal(none.json().error, 'invalid_request');
      const other = await request(sim.url, 'POST', '/api/ts/v1/oauth2/token', { headers, body: 'grant_type=password' });
      assert.equal(other.json().error, 'unsupported_grant_type');
    });

    it('mints a new token once the old one expired, and refuses the old one with 401 fault 900901', async () => {
      sim.configure({ tokenTtlSec: 0.3 });
      const auth = await session(sim);
      await sleep(400);
      const res = await history(sim, auth);
      assert.equal(res.status, 401);
      assert.equal(res.json().fault.code, 900901);
      const fresh = (await getToken(sim)).json().access_token;
      assert.notEqual(`Bearer ${fresh}`, auth.Authorization);
      assert.equal(sim.counters().tokensIssued, 2);
    });

    it('answers a missing bearer with 401 fault 900902 and a wrong one with 900901', async () => {
      const auth = await session(sim);
      const missing = await history(sim, { 'VZ-M2M-Token': auth['VZ-M2M-Token'] });
      assert.equal(missing.status, 401);
      assert.equal(missing.json().fault.code, 900902);
      const wrong = await history(sim, { ...auth, Authorization: 'Bearer nope' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json().fault.code, 900901);
    });

    it('invalidates the bearer on expireBearer()', async () => {
      const auth = await session(sim);
      sim.expireBearer();
      assert.equal((await history(sim, auth)).status, 401);
    });
  });

  describe('session', () => {
    it('needs a bearer to log in', async () => {
      const res = await loginWith(sim, 'no-such-token', CREDS.username, CREDS.password);
      assert.equal(res.status, 401);
    });

    it('answers a missing session token with SessionToken.Format and an unknown one with SessionToken.Invalid', async () => {
      const auth = await session(sim);
      const missing = await history(sim, { Authorization: auth.Authorization });
      assert.equal(missing.status, 400);
      assert.equal(missing.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.SessionToken.Format');
      const unknown = await history(sim, { ...auth, 'VZ-M2M-Token': 'not-a-session' });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json().errorCode, 'UnifiedWebService.INPUT_INVALID.SessionToken.Invalid');
    });

    it('keeps a session alive while it is used and expires it after the idle time', async () => {
      // Uses 200 ms apart keep a 1 s idle time alive with room for a slow machine; then the
      // idle time passes (a slow machine only makes that pause longer).
      sim.configure({ sessionIdleSec: 1 });
      const auth = await session(sim);
      for (let i = 0; i < 5; i++) {
        await sleep(200);
        assert.equal((await history(sim, auth)).status, 200, `use ${i} within the idle time`);
      }
      await sleep(1200);
      const res = await history(sim, auth);
      assert.equal(res.status, 400);
      assert.equal(res.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.SessionToken.Expired');
    });

    it('expires every session on expireSession()', async () => {
      const auth = await session(sim);
      sim.expireSession();
      assert.equal((await history(sim, auth)).json().errorCode, 'UnifiedWebService.REQUEST_FAILED.SessionToken.Expired');
    });

    it('ends a session on logout, echoing its token', async () => {
      const auth = await session(sim);
      const res = await request(sim.url, 'POST', '/api/m2m/v1/session/logout', { headers: auth });
      assert.equal(res.status, 200);
      assert.equal(res.json().sessionToken, auth['VZ-M2M-Token']);
      assert.equal((await history(sim, auth)).json().errorCode, 'UnifiedWebService.INPUT_INVALID.SessionToken.Invalid');
    });
  });

  describe('lockout', () => {
    async function attempt(password: string) {
      const bearer = (await getToken(sim)).json().access_token as string;
      return loginWith(sim, bearer, CREDS.username, password);
    }

    it('locks the user after 5 consecutive failed logins, even for the right password, until unlocked', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await attempt('wrong');
        assert.equal(res.status, 400);
        assert.equal(res.json().errorCode, 'UnifiedWebService.INPUT_INVALID.Password.Invalid');
      }
      assert.equal(sim.counters().locked, true);
      const right = await attempt(CREDS.password);
      assert.equal(right.status, 400);
      assert.equal(right.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.User.Locked');
      assert.equal(sim.counters().loginsFailed, 6);
      sim.unlock();
      assert.equal((await attempt(CREDS.password)).status, 200);
      assert.equal(sim.counters().locked, false);
    });

    it('counts only consecutive failures: a good login starts the count again', async () => {
      for (let i = 0; i < 4; i++) await attempt('wrong');
      assert.equal((await attempt(CREDS.password)).status, 200);
      for (let i = 0; i < 4; i++) await attempt('wrong');
      assert.equal(sim.counters().locked, false);
      assert.equal((await attempt(CREDS.password)).status, 200);
    });
  });

  it('needs a session for every M2M call, on every documented path', async () => {
    const bearer = { Authorization: (await session(sim)).Authorization };
    const calls: [string, string][] = [
      ['GET', `/api/m2m/v1/sms/${ACCOUNT}/history`],
      ['PUT', `/api/m2m/v1/sms/${ACCOUNT}/startCallbacks`],
      ['GET', `/api/m2m/v1/callbacks/${ACCOUNT}`],
      ['POST', `/api/m2m/v1/callbacks/${ACCOUNT}`],
      ['DELETE', `/api/m2m/v1/callbacks/${ACCOUNT}/name/EnhancedConnectivityService`],
    ];
    for (const [method, path] of calls) {
      const res = await request(sim.url, method, path, { headers: bearer });
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.match(res.json().errorCode, /\.SessionToken\./);
    }
  });
});
