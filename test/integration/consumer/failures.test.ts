import assert from 'node:assert/strict';
import { gapsBetween, traceRequests } from '../../support/http-trace';
import { consumerFor, rig, until, type Rig } from './helpers';

describe('consumer: failures, retries and backoff against the simulator', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('retries through 5xx with the ack token it was carrying: nothing lost, nothing emitted twice', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.generate(300);
    const { consumer, rec } = consumerFor(r);
    consumer.once('block', () => r.sim.addFault({ kind: 'server-error', status: 503, count: 3 }));
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    assert.equal(rec.texts.length, 300);
    assert.equal(new Set(rec.texts).size, 300);
    assert.equal(r.sim.queued(), 0);
    assert.equal(r.sim.counters().redeliveries, 0, 'the retries carried next, so block 1 was not sent again');
    assert.equal(rec.states.filter((s) => s.phase === 'backing-off').length, 3);
    assert.equal(rec.errors.length, 1, 'one error event for one failure streak');
    assert.equal(rec.errors[0].kind, 'server');
  });

  it('backs off exponentially with jitter, bounded, and starts over after a success', async () => {
    r = await rig();
    r.sim.addFault({ kind: 'server-error', count: 5 });
    const { consumer, rec } = consumerFor(r, { backoff: { initialMs: 10, maxMs: 100, random: () => 0.999999 }, intervalMs: 0 });
    await consumer.start();
    rec.states.length = 0;
    consumer.poll();
    await until(() => rec.states.at(-1)?.phase === 'listening', 'recovered');
    const delays = () => rec.states.flatMap((s) => (s.phase === 'backing-off' ? [s.inMs] : []));
    assert.deepEqual(delays(), [9, 19, 39, 79, 99]);

    rec.states.length = 0;
    r.sim.addFault({ kind: 'server-error', count: 1 });
    consumer.poll();
    await until(() => rec.states.at(-1)?.phase === 'listening', 'recovered again');
    assert.deepEqual(delays(), [9], 'the success reset the backoff');
  });

  it('never retries sooner than Retry-After on 429', async () => {
    r = await rig();
    r.sim.generate(10);
    r.sim.addFault({ kind: 'rate-limit', retryAfterSec: 1, count: 1 });
    const { consumer, rec } = consumerFor(r, { backoff: { initialMs: 10, maxMs: 50 } });
    let retryingAt = 0;
    let nextPollAt = 0;
    consumer.on('state', (s) => {
      if (s.phase === 'backing-off') retryingAt = Date.now();
      if (s.phase === 'polling' && retryingAt && !nextPollAt) nextPollAt = Date.now();
    });
    await consumer.start();
    await until(() => rec.blocks.length === 1, 'block after the rate limit', 5000);
    const retrying = rec.states.find((s) => s.phase === 'backing-off');
    assert.ok(retrying && retrying.phase === 'backing-off');
    assert.equal(retrying.error.kind, 'rate_limited');
    assert.ok(retrying.inMs >= 1000, `waits ${retrying.inMs} ms`);
    assert.ok(nextPollAt - retryingAt >= 990, `the retry came after ${nextPollAt - retryingAt} ms`);
  });

  it('does not let poll() cut a Retry-After wait short', async () => {
    r = await rig();
    const trace = traceRequests(r.sim.port, /\/history$/);
    try {
      r.sim.addFault({ kind: 'rate-limit', retryAfterSec: 1, count: 1 });
      const { consumer, rec } = consumerFor(r);
      await consumer.start();
      await until(() => rec.saw('backing-off'), 'retrying');
      for (let i = 0; i < 10; i++) consumer.poll();
      // The retry comes, and it is the next request: none came in between, none sooner.
      await until(() => rec.saw('idle'), 'the retry');
      assert.equal(trace.requests.length, 2);
      const [gap] = gapsBetween(trace.requests);
      assert.ok(gap >= 990, `the retry came ${gap.toFixed(0)} ms after the 429`);
    } finally {
      trace.stop();
    }
  });

  it('stops for good after the credentials were rejected: exactly one failed login', async () => {
    r = await rig({}, { password: 'wrong-password' });
    const { consumer, rec } = consumerFor(r, { intervalMs: 20 });
    await consumer.start();
    await until(() => rec.saw('halted'), 'halted');
    for (let i = 0; i < 5; i++) consumer.poll();
    // Halted is a phase only stop() leaves; and stop() resolves once any loop settled, so a
    // login a poll() had started would be counted by then.
    assert.equal(consumer.phase, 'halted');
    assert.equal(consumer.running, false);
    const last = rec.states.at(-1);
    assert.equal(last?.phase === 'halted' && last.error.kind, 'credentials_rejected');
    await consumer.stop();
    const c = r.sim.counters();
    assert.equal(c.loginsFailed, 1);
    assert.equal(c.locked, false);
    assert.equal(rec.errors.length, 1);
    assert.equal(rec.errors[0].kind, 'credentials_rejected');
    assert.equal(rec.saw('backing-off'), false);
  });

  it('in auto mode, a block whose listener threw is not acknowledged and comes again after backoff', async () => {
    r = await rig({ finalBlock: 'ack-on-delivery' });
    r.sim.generate(150);
    const { consumer, rec } = consumerFor(r);
    let thrown = false;
    consumer.on('block', () => {
      if (!thrown) {
        thrown = true;
        throw new Error('flow exploded');
      }
    });
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    assert.equal(rec.blocks.length, 3, 'block 1 twice, then block 2');
    assert.deepEqual(
      rec.blocks[1].items.map((i) => i.sms),
      rec.blocks[0].items.map((i) => i.sms),
    );
    assert.equal(r.sim.queued(), 0);
    assert.equal(rec.errors[0]?.operation, 'deliver');
  });

  it('emits no error event when nobody listens, instead of throwing', async () => {
    r = await rig();
    r.sim.addFault({ kind: 'server-error', count: 1 });
    const { consumer, rec } = consumerFor(r);
    consumer.removeAllListeners('error');
    await consumer.start();
    await until(() => rec.saw('idle'), 'idle');
    assert.equal(rec.saw('backing-off'), true);
  });
});
