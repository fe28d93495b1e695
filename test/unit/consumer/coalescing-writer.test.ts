import assert from 'node:assert/strict';
import { CoalescingWriter } from '../../../nodes/lib/consumer/coalescing-writer';

/** A write that ends when the test says so. */
function controlledWrites(): { written: number[]; finish: () => void; write: (v: number) => Promise<void> } {
  const written: number[] = [];
  const ends: Array<() => void> = [];
  return {
    written,
    finish: () => ends.shift()!(),
    write: (v) => {
      written.push(v);
      return new Promise((resolve) => ends.push(resolve));
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('consumer/coalescing-writer', () => {
  it('writes a burst of saves as two writes, the waiting one with the latest value', async () => {
    const w = controlledWrites();
    const writer = new CoalescingWriter<number>(w.write, () => assert.fail('no error'));
    const saves = [1, 2, 3, 4].map((v) => writer.save(v));
    assert.deepEqual(w.written, [1], 'the first save writes at once');
    w.finish();
    await saves[0];
    await turn();
    assert.deepEqual(w.written, [1, 4], 'the saves made meanwhile share one write of the latest');
    w.finish();
    await Promise.all(saves);
    assert.equal(writer.latest, 4);
  });

  it('settles a save only once a write that began after it has ended', async () => {
    const w = controlledWrites();
    const writer = new CoalescingWriter<number>(w.write, () => assert.fail('no error'));
    const settled: number[] = [];
    void writer.save(1).then(() => settled.push(1));
    void writer.save(2).then(() => settled.push(2));
    w.finish(); // the write of 1, which began before save(2)
    await turn();
    assert.deepEqual(settled, [1]);
    w.finish();
    await turn();
    assert.deepEqual(settled, [1, 2]);
  });

  it('settles once nothing is in flight or waiting', async () => {
    const w = controlledWrites();
    const writer = new CoalescingWriter<number>(w.write, () => assert.fail('no error'));
    let idle = false;
    void writer.save(1);
    void writer.save(2);
    void writer.settled().then(() => (idle = true));
    w.finish();
    await turn();
    assert.equal(idle, false, 'the waiting write is still to come');
    w.finish();
    await turn();
    assert.equal(idle, true);
    await writer.settled();
  });

  it('hands a failed write to onError, settles its saves and writes on', async () => {
    const errors: unknown[] = [];
    const written: number[] = [];
    const writer = new CoalescingWriter<number>(
      async (v) => {
        written.push(v);
        if (v === 1) throw new Error('disk full');
      },
      (err) => errors.push(err),
    );
    await Promise.all([writer.save(1), writer.save(2)]);
    assert.deepEqual(written, [1, 2]);
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['disk full'],
    );
  });
});
