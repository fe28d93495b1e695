import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, CREDS, getToken, history, loginWith, request, session, sms } from './helpers';

describe('simulator: HTTP control interface (/_sim/)', () => {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ accounts: [ACCOUNT, '0000999999-00002'] });
  });
  afterEach(() => sim.stop());

  function post(path: string, body?: unknown) {
    return request(sim.url, 'POST', `/_sim${path}`, { headers: { 'Content-Type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });
  }
  function get(path: string) {
    return request(sim.url, 'GET', `/_sim${path}`);
  }

  it('enqueues one SMS, an array, or a generated count, to the default or a named account', async () => {
    assert.equal((await post('/sms', sms('one'))).json().enqueued, 1);
    assert.equal((await post('/sms', [sms('two'), sms('three')])).json().enqueued, 2);
    const generated = (await post('/sms', { count: 5, account: '0000999999-00002' })).json();
    assert.deepEqual(generated, { enqueued: 5, accountName: '0000999999-00002', queued: 5 });
    assert.equal(sim.queued(), 3);
    assert.equal(sim.queued('0000999999-00002'), 5);
  });

  it('stamps an SMS without timestamp and refuses one without deviceIds', async () => {
    await post('/sms', { deviceIds: [{ kind: 'imei', id: '356938035643809' }], message: 'no time' });
    assert.match(sim.peek(ACCOUNT, 1)[0].timestamp, /^\d{4}-\d\d-\d\dT/);
    const bad = await post('/sms', { message: 'who sent this?' });
    assert.equal(bad.status, 400);
    assert.match(bad.json().error, /deviceIds/);
  });

  it('shows the head of a queue', async () => {
    sim.enqueue([sms('first'), sms('second')]);
    const q = (await get(`/queue?account=${ACCOUNT}&limit=1`)).json();
    assert.equal(q.queued, 2);
    assert.deepEqual(
      q.head.map((m: { message: string }) => m.message),
      ['first'],
    );
  });

  it('adds a fault rule or an array of them, lists them and clears them', async () => {
    await post('/faults', { kind: 'rate-limit', count: 2 });
    const list = (await post('/faults', [{ kind: 'server-error', endpoint: 'login' }])).json().faults;
    assert.deepEqual(
      list.map((r: { kind: string }) => r.kind),
      ['rate-limit', 'server-error'],
    );
    const bearer = (await getToken(sim)).json().access_token;
    assert.equal((await loginWith(sim, bearer, CREDS.username, CREDS.password)).status, 503);
    const cleared = await request(sim.url, 'DELETE', '/_sim/faults');
    assert.deepEqual(cleared.json().faults, []);
    const auth = await session(sim);
    assert.equal((await history(sim, auth)).status, 200, 'the rate-limit rule is gone');
    assert.equal(sim.counters().faultsInjected['server-error'], 1);
  });

  it('refuses a bad fault rule with 400 and adds nothing', async () => {
    const res = await post('/faults', [{ kind: 'rate-limit' }, { kind: 'nonsense' }]);
    assert.equal(res.status, 400);
    assert.deepEqual((await get('/faults')).json().faults, []);
  });

  it('changes options at run time, masking secrets in the answer', async () => {
    const res = (await post('/options', { blockSize: 2, withoutNext: 'consume' })).json();
    assert.equal(res.blockSize, 2);
    assert.equal(res.withoutNext, 'consume');
    assert.equal(res.clientSecret, '***');
    assert.equal(res.password, '***');
    sim.enqueue([sms('a'), sms('b'), sms('c')]);
    const auth = await session(sim);
    assert.equal((await history(sim, auth)).json().messages.length, 2);
    const bad = await post('/options', { withoutNext: 'sometimes' });
    assert.equal(bad.status, 400);
  });

  it('expires the bearer or the session on request', async () => {
    const auth = await session(sim);
    await post('/expire', { what: 'session' });
    assert.equal((await history(sim, auth)).json().errorCode, 'UnifiedWebService.REQUEST_FAILED.SessionToken.Expired');
    await post('/expire', { what: 'bearer' });
    assert.equal((await history(sim, auth)).status, 401);
    assert.equal((await post('/expire', { what: 'everything' })).status, 400);
  });

  it('unlocks a locked user', async () => {
    const bearer = (await getToken(sim)).json().access_token;
    for (let i = 0; i < 5; i++) await loginWith(sim, bearer, CREDS.username, 'wrong');
    assert.equal((await get('/counters')).json().locked, true);
    await post('/unlock');
    assert.equal((await loginWith(sim, bearer, CREDS.username, CREDS.password)).status, 200);
  });

  it('reports counters and resets them', async () => {
    await getToken(sim);
    const counters = (await get('/counters')).json();
    assert.equal(counters.requests.token, 1);
    assert.equal(counters.tokensIssued, 1);
    const reset = (await post('/reset-counters')).json();
    assert.equal(reset.tokensIssued, 0);
    assert.deepEqual(reset.requests, {});
  });

  it('lists callback listeners', async () => {
    const auth = await session(sim);
    await request(sim.url, 'POST', `/api/m2m/v1/callbacks/${ACCOUNT}`, {
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'EnhancedConnectivityService', url: 'http://127.0.0.1:9/cb' }),
    });
    const res = (await get('/callbacks')).json();
    assert.equal(res.listeners[0].url, 'http://127.0.0.1:9/cb');
    assert.deepEqual(res.recent, []);
  });

  it('answers an unknown control path with 404, without counting it as a rejected API path', async () => {
    const res = await get('/nothing');
    assert.equal(res.status, 404);
    assert.equal(sim.counters().rejectedPaths, 0);
  });
});
