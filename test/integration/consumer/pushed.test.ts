import assert from 'node:assert/strict';
import { CALLBACK_BLOCK } from '../../../nodes/lib/consumer/queue-consumer';
import { consumerFor, rig, sms, until, type Rig } from './helpers';

describe('consumer: pushed (callback) SMS share the dedupe window', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('auto mode: remembers a pushed SMS at once, so neither a second push nor the queue emits it again', async () => {
    r = await rig();
    const { consumer, rec } = consumerFor(r, { intervalMs: 0 });
    await consumer.start();
    const item = consumer.pushed(sms(1));
    assert.ok(item);
    assert.equal(item.ref.block, CALLBACK_BLOCK);
    assert.equal(consumer.pushed(sms(1)), null);
    r.sim.enqueue([sms(1), sms(2)]);
    consumer.poll();
    await until(() => rec.saw('listening') && rec.blocks.length === 1, 'drained');
    assert.deepEqual(rec.texts, ['reading 2']);
    assert.equal(rec.duplicates, 2);
  });

  it('manual mode: remembers a pushed SMS only when its ref is acknowledged', async () => {
    r = await rig();
    const { consumer } = consumerFor(r, { ackMode: 'manual', intervalMs: 0 });
    await consumer.start();
    const first = consumer.pushed(sms(1));
    const again = consumer.pushed(sms(1));
    assert.ok(first && again, 'not acknowledged yet: a repeat is emitted, never swallowed');
    assert.notDeepEqual(first.ref, again.ref, 'each pushed SMS has its own ref');
    assert.equal(consumer.ack(first.ref), true);
    assert.equal(consumer.ack(first.ref), false);
    assert.equal(consumer.pushed(sms(1)), null);
  });
});
