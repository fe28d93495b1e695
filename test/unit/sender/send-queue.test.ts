import assert from 'node:assert/strict';
import { SendQueue } from '../../../nodes/lib/sender/send-queue';

/** A job that finishes when told to. */
function gate(): { run: () => Promise<void>; open: () => void; started: boolean } {
  let open!: () => void;
  const g = {
    started: false,
    run: () => {
      g.started = true;
      return new Promise<void>((r) => (open = r));
    },
    open: () => open(),
  };
  return g;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('sender/send-queue: the sends of one account', () => {
  it('runs at most `concurrency` at once, in the order they came, and refuses beyond the limit', async () => {
    const q = new SendQueue({ concurrency: 2, limit: 1 });
    const owner = {};
    const jobs = [gate(), gate(), gate(), gate()];
    assert.deepEqual(
      jobs.map((j) => q.submit(owner, j.run)),
      [true, true, true, false],
      'two run, one waits, the fourth is refused',
    );
    assert.deepEqual(
      jobs.map((j) => j.started),
      [true, true, false, false],
    );
    assert.deepEqual([q.inFlight, q.queued], [2, 1]);
    jobs[1].open();
    await tick();
    assert.ok(jobs[2].started, 'the waiting one takes the free slot');
    assert.deepEqual([q.inFlight, q.queued], [2, 0]);
  });

  it('applies the lowest limits of the nodes sharing it, and the defaults when none is left', () => {
    const q = new SendQueue({ concurrency: 4, limit: 1000 });
    const a = {};
    const b = {};
    q.attach(a, { concurrency: 8, limit: 50 });
    q.attach(b, { concurrency: 2, limit: 500 });
    assert.deepEqual(q.current, { concurrency: 2, limit: 50 });
    q.detach(a);
    q.detach(b);
    assert.deepEqual(q.current, { concurrency: 4, limit: 1000 });
  });

  it("drops only the closing node's waiting sends, and says how many", async () => {
    const q = new SendQueue({ concurrency: 1, limit: 10 });
    const a = {};
    const b = {};
    const running = gate();
    const waitingA = gate();
    const waitingB = gate();
    q.submit(a, running.run);
    q.submit(a, waitingA.run);
    q.submit(b, waitingB.run);
    let changes = 0;
    q.on('change', () => changes++);
    assert.equal(q.detach(a), 1);
    assert.ok(changes > 0, 'owners hear of it');
    running.open();
    await tick();
    assert.ok(waitingB.started && !waitingA.started);
  });
});
