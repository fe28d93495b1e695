// The account lease against a real redis-server: one holder, the others on standby naming
// it, a graceful hand-over, a takeover after a crash, fenced writes, and Redis faults.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisServer, redisAvailable } from '../../support/redis-server';
import { ACCOUNT, holding, runtime, viewOf, type PlayedRuntime } from './helpers';

describe('coordination: the account lease (real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const played: PlayedRuntime[] = [];
  const play = (name: string, url = redis.url, opts = {}): PlayedRuntime => {
    const r = runtime(name, url, opts);
    played.push(r);
    return r;
  };

  before(async function () {
    if (!redisAvailable()) {
      console.log('      skipped: redis-server is not installed');
      this.skip();
    }
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(played.splice(0).map((r) => r.close()));
    if (redis && !redis.running) await redis.launch();
    await redis?.command('FLUSHALL');
  });
  after(async () => redis?.close());

  it('gives the lease to one runtime; the other stands by naming the holder', async () => {
    const a = play('runtime-a').reader();
    a.lease.start();
    const taken = await viewOf(a, holding);
    const b = play('runtime-b').reader();
    b.lease.start();
    const standby = await viewOf(b, (v) => v.state === 'standby' && v.holder !== undefined);
    assert.deepEqual(standby, { state: 'standby', holder: 'runtime-a', epoch: (taken as { epoch: number }).epoch });
    assert.equal(await b.lease.confirm('42'), false, 'a standby confirms nothing');
    assert.equal(await a.lease.confirm('42'), true);
    assert.equal(await redis.command('HGET', `test:{${ACCOUNT}@127.0.0.1:9}:state`, 'next'), '42');
  });

  it('hands over on a graceful stop within the standby retry, with a new epoch', async () => {
    const a = play('runtime-a').reader();
    a.lease.start();
    const first = (await viewOf(a, holding)) as { epoch: number };
    const b = play('runtime-b').reader(ACCOUNT, 100);
    b.lease.start();
    await viewOf(b, (v) => v.state === 'standby' && v.holder === 'runtime-a');
    const stoppedAt = Date.now();
    await a.lease.stop();
    const second = (await viewOf(b, holding)) as { epoch: number };
    assert.ok(Date.now() - stoppedAt < 1000, `took ${Date.now() - stoppedAt} ms`);
    assert.equal(second.epoch, first.epoch + 1);
  });

  it('after a crash (no release) the lease moves once its time is up, and the old holder is fenced', async () => {
    const a = play('runtime-a').reader();
    a.lease.start();
    await viewOf(a, holding);
    const fence = a.lease.fence()!;
    const b = play('runtime-b').reader(ACCOUNT, 100);
    b.lease.start();
    // A crash: the holder's renewals stop, nothing is given back.
    const crashedAt = Date.now();
    (a.lease as unknown as { clearTimers(): void }).clearTimers();
    await viewOf(b, holding, 5000);
    const took = Date.now() - crashedAt;
    assert.ok(took <= 1500 + 100 + 400, `the lease moved after ${took} ms (lease 1500 ms, retry 100 ms)`);
    // The old holder, unaware, tries to acknowledge: refused, and nothing written.
    assert.equal(await a.lease.confirm('stale-next'), false);
    assert.notEqual(await redis.command('HGET', `test:{${ACCOUNT}@127.0.0.1:9}:state`, 'next'), 'stale-next');
    assert.notEqual(fence.value, b.lease.fence()!.value);
    assert.equal(a.lease.view.state, 'standby');
  });

  it('writes the consumer state only while the lease is held, and the next holder reads it', async () => {
    const a = play('runtime-a').reader();
    a.lease.start();
    await viewOf(a, holding);
    await a.store.load();
    assert.equal(await a.lease.confirm('token-7'), true);
    await a.store.save({ v: 1, dedupe: { v: 1, cap: 2, keys: ['k'], times: [1], head: 0, size: 1 }, pending: { v: 1, sms: {} } });
    await a.lease.stop();
    const b = play('runtime-b').reader();
    b.lease.start();
    await viewOf(b, holding);
    const loaded = await b.store.load();
    assert.deepEqual(loaded, { v: 1, next: 'token-7', dedupe: { v: 1, cap: 2, keys: ['k'], times: [1], head: 0, size: 1 }, pending: { v: 1, sms: {} } });
    // The old holder's late write is refused.
    await a.store.save({ v: 1, dedupe: { v: 1, cap: 2, keys: [], times: [], head: 0, size: 0 } });
    assert.equal(a.store.refused, 1);
    assert.deepEqual((await b.store.load())?.dedupe, loaded?.dedupe);
  });

  it('lets exactly one runtime claim a pushed SMS', async () => {
    const a = play('runtime-a').reader();
    const b = play('runtime-b').reader();
    await viewOf(a, () => true);
    await new Promise((r) => setTimeout(r, 100)); // connected
    const answers = await Promise.all([a.push.claim('abc'), b.push.claim('abc'), a.push.claim('abc')]);
    assert.deepEqual(answers.sort(), ['duplicate', 'duplicate', 'new']);
    assert.equal(await a.push.seen('def'), 'new');
    await b.push.remember('def');
    assert.equal(await a.push.seen('def'), 'duplicate');
  });

  it('spreads 6 accounts over 3 runtimes, 2 each, and re-spreads when one leaves', async () => {
    const accounts = ['acct-001', 'acct-002', 'acct-003', 'acct-004', 'acct-005', 'acct-006'];
    const runtimes = ['r1', 'r2', 'r3'].map((n) => play(n, redis.url, { leaseMs: 900 }));
    for (const r of runtimes) for (const a of accounts) r.reader(a, 100);
    for (const r of runtimes) for (const x of r.readers) x.lease.start();
    const held = (r: PlayedRuntime): number => r.readers.filter((x) => x.lease.holding).length;
    const spread = (): number[] => runtimes.map(held);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && spread().join() !== '2,2,2') await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(spread(), [2, 2, 2]);
    // No account is held twice at any time: the keys say who holds each.
    const holders = await Promise.all(accounts.map((a) => redis.command('GET', `test:{${a}@127.0.0.1:9}:lease`)));
    assert.equal(new Set(holders).size, 6);
    await runtimes[2].close();
    while (Date.now() < deadline + 10_000 && spread().slice(0, 2).join() !== '3,3') await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(spread().slice(0, 2), [3, 3]);
  });

  describe('faults', () => {
    it('Redis down: the holder stops confirming at once, says why, and takes the lease again when Redis is back', async () => {
      const a = play('runtime-a').reader(ACCOUNT, 100);
      a.lease.start();
      await viewOf(a, holding);
      await redis.stop();
      const down = await viewOf(a, (v) => v.state === 'unavailable');
      assert.match((down as { error: Error }).error.message, /Redis at 127\.0\.0\.1:\d+: /);
      assert.equal(await a.lease.confirm('x'), false);
      await redis.launch();
      await viewOf(a, holding, 10_000);
      assert.equal(await a.lease.confirm('y'), true);
    });

    it('a wrong password: unavailable with a clear reason, never holding, no password in the message', async () => {
      const secured = await RedisServer.start({ password: 'right-one' });
      try {
        const a = play('runtime-a', secured.url, { password: 'wrong-secret' }).reader();
        a.lease.start();
        const v = await viewOf(a, (x) => x.state === 'unavailable' && /password/.test(x.error.message));
        assert.match((v as { error: Error }).error.message, /refused the password/);
        assert.doesNotMatch((v as { error: Error }).error.message, /wrong-secret|right-one/);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(a.lease.holding, false);
      } finally {
        await Promise.all(played.splice(0).map((r) => r.close()));
        await secured.close();
      }
    });

    it('a server that is not Redis: unavailable, saying so', async () => {
      const web = http.createServer((_q, s) => s.end('hello'));
      await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
      try {
        const a = play('runtime-a', `redis://127.0.0.1:${(web.address() as AddressInfo).port}`).reader();
        a.lease.start();
        const v = await viewOf(a, (x) => x.state === 'unavailable' && /protocol/.test(x.error.message));
        assert.match((v as { error: Error }).error.message, /does not answer in the Redis protocol/);
        assert.equal(a.lease.holding, false);
      } finally {
        await Promise.all(played.splice(0).map((r) => r.close()));
        web.close();
      }
    });

    it('nothing listening: unavailable, connection refused', async () => {
      const a = play('runtime-a', 'redis://127.0.0.1:1').reader();
      a.lease.start();
      const v = await viewOf(a, (x) => x.state === 'unavailable' && /refused/.test(x.error.message));
      assert.match((v as { error: Error }).error.message, /^Redis at 127\.0\.0\.1:1: connection refused/);
    });
  });
});
