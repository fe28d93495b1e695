// Coordination through a real Redis Sentinel set (a primary, a replica, three sentinels, all
// with passwords): the link finds the primary, follows a failover after the primary is
// SIGKILLed, and says clearly when the master name is unknown or no sentinel answers.
import assert from 'node:assert/strict';
import { checkSentinels } from '../../../nodes/lib/coordination/redis-url';
import type { CoordinationError } from '../../../nodes/lib/coordination/errors';
import { SentinelSet, sentinelAvailable } from '../../support/redis-sentinel';
import { ACCOUNT, holding, runtime, viewOf, type PlayedRuntime } from './helpers';

const LEASE_KEY = `test:{${ACCOUNT}@127.0.0.1:9}:lease`;
const STATE_KEY = `test:{${ACCOUNT}@127.0.0.1:9}:state`;
const PASSWORDS = { password: 'redis-secret', sentinelPassword: 'sentinel-secret' };

describe('coordination through Redis Sentinel (real redis-server and redis-sentinel)', function () {
  this.timeout(30_000);
  let set: SentinelSet;
  const played: PlayedRuntime[] = [];
  const play = (name: string, master = set.master, opts: object = PASSWORDS): PlayedRuntime => {
    const r = runtime(name, checkSentinels(set.list, master), opts);
    played.push(r);
    return r;
  };
  const errorOf = (v: unknown): CoordinationError => (v as { error: CoordinationError }).error;

  before(async function () {
    if (!sentinelAvailable()) {
      console.log('      skipped: redis-server or redis-sentinel is not installed');
      this.skip();
    }
    set = await SentinelSet.start({ password: PASSWORDS.password, sentinelPassword: PASSWORDS.sentinelPassword });
  });
  afterEach(async () => {
    await Promise.all(played.splice(0).map((r) => r.close()));
  });
  after(async () => set?.close());

  it('finds the primary: the lease and the state are written there and reach the replica', async () => {
    const a = play('runtime-a').reader();
    a.lease.start();
    await viewOf(a, holding);
    assert.equal(await a.lease.confirm('n-1'), true);
    const primary = await set.primary();
    assert.equal(await primary.command('GET', LEASE_KEY), a.lease.fence()!.value);
    const replica = set.nodes.find((n) => n !== primary)!;
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && (await replica.command('HGET', STATE_KEY, 'next')) !== 'n-1') await new Promise((r) => setTimeout(r, 20));
    assert.equal(await replica.command('HGET', STATE_KEY, 'next'), 'n-1');
  });

  it('follows a failover (primary SIGKILLed): says so, reads nothing meanwhile, and one runtime takes the lease on the new primary', async () => {
    const a = play('runtime-a').reader(ACCOUNT, 100);
    const b = play('runtime-b').reader(ACCOUNT, 100);
    a.lease.start();
    await viewOf(a, holding);
    b.lease.start();
    await viewOf(b, (v) => v.state === 'standby' && v.holder === 'runtime-a');
    let both = 0;
    const watch = setInterval(() => (both += a.lease.holding && b.lease.holding ? 1 : 0), 5);
    try {
      const oldPort = await set.killPrimary();
      const killedAt = Date.now();
      const down = errorOf(await viewOf(a, (v) => v.state === 'unavailable', 5000));
      assert.equal(down.sentinelFault, 'failover', down.message);
      assert.equal(down.code, 'COORDINATION_UNAVAILABLE');
      assert.match(down.message, new RegExp(`primary 127\\.0\\.0\\.1:${oldPort} of Sentinel master "${set.master}".*failover`));
      assert.equal(await a.lease.confirm('while-down'), false, 'nothing confirmed without a primary');
      const primary = await set.failedOver(oldPort);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !a.lease.holding && !b.lease.holding) await new Promise((r) => setTimeout(r, 20));
      const holder = a.lease.holding ? a : b;
      assert.ok(holder.lease.holding, `nobody holds the lease ${Date.now() - killedAt} ms after the kill`);
      console.log(`      lease held again ${Date.now() - killedAt} ms after the primary was killed (by ${holder === a ? 'runtime-a' : 'runtime-b'})`);
      assert.equal(await primary.command('GET', LEASE_KEY), holder.lease.fence()!.value);
      assert.equal(await holder.lease.confirm('after-failover'), true);
      assert.equal(await primary.command('HGET', STATE_KEY, 'next'), 'after-failover');
      const other = holder === a ? b : a;
      await viewOf(other, (v) => v.state === 'standby' && v.holder !== undefined, 5000);
      assert.equal(both, 0, 'never two holders at once');
    } finally {
      clearInterval(watch);
    }
  });

  it('follows a switch of a live primary (SENTINEL FAILOVER): the lease is held and confirmed on the new primary', async () => {
    const own = await SentinelSet.start({ password: PASSWORDS.password, sentinelPassword: PASSWORDS.sentinelPassword });
    try {
      const r = runtime('runtime-a', checkSentinels(own.list, own.master), PASSWORDS);
      played.push(r);
      const a = r.reader(ACCOUNT, 100);
      a.lease.start();
      await viewOf(a, holding);
      const old = await own.primary();
      assert.equal(await own.sentinels[0].command('SENTINEL', 'FAILOVER', own.master), 'OK');
      const moved = errorOf(await viewOf(a, (v) => v.state === 'unavailable' && /moved from/.test(v.error.message), 10_000));
      assert.equal(moved.sentinelFault, 'failover');
      assert.match(moved.message, new RegExp(`failover, the primary moved from 127\\.0\\.0\\.1:${old.port} to 127\\.0\\.0\\.1:\\d+`));
      await viewOf(a, holding, 10_000);
      const primary = await own.primary();
      assert.notEqual(primary.port, old.port);
      assert.equal(await a.lease.confirm('on-the-new-one'), true);
      assert.equal(await primary.command('HGET', STATE_KEY, 'next'), 'on-the-new-one');
    } finally {
      await Promise.all(played.splice(0).map((p) => p.close()));
      await own.close();
    }
  });

  describe('bad configuration', () => {
    it('a master name the sentinels do not know: BAD_CONFIG naming it, never holding, no secret', async () => {
      const a = play('runtime-a', 'no-such-master').reader();
      a.lease.start();
      const e = errorOf(await viewOf(a, (v) => v.state === 'unavailable', 5000));
      assert.equal(e.code, 'BAD_CONFIG');
      assert.match(e.message, /the sentinels monitor no master named "no-such-master": check the master name/);
      assert.doesNotMatch(e.message, /redis-secret|sentinel-secret/);
      assert.equal(await a.lease.confirm('x'), false);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(a.lease.holding, false);
    });

    it('sentinels that do not answer: COORDINATION_UNAVAILABLE, saying so', async () => {
      const r = runtime('runtime-a', checkSentinels('127.0.0.1:1, 127.0.0.1:2', 'tsms'), PASSWORDS);
      played.push(r);
      const a = r.reader();
      a.lease.start();
      const e = errorOf(await viewOf(a, (v) => v.state === 'unavailable', 5000));
      assert.equal(e.code, 'COORDINATION_UNAVAILABLE');
      assert.match(e.message, /^Redis Sentinel master "tsms" \(sentinels 127\.0\.0\.1:1, 127\.0\.0\.1:2\): no sentinel answers/);
      assert.equal(a.lease.holding, false);
    });

    it('a wrong Sentinel password, or none: a clear reason, no secret in it', async () => {
      const wrong = play('runtime-a', set.master, { ...PASSWORDS, sentinelPassword: 'not-the-one' }).reader();
      wrong.lease.start();
      const e = errorOf(await viewOf(wrong, (v) => v.state === 'unavailable', 5000));
      assert.match(e.message, /a sentinel refused the password: check the Sentinel password/);
      assert.doesNotMatch(e.message, /not-the-one|sentinel-secret|redis-secret/);
      const none = play('runtime-b', set.master, { password: PASSWORDS.password }).reader();
      none.lease.start();
      const e2 = errorOf(await viewOf(none, (v) => v.state === 'unavailable', 5000));
      assert.match(e2.message, /the sentinels ask for a password \(NOAUTH\)/);
    });
  });
});
