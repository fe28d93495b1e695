import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import type { DeliveryNotice } from '../../../nodes/lib/message/delivery-notice';
import { RuntimeShare, type NoticeReceiver } from '../../../nodes/lib/node-red/runtime-share';
import type { Handover } from '../../../nodes/lib/node-red/handovers';

const KEY = 'https://thingspace.example|0000123456-00001';

function handover(cancelled: string[]): Handover {
  return { book: { v: 1, pending: [], seen: [] }, waiting: [], ended: [], cancel: (why) => cancelled.push(why) };
}

function receiver(requestIds: string[], got: string[]): NoticeReceiver {
  return {
    ready: Promise.resolve(),
    owns: (n) => requestIds.includes(n.requestId),
    accept: (n) => got.push(`${requestIds.join('+')}:${n.requestId}`),
  };
}

describe('node-red/runtime-share: what the config nodes of one runtime share', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })));
  afterEach(() => clock.restore());

  const listening = (events: EventEmitter): number => events.listenerCount('flows:started') + events.listenerCount('runtime-event');

  it('lets one node read an account until it releases it; another runtime has its own readers', () => {
    const share = new RuntimeShare(undefined, () => undefined, new EventEmitter());
    assert.equal(share.claimReader(KEY, 'q1'), undefined);
    assert.equal(share.claimReader(KEY, 'q1'), undefined, 'the holder may claim again');
    assert.equal(share.claimReader(KEY, 'q2'), 'q1');
    assert.equal(share.claimReader(`${KEY}2`, 'q2'), undefined, 'another account is free');
    share.releaseReader(KEY, 'q2');
    assert.equal(share.claimReader(KEY, 'q3'), 'q1', 'only the holder releases');
    share.releaseReader(KEY, 'q1');
    assert.equal(share.claimReader(KEY, 'q3'), undefined);
    assert.equal(new RuntimeShare(undefined, () => undefined, new EventEmitter()).claimReader(KEY, 'q9'), undefined);
  });

  it('gives every sms-out of an account the same send queue, and each account its own', () => {
    const share = new RuntimeShare(undefined, () => undefined, new EventEmitter());
    assert.equal(share.sendQueue(KEY), share.sendQueue(KEY));
    assert.notEqual(share.sendQueue(KEY), share.sendQueue(`${KEY}2`));
  });

  it('routes a notice to the receiver that knows it, else the oldest; false without one', async () => {
    const share = new RuntimeShare(undefined, () => undefined, new EventEmitter());
    const got: string[] = [];
    const notice = (requestId: string): DeliveryNotice => ({ requestId }) as DeliveryNotice;
    assert.equal(await share.routeNotice(KEY, notice('r1')), false);
    const a = receiver(['r1'], got);
    share.addReceiver(KEY, a);
    share.addReceiver(KEY, receiver(['r2'], got));
    assert.equal(await share.routeNotice(KEY, notice('r2')), true);
    assert.equal(await share.routeNotice(KEY, notice('r3')), true);
    share.removeReceiver(KEY, a);
    assert.equal(await share.routeNotice(KEY, notice('r1')), true);
    assert.deepEqual(got, ['r2:r2', 'r1:r3', 'r2:r1']);
    assert.equal(await share.routeNotice(`${KEY}2`, notice('r1')), false, 'per account');
  });

  it('listens to the runtime only while it holds a hand-over, and cancels what no successor took when the flows start', () => {
    const events = new EventEmitter();
    const share = new RuntimeShare(undefined, () => undefined, events);
    const cancelled: string[] = [];
    assert.equal(listening(events), 0);
    share.sends.park('node:a', handover(cancelled));
    share.sends.park('node:b', handover(cancelled));
    assert.equal(listening(events), 2);
    assert.equal(share.sends.take('node:a').length, 1);
    assert.equal(listening(events), 2, 'one is still parked');
    events.emit('flows:started', {});
    assert.deepEqual(cancelled, ['no sms-out node took it over after the deploy']);
    assert.equal(listening(events), 0);
  });

  it('cancels on a stop of the flows outside a deploy, not on a deploy, nor twice', () => {
    const events = new EventEmitter();
    const share = new RuntimeShare(undefined, () => undefined, events);
    const cancelled: string[] = [];
    share.sends.park('node:a', handover(cancelled));
    events.emit('runtime-event', { id: 'runtime-state', payload: { state: 'stop', deploy: true } });
    assert.deepEqual(cancelled, []);
    events.emit('runtime-event', { id: 'runtime-state', payload: { state: 'stop' } });
    assert.deepEqual(cancelled, ['Node-RED stopped the flows']);
    events.emit('runtime-event', { id: 'runtime-state', payload: { state: 'stop' } });
    assert.equal(cancelled.length, 1);
    assert.equal(listening(events), 0);
  });

  it('cancels a hand-over nobody took within 60 s and stops listening then', () => {
    const events = new EventEmitter();
    const share = new RuntimeShare(undefined, () => undefined, events);
    const cancelled: string[] = [];
    share.sends.park('account:x', handover(cancelled));
    clock.tick(59_999);
    assert.deepEqual(cancelled, []);
    clock.tick(1);
    assert.deepEqual(cancelled, ['no sms-out node took it over within 60 s']);
    assert.equal(listening(events), 0);
  });

  it('lets a successor wait for the flows to start (at most 5 s), listening only meanwhile', async () => {
    const events = new EventEmitter();
    const share = new RuntimeShare(undefined, () => undefined, events);
    let started = false;
    void share.sends.flowsStarted().then(() => (started = true));
    assert.equal(listening(events), 1);
    events.emit('flows:started', {});
    await Promise.resolve();
    assert.ok(started);
    assert.equal(listening(events), 0);
    let late = false;
    void share.sends.flowsStarted().then(() => (late = true));
    clock.tick(5_000);
    await Promise.resolve();
    assert.ok(late, 'the wait ends by itself');
    assert.equal(listening(events), 0);
  });
});
