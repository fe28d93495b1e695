import assert from 'node:assert/strict';
import { MemoryStore } from '../../support/memory-store';
import { consumerFor, rig, until, type Rig } from './helpers';

describe('consumer: auto mode drain against the simulator', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('drains 2,550 SMS in 26 blocks with none lost and none emitted twice, then goes idle', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.generate(2550, { devices: 7 });
    const { consumer, rec } = consumerFor(r);
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    assert.equal(rec.blocks.length, 26);
    assert.equal(rec.texts.length, 2550);
    assert.equal(new Set(rec.texts).size, 2550, 'no SMS emitted twice');
    assert.equal(r.sim.queued(), 0, 'every block was acknowledged');
    const c = r.sim.counters();
    assert.equal(c.requests.history, 26, 'one request per block, nothing more');
    assert.equal(c.redeliveries, 0);
    assert.equal(c.maxConcurrentHistory, 1);
    assert.equal(rec.blocks.at(-1)?.final, true);
    assert.deepEqual(rec.states.at(-1), { phase: 'idle', since: (rec.states.at(-1) as { since: Date }).since });
  });

  it('acknowledges each block with the next request, and only after emitting it', async () => {
    r = await rig();
    r.sim.generate(300);
    const { consumer, rec } = consumerFor(r);
    const queuedAtEmit: number[] = [];
    consumer.on('block', () => queuedAtEmit.push(r.sim.queued()));
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    // While block n is being emitted, nothing of it is acknowledged yet.
    assert.deepEqual(queuedAtEmit, [300, 200, 100]);
    // The final 200 has no next: in 'redeliver' mode it stays queued (docs/thingspace-api.md, "Open questions" 2).
    assert.equal(r.sim.queued(), 100);
  });

  it('suppresses a re-delivered final block as duplicates on the next poll', async () => {
    r = await rig({ finalBlock: 'redeliver' });
    r.sim.generate(40);
    const { consumer, rec } = consumerFor(r);
    await consumer.start();
    await until(() => rec.saw('idle'), 'first idle');
    rec.states.length = 0;
    consumer.poll();
    await until(() => rec.saw('idle'), 'second idle');
    assert.equal(rec.texts.length, 40, 'nothing emitted again');
    assert.equal(rec.duplicates, 40);
    assert.equal(r.sim.counters().redeliveries, 1, 'the server did send the block again');
  });

  it('keeps the dedupe window in the store across consumers, saved by reference at each block', async () => {
    r = await rig({ finalBlock: 'redeliver' });
    r.sim.generate(150);
    const store = new MemoryStore();
    const first = consumerFor(r, { store });
    await first.consumer.start();
    await until(() => first.rec.saw('idle'), 'idle');
    await first.consumer.stop();
    assert.equal(store.state?.v, 1);
    const saved = store.state;
    assert.ok(store.saves >= 2, 'saved at each block');
    const second = consumerFor(r, { store });
    await second.consumer.start();
    await until(() => second.rec.saw('idle'), 'idle again');
    assert.equal(second.rec.texts.length, 0, 'the final block re-delivered after the restart is suppressed');
    assert.equal(second.rec.duplicates, 50);
    await second.consumer.stop();
    assert.notEqual(store.state, saved, "the successor writes its own state object, not its predecessor's");
  });

  it('with dedupe off, emits a re-delivered block again', async () => {
    r = await rig({ finalBlock: 'redeliver' });
    r.sim.generate(10);
    const { consumer, rec } = consumerFor(r, { dedupe: false });
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    rec.states.length = 0;
    consumer.poll();
    await until(() => rec.saw('idle'), 'idle again');
    assert.equal(rec.texts.length, 20);
  });
});
