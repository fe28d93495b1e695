import assert from 'node:assert/strict';
import { consumerFor, range, rig, sms, until, type Rig } from './helpers';
import { MemoryStore } from '../../support/memory-store';

describe('consumer: manual acknowledgement against the simulator', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('never asks for the next block before every SMS of the current one was acknowledged', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.generate(250);
    // The ack timeout shows that it still waited: it hands on again exactly what it waits
    // for, and only while waiting (a request for the next block would have ended that).
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual', ackTimeoutMs: 500 });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'first block');
    const first = rec.blocks[0];
    assert.equal(first.items.length, 100);
    assert.deepEqual(consumer.state, { phase: 'waiting-ack', pending: 100 });

    for (const item of first.items.slice(0, 99)) assert.equal(consumer.ack(item.ref), true);
    await until(() => rec.blocks.length === 2, 'the ack timeout');
    assert.deepEqual(
      rec.blocks[1].items.map((i) => i.sms),
      [first.items[99].sms],
      'only the SMS not acknowledged, and no next block',
    );
    assert.equal(r.sim.counters().requests.history, 1, 'no request while one SMS is unacknowledged');
    assert.equal(r.sim.queued(), 250);

    assert.equal(consumer.ack(first.items[99].ref), true);
    await until(() => rec.blocks.length === 3, 'second block');
    assert.equal(r.sim.queued(), 150, 'the request for block 2 acknowledged block 1, and only it');
    assert.equal(consumer.ack(first.items[99].ref), false, 'an ack is accepted once');
  });

  it('acknowledges a whole block with index -1 (batch mode)', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.generate(250);
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual' });
    consumer.on('block', (b) => setImmediate(() => consumer.ack({ block: b.id, index: -1 })));
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    assert.equal(rec.texts.length, 250);
    assert.equal(new Set(rec.texts).size, 250);
    assert.equal(r.sim.queued(), 0);
    assert.equal(r.sim.counters().requests.history, 3);
  });

  it('after ackTimeout emits again only what was not acknowledged, from its own copy, acknowledging nothing', async () => {
    r = await rig();
    r.sim.enqueue(range(0, 150).map((n) => sms(n)));
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual', ackTimeoutMs: 200 });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'first block');
    const first = rec.blocks[0];
    for (const item of first.items.slice(0, 60)) consumer.ack(item.ref);

    await until(() => rec.blocks.length === 2, 'the unacknowledged SMS again', 2000);
    const again = rec.blocks[1];
    assert.deepEqual(
      again.items.map((i) => i.sms.message),
      first.items.slice(60).map((i) => i.sms.message),
      'only the 40 unacknowledged SMS, none swallowed',
    );
    assert.equal(r.sim.queued(), 150, 'nothing was acknowledged to the server');
    assert.equal(r.sim.counters().requests.history, 1, 'emitted again without asking the server');

    // A late ack of the first copy settles the re-emitted copy too.
    for (const item of first.items.slice(60)) assert.equal(consumer.ack(item.ref), true);
    await until(() => rec.blocks.length === 3, 'block 2');
    assert.equal(r.sim.queued(), 50);
    assert.deepEqual(
      rec.blocks[2].items.map((i) => i.sms.message),
      range(100, 150).map((n) => `reading ${n}`),
    );
  });

  it('emits a timed-out block again even when the server treats a read without next as consuming it', async () => {
    r = await rig({ withoutNext: 'consume', finalBlock: 'ack-on-delivery' });
    r.sim.enqueue(range(0, 150).map((n) => sms(n)));
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual', ackTimeoutMs: 150 });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'first block');
    await until(() => rec.blocks.length === 3, 'two re-emissions', 3000);
    for (const b of rec.blocks) assert.equal(b.items.length, 100);
    for (const item of rec.blocks[2].items) consumer.ack(item.ref);
    await until(() => rec.blocks.length === 4, 'block 2');
    for (const item of rec.blocks[3].items) consumer.ack(item.ref);
    await until(() => rec.saw('idle'), 'idle');
    assert.equal(new Set(rec.texts).size, 150, 'every SMS emitted, none lost');
    assert.equal(r.sim.queued(), 0);
  });

  it('treats SMS suppressed as duplicates as acknowledged: after a restart only the rest must come back', async () => {
    r = await rig();
    r.sim.enqueue(range(0, 120).map((n) => sms(n)));
    const store = new MemoryStore();
    const one = consumerFor(r, { ackMode: 'manual', store });
    await one.consumer.start();
    await until(() => one.rec.blocks.length === 1, 'first block');
    for (const item of one.rec.blocks[0].items.slice(0, 60)) one.consumer.ack(item.ref);
    await one.consumer.stop();

    // The successor loads the same store: 60 delivered, 40 held as pending.
    const two = consumerFor(r, { ackMode: 'manual', store });
    await two.consumer.start();
    await until(() => two.rec.blocks.length >= 1, 'the held SMS again');
    assert.deepEqual(
      two.rec.blocks[0].items.map((i) => i.sms.message),
      range(60, 100).map((n) => `reading ${n}`),
    );
    for (const item of two.rec.blocks[0].items) two.consumer.ack(item.ref);
    // The server re-delivers block 1 in full: every SMS in it is a duplicate now, so it is
    // acknowledged at once and block 2 follows.
    await until(() => two.rec.texts.includes('reading 119'), 'block 2');
    assert.ok(two.rec.duplicates >= 100, 'the whole re-delivered block was suppressed');
    assert.equal(r.sim.queued(), 20, 'block 1 acknowledged without waiting for anything more');
  });

  it('ignores acks that name no emitted SMS', async () => {
    r = await rig();
    r.sim.enqueue([sms(1)]);
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual' });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'block');
    const id = rec.blocks[0].id;
    assert.equal(consumer.ack({ block: 'nope', index: 0 }), false);
    assert.equal(consumer.ack({ block: id, index: 1 }), false);
    assert.equal(consumer.ack({ block: id, index: 0.5 }), false);
    assert.equal(consumer.ack({ block: id, index: 0 }), true);
    assert.equal(consumer.ack({ block: id, index: -1 }), false, 'nothing left to acknowledge');
  });

  it('returns false for acks in auto mode', async () => {
    r = await rig();
    r.sim.enqueue([sms(1)]);
    const { consumer, rec } = consumerFor(r);
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'block');
    assert.equal(consumer.ack(rec.blocks[0].items[0].ref), false);
  });
});
