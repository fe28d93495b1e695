import assert from 'node:assert/strict';
import { MemoryStore } from '../../support/memory-store';
import { consumerFor, range, rig, sms, until, type Rig } from './helpers';

function pendingCount(store: MemoryStore): number {
  const pending = store.state?.pending as { sms: Record<string, unknown> } | undefined;
  return pending ? Object.keys(pending.sms).length : 0;
}

describe('consumer: the final block in manual mode (docs/thingspace-api.md, "Open questions" 2)', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('ack-on-delivery: keeps unacknowledged SMS in the store and re-emits them after a restart', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.enqueue(range(0, 5).map((n) => sms(n)));
    const store = new MemoryStore();
    const first = consumerFor(r, { ackMode: 'manual', store });
    await first.consumer.start();
    await until(() => first.rec.blocks.length === 1, 'final block');
    const block = first.rec.blocks[0];
    assert.equal(block.final, true);
    assert.equal(r.sim.queued(), 0, 'the server counted the block as acknowledged on delivery');
    assert.equal(pendingCount(store), 5, 'so the store holds all five');

    first.consumer.ack(block.items[0].ref);
    first.consumer.ack(block.items[3].ref);
    assert.equal(pendingCount(store), 3);
    await first.consumer.stop();

    const second = consumerFor(r, { ackMode: 'manual', store });
    await second.consumer.start();
    await until(() => second.rec.blocks.length === 1, 'restored block');
    const restored = second.rec.blocks[0];
    assert.equal(restored.restored, true);
    assert.deepEqual(
      restored.items.map((i) => i.sms.message),
      ['reading 1', 'reading 2', 'reading 4'],
    );
    assert.equal(r.sim.counters().requests.history, 1, 'no poll before the restored block is acknowledged');

    for (const item of restored.items) second.consumer.ack(item.ref);
    assert.equal(pendingCount(store), 0);
    await until(() => second.rec.saw('idle'), 'idle');
    assert.equal(second.rec.texts.length, 3, 'nothing else emitted');
  });

  it('redeliver: after ackTimeout emits again only the unacknowledged SMS, and never the acknowledged block', async () => {
    r = await rig({ finalBlock: 'redeliver' });
    r.sim.enqueue(range(0, 5).map((n) => sms(n)));
    const store = new MemoryStore();
    const { consumer, rec } = consumerFor(r, { ackMode: 'manual', ackTimeoutMs: 100, intervalMs: 100, store });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'final block');
    const block = rec.blocks[0];
    consumer.ack(block.items[1].ref);
    consumer.ack(block.items[2].ref);
    await until(() => rec.blocks.length === 2, 'the unacknowledged SMS again', 3000);
    assert.deepEqual(
      rec.blocks[1].items.map((i) => i.sms.message),
      ['reading 0', 'reading 3', 'reading 4'],
    );
    assert.equal(pendingCount(store), 3);

    for (const item of rec.blocks[1].items) consumer.ack(item.ref);
    assert.equal(pendingCount(store), 0);
    const before = rec.blocks.length;
    const polls = r.sim.counters().requests.history;
    await until(() => r.sim.counters().requests.history >= polls + 2, 'two more polls', 3000);
    assert.equal(rec.blocks.length, before, 'the acknowledged final block is never emitted again');
    assert.ok(rec.duplicates >= 5, 'the re-delivered final block is suppressed');
  });

  it('in auto mode a restored block (left by a manual-mode run) is emitted once and dropped from the store', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.enqueue(range(0, 3).map((n) => sms(n)));
    const store = new MemoryStore();
    const first = consumerFor(r, { ackMode: 'manual', store });
    await first.consumer.start();
    await until(() => first.rec.blocks.length === 1, 'final block');
    await first.consumer.stop();

    const second = consumerFor(r, { ackMode: 'auto', store, intervalMs: 0 });
    await second.consumer.start();
    assert.equal(second.rec.blocks.length, 1);
    assert.equal(second.rec.blocks[0].restored, true);
    await until(() => second.rec.saw('listening'), 'listening');
    assert.equal(pendingCount(store), 0);
    assert.equal(r.sim.counters().requests.history, 1, 'interval 0: the restore makes no request');
  });
});
