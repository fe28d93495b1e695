// Input that reaches the consumer before its store has loaded (push mode right at deploy):
// what it remembered must survive the load, which replaces the dedupe window with the stored one.
import assert from 'node:assert/strict';
import { MemoryStore } from '../../support/memory-store';
import { QueueConsumer, type PersistedState } from '../../../nodes/lib/consumer/queue-consumer';
import { FakeThingSpace } from './fake-api';
import { sms } from '../../support/consumer-records';

/** A store whose load() settles only when the test says so. */
class SlowStore extends MemoryStore {
  release!: () => void;
  override load(): Promise<PersistedState | undefined> {
    return new Promise((resolve) => {
      this.release = () => resolve(this.state);
    });
  }
}

function consumer(store: MemoryStore, ackMode: 'auto' | 'manual'): QueueConsumer {
  return new QueueConsumer({ api: new FakeThingSpace(), intervalMs: 0, ackMode, ackTimeoutMs: 5000, dedupe: true, store, strict: true });
}

describe('consumer: input before the store has loaded', () => {
  it('suppresses the repeat of a push that arrived while an earlier state was loading (auto mode)', async () => {
    // An earlier run left a window with another SMS in it.
    const earlier = new MemoryStore();
    const first = consumer(earlier, 'auto');
    await first.start();
    assert.ok(first.pushed(sms(1)));
    await first.stop();

    // As a context store would keep it: plain JSON.
    const store = new SlowStore(JSON.parse(JSON.stringify(earlier.state)) as PersistedState);
    const c = consumer(store, 'auto');
    const started = c.start();
    assert.ok(c.pushed(sms(2)), 'a new SMS passes while loading');
    store.release();
    await started;
    assert.equal(c.pushed(sms(2)), null, 'its repeat after the load is suppressed');
    assert.equal(c.pushed(sms(1)), null, 'and the stored window is in force too');
    await c.stop();
  });

  it('suppresses the repeat of a push acknowledged while the store was loading (manual mode)', async () => {
    const store = new SlowStore({ v: 1 });
    const c = consumer(store, 'manual');
    const started = c.start();
    const item = c.pushed(sms(3));
    assert.ok(item);
    assert.equal(c.ack(item.ref), true);
    store.release();
    await started;
    assert.equal(c.pushed(sms(3)), null);
    await c.stop();
  });
});
