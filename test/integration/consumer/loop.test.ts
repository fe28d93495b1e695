import { MemoryStore } from '../../support/memory-store';
import assert from 'node:assert/strict';
import { consumerFor, rig, sms, until, type Rig } from './helpers';

describe('consumer: one loop, started and stopped cleanly', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('keeps exactly one request in flight however often poll() is called', async () => {
    r = await rig({ latencyMs: 2, finalBlock: 'ack-on-delivery' });
    r.sim.generate(1000);
    const { consumer, rec } = consumerFor(r, { intervalMs: 0 });
    consumer.on('block', () => {
      for (let i = 0; i < 20; i++) consumer.poll();
    });
    // Every phase change asks for a poll too, while the hammer runs: then the loop settles.
    let hammering = true;
    consumer.on('state', (s) => hammering && s.phase !== 'listening' && consumer.poll());
    await consumer.start();
    const hammer = setInterval(() => consumer.poll(), 1);
    try {
      await until(() => rec.texts.length === 1000, 'all SMS');
      // Hammer on through a few more polls of the empty queue.
      const n = r.sim.counters().requests.history;
      await until(() => r.sim.counters().requests.history >= n + 3, 'three more polls');
    } finally {
      hammering = false;
      clearInterval(hammer);
    }
    await until(() => consumer.phase === 'listening', 'listening');
    assert.equal(new Set(rec.texts).size, 1000);
    assert.equal(r.sim.counters().maxConcurrentHistory, 1);
  });

  it('with interval 0 makes no request until poll(), and sets no timer afterwards', async () => {
    r = await rig();
    r.sim.enqueue([sms(1), sms(2)]);
    const { consumer, rec } = consumerFor(r, { intervalMs: 0 });
    await consumer.start();
    // Listening is where start() ends without an interval; only poll() leaves it, and it sets
    // no timer (the fake clock of test/unit/consumer/phases.test.ts lets a minute pass there).
    assert.equal(consumer.phase, 'listening');
    assert.equal(r.sim.counters().requests.history ?? 0, 0);
    consumer.poll();
    await until(() => rec.texts.length === 2, 'the SMS');
    await until(() => consumer.phase === 'listening', 'listening again');
    assert.equal(r.sim.counters().requests.history, 1);
  });

  it('polls again after intervalMs once the queue is drained', async () => {
    r = await rig();
    const { consumer, rec } = consumerFor(r, { intervalMs: 50 });
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    r.sim.enqueue(sms(7));
    await until(() => rec.texts.length === 1, 'the new SMS', 2000);
  });

  it('stop() during a hung request waits its grace for an answer, then cuts it, emits stopped once and sends nothing more', async () => {
    r = await rig();
    r.sim.generate(10);
    r.sim.addFault({ kind: 'hang', count: 1 });
    const { consumer, rec } = consumerFor(r, { intervalMs: 10, stopGraceMs: 200 });
    await consumer.start();
    await until(() => r.sim.counters().inFlightHistory === 1, 'the hung request');
    const t0 = Date.now();
    await consumer.stop();
    const took = Date.now() - t0;
    assert.ok(took >= 190 && took < 1000, `stop took ${took} ms`);
    assert.equal(rec.stopped, 1);
    assert.equal(consumer.state.phase, 'stopped');
    assert.equal(consumer.running, false);
    assert.equal(rec.errors.length, 0, 'the abort is silent');

    consumer.poll();
    await consumer.stop();
    assert.equal(rec.stopped, 1, 'stop() is idempotent');
    // stop() resolved once the loop settled, and poll() after it does nothing: no loop is left.
    assert.equal(consumer.phase, 'stopped');
    await until(() => r.sim.counters().inFlightHistory === 0, 'the hung request to be aborted');
    const c = r.sim.counters();
    assert.equal(c.requests.history, 1, 'no request after stop');
    assert.equal(c.messagesAcked, 0);
    assert.equal(rec.blocks.length, 0);
  });

  it('stop() while waiting for manual acks acknowledges nothing, and later acks are refused', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.generate(150);
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual' });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'block');
    await consumer.stop();
    assert.equal(consumer.ack(rec.blocks[0].items[0].ref), false);
    // stop() resolved once the loop settled: nothing is left to make a request.
    assert.equal(consumer.phase, 'stopped');
    assert.equal(r.sim.counters().requests.history, 1);
    assert.equal(r.sim.queued(), 150);
  });

  it('stop() before start() finished loading leaves no loop behind and does not overwrite the store', async () => {
    r = await rig();
    r.sim.generate(5);
    let release: () => void = () => undefined;
    let saves = 0;
    const store = {
      load: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))),
      save: () => void saves++,
    };
    const { consumer } = consumerFor(r, { store, intervalMs: 10 });
    const started = consumer.start();
    const stopped = consumer.stop();
    release();
    await started;
    await stopped;
    // stop() resolved once the loop settled (none was started): nothing is left to ask.
    assert.equal(consumer.phase, 'stopped');
    assert.equal(r.sim.counters().requests.history ?? 0, 0);
    assert.equal(saves, 0);
  });

  it('keeps an answer that arrives while stopping, which the server already counted as delivered, for the next run', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery', latencyMs: 300 });
    r.sim.generate(10); // one final block: the server drops it once served
    const store = new MemoryStore();
    const first = consumerFor(r, { intervalMs: 60_000, store });
    await first.consumer.start();
    await until(() => r.sim.counters().inFlightHistory === 1, 'the request for the final block');
    await first.consumer.stop();
    assert.equal(first.rec.blocks.length, 0, 'nothing emitted while stopping');
    assert.equal(r.sim.queued(), 0, 'the server counted the block as delivered');

    const second = consumerFor(r, { intervalMs: 60_000, store });
    await second.consumer.start();
    await until(() => second.rec.sms.length === 10, 'the kept SMS emitted by the next run');
    assert.deepEqual(new Set(second.rec.texts).size, 10);
  });
});
