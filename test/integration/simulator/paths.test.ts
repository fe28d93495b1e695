import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, request, session, sms } from './helpers';

const VICTIM = '0000999999-00002';

describe('simulator: strict path matching', () => {
  let sim: ThingSpaceSimulator;
  let auth: Record<string, string>;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ accounts: [ACCOUNT, VICTIM] });
    auth = await session(sim);
    sim.enqueue(sms('secret of the other account'), VICTIM);
  });
  afterEach(() => sim.stop());

  it('answers an undocumented path with 404 gateway fault 900906 and counts it', async () => {
    const res = await request(sim.url, 'GET', '/api/m2m/v1/devices/actions/list', { headers: auth });
    assert.equal(res.status, 404);
    assert.equal(res.json().fault.code, 900906);
    assert.equal(sim.counters().rejectedPaths, 1);
  });

  it('answers a documented path with the wrong method as undocumented', async () => {
    const res = await request(sim.url, 'POST', `/api/m2m/v1/sms/${ACCOUNT}/history`, { headers: auth });
    assert.equal(res.status, 404);
    assert.equal(sim.counters().rejectedPaths, 1);
  });

  const attempts: [string, string, number][] = [
    ['a "/" in the account', `/api/m2m/v1/sms/${ACCOUNT}/../${VICTIM}/history`, 404],
    ['a ".." account', '/api/m2m/v1/sms/../history', 400],
    ['a "..%2F" account', `/api/m2m/v1/sms/..%2F${VICTIM}/history`, 400],
    ['an encoded "/" in the account', `/api/m2m/v1/sms/${ACCOUNT}%2F..%2F${VICTIM}/history`, 400],
    ['an encoded "?" in the account', `/api/m2m/v1/sms/${VICTIM}%3Fx/history`, 400],
    ['a "?" in the account', `/api/m2m/v1/sms/${VICTIM}?/history`, 404],
    ['a doubled slash', `/api/m2m/v1/sms//${VICTIM}/history`, 404],
    ['a dot segment before the path', `/api/m2m/v1/./sms/${VICTIM}/history`, 404],
    ['an over-long account', `/api/m2m/v1/sms/${'1'.repeat(33)}/history`, 400],
    ['a bad escape', '/api/m2m/v1/sms/%E0%A4%A/history', 400],
  ];
  for (const [what, path, status] of attempts) {
    it(`rejects ${what} with ${status}, counts it and never serves another account`, async () => {
      const res = await request(sim.url, 'GET', path, { headers: auth });
      assert.equal(res.status, status, res.text);
      if (status === 400) assert.equal(res.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.AccountNotFound');
      assert.ok(!res.text.includes('secret of the other account'));
      assert.equal(sim.counters().rejectedPaths, 1);
      assert.equal(sim.counters().messagesServed, 0);
    });
  }

  it('still serves a well-formed request for the same account', async () => {
    const res = await request(sim.url, 'GET', `/api/m2m/v1/sms/${VICTIM}/history`, { headers: auth });
    assert.equal(res.status, 200);
    assert.equal(res.json().messages[0].message, 'secret of the other account');
    assert.equal(sim.counters().rejectedPaths, 0);
  });
});
