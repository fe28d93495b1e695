// The lease's timing against a fake clock and a scripted Redis: renewal every third of the
// lease, the local deadline that fences a confirm answered too late, the watchdog, and the
// hand-over above the fair share. The scripts themselves run against a real redis-server in
// test/integration/coordination.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { accountKey } from '../../../nodes/lib/client/account';
import { AccountLease, type LeaseView } from '../../../nodes/lib/coordination/lease';
import { accountKeys } from '../../../nodes/lib/coordination/scripts';
import type { LinkEvents, RedisLink } from '../../../nodes/lib/coordination/redis-link';
import { ReplicaSet } from '../../../nodes/lib/coordination/replicas';
import type { Script } from '../../../nodes/lib/coordination/scripts';

type Handler = (keys: string[], args: ReadonlyArray<string | number>) => Promise<unknown>;

class ScriptedLink extends EventEmitter<LinkEvents> implements RedisLink {
  up = true;
  connecting = false;
  error = undefined;
  readonly calls: string[] = [];
  readonly handlers: Record<string, Handler> = {};
  run(script: Script, keys: string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    // One fenced script renews, confirms (with state fields) and gives back (a lease time of 0).
    const name = script.name !== 'fenced' ? script.name : args[1] === 0 ? 'release' : args.length > 4 ? 'confirm' : 'renew';
    this.calls.push(name);
    const h = this.handlers[name];
    return h ? h(keys, args) : Promise.resolve(1);
  }
  call(): Promise<unknown> {
    return Promise.resolve(1);
  }
  release(): void {}
}

const TTL = 3000;

describe('coordination: lease timing (fake clock, scripted Redis)', () => {
  let clock: sinon.SinonFakeTimers;
  let link: ScriptedLink;
  let leases: AccountLease[];
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    link = new ScriptedLink();
    link.handlers.heartbeat = () => Promise.resolve([1, 1]);
    link.handlers.acquire = (_k, args) => Promise.resolve([1, `7|${String(args[0])}|rt-a`]);
    leases = [];
  });
  afterEach(async () => {
    await Promise.all(leases.map((l) => l.stop()));
    clock.restore();
  });

  function lease(account = '0000123456-00001', replicas = new ReplicaSet(link, 't:', 'rt-a', TTL)): { lease: AccountLease; views: LeaseView[] } {
    const l = new AccountLease({
      link,
      keys: accountKeys('t:', accountKey('http://127.0.0.1:9', account)),
      replicas,
      ttlMs: TTL,
      retryMs: 500,
      now: () => Date.now(),
    });
    const views: LeaseView[] = [];
    l.on('change', (v) => views.push(v));
    leases.push(l);
    return { lease: l, views };
  }

  it('takes the lease, then renews it every third of the lease time', async () => {
    const { lease: l, views } = lease();
    l.start();
    await clock.tickAsync(0);
    assert.deepEqual(views, [{ state: 'holding', epoch: 7, runtime: 'rt-a' }]);
    await clock.tickAsync(TTL);
    assert.equal(link.calls.filter((c) => c === 'renew').length, 3);
    assert.ok(l.holding);
  });

  it('a confirm answered later than the lease time less its margin counts as lost: false, and standby', async () => {
    const { lease: l, views } = lease();
    l.start();
    await clock.tickAsync(0);
    link.handlers.confirm = () => new Promise((resolve) => setTimeout(() => resolve(1), TTL - 200)); // a pause, or a slow Redis
    const answer = l.confirm('token-9');
    await clock.tickAsync(TTL);
    assert.equal(await answer, false, 'the runtime cannot know the lease was still its own');
    assert.equal(views[views.length - 1].state, 'standby');
    assert.equal(l.fence(), undefined, 'no fenced write either');
  });

  it('a confirm answered in time is true and moves the deadline on', async () => {
    const { lease: l } = lease();
    l.start();
    await clock.tickAsync(0);
    link.handlers.confirm = () => new Promise((resolve) => setTimeout(() => resolve(1), 5));
    const answer = l.confirm('token-9');
    await clock.tickAsync(5);
    assert.equal(await answer, true);
  });

  it('fresh() holds for a third of the lease after the last confirmation was sent, and never once the lease is lost', async () => {
    const { lease: l } = lease();
    assert.equal(l.fresh(), false, 'not held yet');
    l.start();
    await clock.tickAsync(0);
    assert.equal(l.fresh(), true, 'just taken');
    link.handlers.renew = () => new Promise(() => undefined); // renewals hang: only confirms count
    await clock.tickAsync(TTL / 3 - 1);
    assert.equal(l.fresh(), true);
    await clock.tickAsync(1);
    assert.equal(l.fresh(), false, 'a third of the lease since it was taken');
    const sentAt = Date.now();
    link.handlers.confirm = () => new Promise((resolve) => setTimeout(() => resolve(1), 100));
    const answer = l.confirm('token-3');
    await clock.tickAsync(100);
    assert.equal(await answer, true);
    assert.equal(l.fresh(), true, 'confirmed by a command sent 100 ms ago');
    await clock.tickAsync(TTL / 3 - 100 - 1);
    assert.equal(l.fresh(), true);
    await clock.tickAsync(1);
    assert.equal(l.fresh(), false, `a third of the lease after ${sentAt}, when the confirm was sent`);
    link.handlers.confirm = () => Promise.resolve(0);
    assert.equal(await l.confirm('token-4'), false);
    assert.equal(l.fresh(), false, 'lost');
  });

  it('renewals that never come back: the watchdog stands the reader by at the deadline', async () => {
    const { lease: l, views } = lease();
    l.start();
    await clock.tickAsync(0);
    link.handlers.renew = () => new Promise(() => undefined);
    await clock.tickAsync(TTL - TTL / 10 - 1);
    assert.ok(l.holding, 'still within the lease');
    await clock.tickAsync(2);
    assert.equal(l.holding, false);
    assert.equal(views[views.length - 1].state, 'standby');
  });

  it('above its fair share it gives one lease back, and only once its reader stood by', async () => {
    link.handlers.heartbeat = () => Promise.resolve([2, 2]); // two replicas, two accounts: one each
    const replicas = new ReplicaSet(link, 't:', 'rt-a', TTL);
    const a = lease('acct-001', replicas);
    const b = lease('acct-002', replicas);
    const order: string[] = [];
    for (const x of [a, b])
      x.lease.yieldReader = () => {
        order.push('reader stood by');
        return Promise.resolve();
      };
    link.handlers.release = () => {
      order.push('released');
      return Promise.resolve(1);
    };
    a.lease.start();
    b.lease.start();
    await clock.tickAsync(0);
    // Before the first heartbeat came back both were free: both taken, one too many.
    await clock.tickAsync(TTL / 3 + 10);
    assert.equal([a.lease.holding, b.lease.holding].filter(Boolean).length, 1);
    assert.deepEqual(order, ['reader stood by', 'released']);
  });
});
