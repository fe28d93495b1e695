// The consumer's phases, one test (at least) per edge of its transition table, against an
// in-memory ThingSpace and a fake clock: no HTTP, no real waiting.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { MemoryStore } from '../../support/memory-store';
import { IllegalTransitionError, PhaseMachine, TRANSITIONS } from '../../../nodes/lib/consumer/phases';
import {
  QueueConsumer,
  type ConsumerState,
  type ConsumerStore,
  type Phase,
  type QueueConsumerOptions,
  type ReaderGate,
} from '../../../nodes/lib/consumer/queue-consumer';
import { dedupeKey } from '../../../nodes/lib/message/dedupe-key';
import { FakeThingSpace } from './fake-api';
import { Recorder, range, sms } from '../../support/consumer-records';

/** Every edge taken by the tests of this file, as 'from -> to'. */
const taken = new Set<string>();
/** How many tests of this file ran, so the coverage check knows when --grep left some out. */
let ran = 0;

interface Run {
  consumer: QueueConsumer;
  rec: Recorder;
  /** The phases entered, in order. */
  phases: Phase[];
}

describe('consumer phases (in-memory API, fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let api: FakeThingSpace;
  let runs: QueueConsumer[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
    api = new FakeThingSpace();
    runs = [];
  });

  afterEach(async () => {
    ran++;
    await Promise.all(runs.map((c) => c.stop()));
    clock.restore();
  });

  function make(opts: Partial<QueueConsumerOptions> = {}): Run {
    const phases: Phase[] = [];
    const consumer = new QueueConsumer({
      api,
      intervalMs: 1000,
      ackMode: 'auto',
      ackTimeoutMs: 5000,
      dedupe: true,
      backoff: { initialMs: 100, maxMs: 1000, random: () => 0.5 },
      strict: true,
      // stop() cuts a request in flight at once: its grace would wait on the fake clock.
      stopGraceMs: 0,
      ...opts,
    });
    let from: Phase = consumer.phase;
    consumer.on('state', ({ phase }) => {
      taken.add(`${from} -> ${phase}`);
      phases.push(phase);
      from = phase;
    });
    runs.push(consumer);
    return { consumer, rec: new Recorder(consumer), phases };
  }

  /** Lets every pending promise settle; advances the fake clock by `ms`. */
  const after = async (ms = 0): Promise<void> => {
    await clock.tickAsync(ms);
  };

  /** A store whose load() resolves only when `release` is called. */
  function slowStore(): ConsumerStore & { release(): void; loads: number; saves: number } {
    let release = (): void => undefined;
    const store = {
      loads: 0,
      saves: 0,
      release: () => release(),
      load: () => {
        store.loads++;
        return new Promise<undefined>((resolve) => (release = () => resolve(undefined)));
      },
      save: () => {
        store.saves++;
      },
    };
    return store;
  }

  describe('from created', () => {
    it('start() reads the store before anything else, and asks the queue nothing meanwhile', async () => {
      const store = slowStore();
      const { consumer, phases } = make({ store });
      assert.equal(consumer.phase, 'created');
      assert.equal(consumer.running, false);
      void consumer.start();
      assert.equal(consumer.phase, 'loading');
      assert.equal(consumer.running, true);
      await after(10_000);
      assert.equal(api.calls.length, 0);
      store.release();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'idle']);
      assert.equal(api.calls.length, 1);
    });

    it('stop() before start() stops at once, reading neither the store nor the queue', async () => {
      const store = slowStore();
      const { consumer, rec, phases } = make({ store });
      await consumer.stop();
      assert.deepEqual(phases, ['stopping', 'stopped']);
      assert.equal(rec.stopped, 1);
      assert.equal(store.loads, 0);
      assert.equal(store.saves, 0, 'an empty state never overwrites the stored one');
      assert.equal(api.calls.length, 0);
    });
  });

  describe('from loading', () => {
    it('with an interval, the first request follows the load', async () => {
      api.hold();
      const { consumer, phases } = make();
      await consumer.start();
      assert.deepEqual(phases, ['loading', 'polling']);
      assert.equal(consumer.state.phase, 'polling');
      assert.equal(api.inFlight, 1);
    });

    it('hands on SMS kept by an earlier manual-mode run right after the load, before any request', async () => {
      const kept = [sms(1), sms(2)];
      const store = new MemoryStore({ v: 1, pending: { v: 1, sms: Object.fromEntries(kept.map((s) => [dedupeKey(s), s])) } });
      const { consumer, rec, phases } = make({ store, ackMode: 'manual' });
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'delivering', 'waiting-ack']);
      assert.equal(rec.blocks[0].restored, true);
      assert.deepEqual(rec.texts, ['reading 1', 'reading 2']);
      assert.equal(api.calls.length, 0, 'no poll before the kept SMS are acknowledged');
    });

    it('with interval 0 and nothing kept, listens after the load without a request', async () => {
      const { consumer, phases } = make({ intervalMs: 0 });
      await consumer.start();
      await after(60_000);
      assert.deepEqual(phases, ['loading', 'listening']);
      assert.equal(consumer.state.phase, 'listening');
      assert.equal(api.calls.length, 0);
    });

    it('stop() while the store loads leaves no loop behind and does not overwrite the store', async () => {
      const store = slowStore();
      const { consumer, rec, phases } = make({ store });
      const started = consumer.start();
      const stopped = consumer.stop();
      store.release();
      await started;
      await stopped;
      await after(10_000);
      assert.deepEqual(phases, ['loading', 'stopping', 'stopped']);
      assert.equal(rec.stopped, 1);
      assert.equal(api.calls.length, 0);
      assert.equal(store.saves, 0);
    });
  });

  describe('from polling', () => {
    it('asks for the next block at once when a block held only SMS delivered before', async () => {
      const { consumer, rec, phases } = make({ intervalMs: 0 });
      await consumer.start();
      for (const n of range(0, 100)) assert.ok(consumer.pushed(sms(n)), 'pushed first: delivered before the queue has them');
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      consumer.poll();
      await after();
      assert.deepEqual(phases, ['loading', 'listening', 'polling', 'polling', 'delivering', 'listening']);
      assert.equal(rec.duplicates, 100);
      assert.deepEqual(api.calls, [undefined, 'token-1'], 'the request for block 2 acknowledged the block of duplicates');
      assert.equal(rec.texts.length, 50);
    });

    it('polls again at once, without it, when a next is refused after our own request carrying it lost its answer', async () => {
      api = new FakeThingSpace({ staleNext: 'refuse' });
      api.enqueue(...range(0, 250).map((n) => sms(n)));
      const { consumer, rec, phases } = make();
      consumer.once('block', () => api.loseNextAnswer({ kind: 'network', message: 'socket hang up', requestSent: true }));
      await consumer.start();
      await after();
      assert.equal(consumer.phase, 'backing-off');
      await after(50); // the backoff of the lost answer (100 ms, half by the jitter)
      assert.deepEqual(phases, [
        'loading',
        'polling',
        'delivering',
        'polling',
        'backing-off',
        'polling',
        'polling',
        'delivering',
        'polling',
        'delivering',
        'idle',
      ]);
      assert.deepEqual(api.calls, [undefined, 'token-1', 'token-1', undefined, 'token-3']);
      assert.deepEqual(
        rec.errors.map((e) => e.kind),
        ['network'],
        'the refusal is not reported',
      );
      assert.equal(rec.texts.length, 250);
      assert.equal(api.queued, 0);
    });

    it('hands a block with new SMS to the block listeners while delivering', async () => {
      api.enqueue(sms(1), sms(2));
      const { consumer, rec } = make();
      const seen: Phase[] = [];
      consumer.on('block', () => seen.push(consumer.phase));
      await consumer.start();
      await after();
      assert.deepEqual(seen, ['delivering']);
      assert.deepEqual(rec.texts, ['reading 1', 'reading 2']);
    });

    it('on an empty queue waits for the interval, then polls again', async () => {
      const { consumer, phases } = make({ intervalMs: 1000 });
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'idle']);
      assert.equal(consumer.state.phase, 'idle');
      await after(999);
      assert.equal(api.calls.length, 1, 'not before the interval');
      await after(1);
      assert.equal(api.calls.length, 2);
      assert.deepEqual(phases.slice(3), ['polling', 'idle']);
    });

    it('with interval 0, poll() on an empty queue makes one request and listens again', async () => {
      const { consumer, phases } = make({ intervalMs: 0 });
      await consumer.start();
      consumer.poll();
      assert.equal(consumer.phase, 'polling');
      await after(60_000);
      assert.deepEqual(phases, ['loading', 'listening', 'polling', 'listening']);
      assert.equal(api.calls.length, 1);
    });

    it('a 429 during polling backs off for Retry-After, then polls', async () => {
      api.enqueue(sms(1));
      api.failNext({ kind: 'rate_limited', status: 429, retryAfterMs: 3000, message: 'too many requests' });
      const { consumer, rec, phases } = make();
      await consumer.start();
      await after();
      assert.equal(consumer.phase, 'backing-off');
      assert.deepEqual(consumer.state, { phase: 'backing-off', inMs: 3000, error: rec.errors[0] });
      assert.equal(rec.errors[0].kind, 'rate_limited');
      await after(2999);
      assert.equal(api.calls.length, 1, 'never sooner than Retry-After');
      await after(1);
      assert.deepEqual(phases, ['loading', 'polling', 'backing-off', 'polling', 'delivering', 'idle']);
      assert.deepEqual(rec.texts, ['reading 1']);
    });

    it('rejected credentials halt it at once: no retry, and poll() asks nothing more', async () => {
      api.failNext({ kind: 'credentials_rejected', status: 400, message: 'invalid credentials' });
      const { consumer, rec, phases } = make({ intervalMs: 20 });
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'halted']);
      assert.deepEqual(consumer.state, { phase: 'halted', error: rec.errors[0] });
      assert.equal(rec.errors[0].kind, 'credentials_rejected');
      assert.equal(consumer.running, false);
      for (let i = 0; i < 5; i++) consumer.poll();
      await after(600_000);
      assert.equal(api.calls.length, 1, 'one rejection is all: five would lock the account');
      assert.deepEqual(
        rec.errors.map((e) => e.kind),
        ['credentials_rejected'],
      );
    });

    it('a bad configuration halts it too', async () => {
      api.failNext({ kind: 'bad_config', message: 'no account name' });
      const { consumer, phases } = make();
      await consumer.start();
      await after(600_000);
      assert.deepEqual(phases, ['loading', 'polling', 'halted']);
      assert.equal(consumer.state.phase === 'halted' && consumer.state.error.kind, 'bad_config');
      assert.equal(api.calls.length, 1);
    });

    it('stop() during a request aborts it silently and acknowledges nothing', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      api.hold();
      const { consumer, rec, phases } = make();
      await consumer.start();
      assert.equal(api.inFlight, 1);
      await consumer.stop();
      assert.deepEqual(phases, ['loading', 'polling', 'stopping', 'stopped']);
      assert.equal(api.inFlight, 0, 'the request was aborted');
      assert.equal(rec.errors.length, 0);
      assert.equal(rec.blocks.length, 0);
      await after(60_000);
      assert.equal(api.calls.length, 1);
      assert.equal(api.acknowledged, 0);
    });
  });

  describe('from delivering', () => {
    it('in auto mode, asks for the next block once the block was emitted, carrying its next token', async () => {
      api = new FakeThingSpace({ finalBlock: 'redeliver' });
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, rec, phases } = make();
      const acknowledgedAtEmit: number[] = [];
      consumer.on('block', () => acknowledgedAtEmit.push(api.acknowledged));
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'polling', 'delivering', 'idle']);
      assert.deepEqual(api.calls, [undefined, 'token-1']);
      assert.deepEqual(acknowledgedAtEmit, [0, 100], 'nothing of a block acknowledged while it is emitted');
      assert.equal(rec.texts.length, 150);
      assert.deepEqual(
        rec.states.filter((s) => s.phase === 'delivering'),
        [
          { phase: 'delivering', count: 100, total: 100 },
          { phase: 'delivering', count: 50, total: 150 },
        ],
        'each block with its count and the total emitted, for the status line',
      );
      assert.equal(api.queued, 50, 'the final block stays queued: no next can acknowledge it');
    });

    it('in manual mode, waits for the flow to acknowledge the block', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, phases } = make({ ackMode: 'manual' });
      await consumer.start();
      await after(4999);
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'waiting-ack']);
      assert.deepEqual(consumer.state, { phase: 'waiting-ack', pending: 100 });
      assert.equal(api.calls.length, 1, 'no request while SMS are unacknowledged');
    });

    it('in manual mode, asks for the next block at once when the listeners acknowledged while it was emitted', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, phases } = make({ ackMode: 'manual' });
      consumer.on('block', (b) => consumer.ack({ block: b.id, index: -1 }));
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'polling', 'delivering', 'idle']);
      assert.deepEqual(api.calls, [undefined, 'token-1']);
    });

    it('in auto mode, waits for the interval once the final block was emitted', async () => {
      api.enqueue(sms(1));
      const { consumer, phases } = make();
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'idle']);
      assert.equal(consumer.state.phase, 'idle');
    });

    it('in auto mode with interval 0, listens once the final block was emitted', async () => {
      const { consumer, rec, phases } = make({ intervalMs: 0 });
      await consumer.start();
      api.enqueue(sms(1));
      consumer.poll();
      await after();
      assert.deepEqual(phases, ['loading', 'listening', 'polling', 'delivering', 'listening']);
      assert.deepEqual(rec.texts, ['reading 1']);
    });

    it('a block listener that throws is reported as an internal error and the block is read again after the backoff', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, rec, phases } = make();
      let thrown = false;
      consumer.on('block', () => {
        if (thrown) return;
        thrown = true;
        throw new Error('flow exploded');
      });
      await consumer.start();
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'backing-off']);
      const error = rec.errors[0];
      assert.equal(error.kind, 'internal');
      assert.equal(error.code, 'ERROR');
      assert.match(error.message, /flow exploded/);
      assert.equal(error.operation, 'deliver');
      assert.deepEqual(consumer.state, { phase: 'backing-off', inMs: 50, error });
      assert.equal(api.acknowledged, 0, 'the block was not handed on, so not acknowledged');
      await after(50);
      assert.equal(rec.blocks.length, 3, 'block 1 twice, then block 2');
      assert.deepEqual(
        rec.blocks[1].items.map((i) => i.sms),
        rec.blocks[0].items.map((i) => i.sms),
      );
      assert.equal(api.queued, 0);
    });

    it('keeps a final block whose listener threw, and emits it first after the backoff: the server counted it delivered', async () => {
      api.enqueue(...range(0, 50).map((n) => sms(n)));
      const { consumer, rec, phases } = make();
      let thrown = false;
      consumer.on('block', () => {
        if (thrown) return;
        thrown = true;
        throw new Error('flow exploded');
      });
      await consumer.start();
      await after();
      assert.equal(api.acknowledged, 50, 'ack-on-delivery: the final block counts as delivered once served');
      assert.equal(api.queued, 0);
      await after(50);
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'backing-off', 'delivering', 'polling', 'idle']);
      assert.equal(rec.blocks.length, 2, 'the kept block, emitted again');
      assert.deepEqual(
        rec.blocks[1].items.map((i) => i.sms),
        rec.blocks[0].items.map((i) => i.sms),
      );
    });

    it('stop() from a block listener acknowledges nothing more', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, rec, phases } = make();
      let stopped: Promise<void> | undefined;
      consumer.on('block', () => (stopped = consumer.stop()));
      await consumer.start();
      await after();
      assert.ok(stopped, 'the block was emitted');
      await stopped;
      await after(60_000);
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'stopping', 'stopped']);
      assert.equal(rec.blocks.length, 1);
      assert.equal(api.calls.length, 1);
      assert.equal(api.acknowledged, 0);
    });
  });

  describe('from waiting-ack', () => {
    it('after ackTimeout emits again, from its own copy and without a request, only what the flow did not acknowledge', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, rec, phases } = make({ ackMode: 'manual', ackTimeoutMs: 5000 });
      await consumer.start();
      await after();
      for (const item of rec.blocks[0].items.slice(0, 60)) consumer.ack(item.ref);
      await after(4999);
      assert.equal(rec.blocks.length, 1, 'not before the timeout');
      await after(1);
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'waiting-ack', 'delivering', 'waiting-ack']);
      assert.deepEqual(
        rec.blocks[1].items.map((i) => i.sms.message),
        range(60, 100).map((n) => `reading ${n}`),
      );
      assert.equal(api.calls.length, 1);
      assert.equal(api.acknowledged, 0);
    });

    it("once the flow acknowledged every SMS, the next request carries the block's next token", async () => {
      api = new FakeThingSpace({ finalBlock: 'redeliver' });
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, rec, phases } = make({ ackMode: 'manual' });
      await consumer.start();
      await after();
      for (const item of rec.blocks[0].items.slice(0, 99)) consumer.ack(item.ref);
      await after();
      assert.equal(api.calls.length, 1, 'one SMS still unacknowledged');
      consumer.ack(rec.blocks[0].items[99].ref);
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'waiting-ack', 'polling', 'delivering', 'waiting-ack']);
      assert.deepEqual(api.calls, [undefined, 'token-1']);
      assert.equal(api.acknowledged, 100, 'block 1, and only it');
    });

    it('waits for the interval once the final block was acknowledged', async () => {
      api.enqueue(sms(1));
      const { consumer, rec, phases } = make({ ackMode: 'manual' });
      await consumer.start();
      await after();
      consumer.ack(rec.blocks[0].items[0].ref);
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'waiting-ack', 'idle']);
    });

    it('with interval 0, listens once the final block was acknowledged', async () => {
      const { consumer, rec, phases } = make({ ackMode: 'manual', intervalMs: 0 });
      await consumer.start();
      api.enqueue(sms(1));
      consumer.poll();
      await after();
      consumer.ack({ block: rec.blocks[0].id, index: -1 });
      await after();
      assert.deepEqual(phases, ['loading', 'listening', 'polling', 'delivering', 'waiting-ack', 'listening']);
    });

    it('stop() while waiting for acks acknowledges nothing, and later acks are refused', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, rec, phases } = make({ ackMode: 'manual' });
      await consumer.start();
      await after();
      await consumer.stop();
      assert.deepEqual(phases, ['loading', 'polling', 'delivering', 'waiting-ack', 'stopping', 'stopped']);
      assert.equal(consumer.ack(rec.blocks[0].items[0].ref), false);
      await after(60_000);
      assert.equal(api.calls.length, 1);
      assert.equal(api.acknowledged, 0);
    });
  });

  describe('from idle, listening and backing-off', () => {
    it('poll() while idle polls at once, without waiting for the interval', async () => {
      const { consumer, phases } = make({ intervalMs: 60_000 });
      await consumer.start();
      await after();
      api.enqueue(sms(1));
      consumer.poll();
      assert.equal(consumer.phase, 'polling');
      await after();
      assert.deepEqual(phases, ['loading', 'polling', 'idle', 'polling', 'delivering', 'idle']);
      assert.equal(api.calls.length, 2);
    });

    it('stop() while idle clears the interval timer: no request afterwards', async () => {
      const { consumer, phases } = make();
      await consumer.start();
      await after();
      await consumer.stop();
      await after(60_000);
      assert.deepEqual(phases, ['loading', 'polling', 'idle', 'stopping', 'stopped']);
      assert.equal(api.calls.length, 1);
    });

    it('poll() while listening makes a request', async () => {
      api.enqueue(sms(1));
      const { consumer, rec, phases } = make({ intervalMs: 0 });
      await consumer.start();
      consumer.poll();
      await after();
      assert.deepEqual(phases, ['loading', 'listening', 'polling', 'delivering', 'listening']);
      assert.deepEqual(rec.texts, ['reading 1']);
    });

    it('stop() while listening stops at once', async () => {
      const { consumer, rec, phases } = make({ intervalMs: 0 });
      await consumer.start();
      await consumer.stop();
      assert.deepEqual(phases, ['loading', 'listening', 'stopping', 'stopped']);
      assert.equal(rec.stopped, 1);
      assert.equal(consumer.state.phase, 'stopped');
    });

    it('poll() during a retry wait does not undercut the backoff', async () => {
      api.failNext({ kind: 'server', status: 503, message: 'unavailable' });
      const { consumer, phases } = make();
      await consumer.start();
      await after();
      assert.equal(consumer.state.phase === 'backing-off' && consumer.state.inMs, 50);
      for (let i = 0; i < 10; i++) consumer.poll();
      await after(49);
      assert.equal(api.calls.length, 1);
      assert.equal(consumer.phase, 'backing-off');
      await after(1);
      assert.equal(api.calls.length, 2);
      assert.deepEqual(phases, ['loading', 'polling', 'backing-off', 'polling', 'idle']);
    });

    it('backs off exponentially while failures go on, and starts over after a success', async () => {
      api.failNext({ kind: 'network', message: 'ECONNRESET' }, 3);
      const { consumer, rec } = make();
      await consumer.start();
      await after(50 + 100 + 200);
      const delays = rec.states.flatMap((s) => (s.phase === 'backing-off' ? [s.inMs] : []));
      assert.deepEqual(delays, [50, 100, 200]);
      assert.equal(rec.errors.length, 1, 'one error event for one failure streak');
      assert.equal(consumer.phase, 'idle');
      api.failNext({ kind: 'network', message: 'ECONNRESET' });
      consumer.poll();
      await after();
      assert.equal(consumer.state.phase === 'backing-off' && consumer.state.inMs, 50);
    });

    it('stop() during a retry wait cancels the retry', async () => {
      api.failNext({ kind: 'timeout', message: 'no answer' });
      const { consumer, phases } = make();
      await consumer.start();
      await after();
      await consumer.stop();
      await after(60_000);
      assert.deepEqual(phases, ['loading', 'polling', 'backing-off', 'stopping', 'stopped']);
      assert.equal(api.calls.length, 1);
    });
  });

  describe('to stopped', () => {
    it('stop() after a halt emits stopped, once however often it is called', async () => {
      api.failNext({ kind: 'credentials_rejected', message: 'invalid credentials' });
      const { consumer, rec, phases } = make();
      await consumer.start();
      await after();
      await Promise.all([consumer.stop(), consumer.stop()]);
      await consumer.stop();
      assert.deepEqual(phases, ['loading', 'polling', 'halted', 'stopping', 'stopped']);
      assert.equal(rec.stopped, 1);
      assert.equal(consumer.state.phase, 'stopped');
    });

    it('stop() resolves only once the loop settled and the store is saved', async () => {
      const store = new MemoryStore();
      api.enqueue(sms(1));
      api.hold();
      const { consumer, rec } = make({ store });
      await consumer.start();
      const stopping = consumer.stop();
      assert.equal(consumer.phase, 'stopping');
      assert.equal(rec.stopped, 0);
      await stopping;
      assert.equal(consumer.phase, 'stopped');
      assert.equal(rec.stopped, 1);
      assert.equal(store.state?.v, 1);
    });
  });

  describe('one loop', () => {
    it('keeps one request in flight whatever the sequence of poll() calls, and drains once more for a poll() made while busy', async () => {
      api.enqueue(...range(0, 450).map((n) => sms(n)));
      api.hold();
      const { consumer, rec } = make({ intervalMs: 0 });
      consumer.poll(); // before start: remembered
      await consumer.start();
      consumer.on('block', () => {
        for (let i = 0; i < 5; i++) consumer.poll();
      });
      for (let i = 0; i < 5; i++) consumer.poll();
      api.release();
      await after();
      assert.equal(api.maxInFlight, 1);
      assert.equal(new Set(rec.texts).size, 450);
      assert.equal(api.calls.length, 6, 'five blocks, then one more drain for the polls made while busy');
      assert.equal(consumer.phase, 'listening');
    });
  });

  describe('with a reader gate (coordination across runtimes)', () => {
    /** A gate that says yes unless told otherwise, and records what each confirm carried,
     *  and when, in the order of the requests. */
    function gate(): ReaderGate & { ok: boolean; isFresh: boolean; carried: Array<string | undefined>; log: string[] } {
      const g = {
        ok: true,
        isFresh: true,
        carried: [] as Array<string | undefined>,
        log: [] as string[],
        confirm: (next: string | undefined) => {
          g.carried.push(next);
          g.log.push(`confirm ${next ?? '-'} (requests so far: ${api.calls.length})`);
          return Promise.resolve(g.ok);
        },
        fresh: () => g.isFresh,
      };
      return g;
    }

    it('start() waits in standby, reading neither the store nor the queue, until lead()', async () => {
      const store = slowStore();
      const { consumer, phases } = make({ gate: gate(), store });
      await consumer.start();
      await after(60_000);
      assert.deepEqual(phases, ['standby']);
      assert.equal(consumer.state.phase, 'standby');
      assert.equal(store.loads, 0);
      consumer.poll();
      await after(60_000);
      assert.equal(api.calls.length, 0, 'poll() in standby asks nothing: another runtime reads');
    });

    it('lead() loads the store, then reads: the first request waits for its confirmation, each next one is confirmed beside the request before it', async () => {
      api.enqueue(...range(0, 250).map((n) => sms(n)));
      const g = gate();
      const { consumer, rec, phases } = make({ gate: g });
      await consumer.start();
      consumer.lead();
      await after();
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'delivering', 'polling', 'delivering', 'polling', 'delivering', 'idle']);
      assert.deepEqual(api.calls, [undefined, 'token-1', 'token-2']);
      assert.deepEqual(g.log, [
        'confirm - (requests so far: 0)', // before the first request, awaited
        'confirm - (requests so far: 1)', // beside request 1: authorises request 2, records the next request 1 carries
        'confirm token-1 (requests so far: 2)',
        'confirm token-2 (requests so far: 3)',
      ]);
      assert.equal(rec.texts.length, 250);
    });

    it('a confirmation from beside the previous request that is no longer fresh (a backoff, a slow flow) is not used: the request waits for one of its own', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const g = gate();
      g.isFresh = false;
      const { consumer, rec } = make({ gate: g });
      await consumer.start();
      consumer.lead();
      await after();
      assert.deepEqual(api.calls, [undefined, 'token-1']);
      assert.deepEqual(g.log, [
        'confirm - (requests so far: 0)',
        'confirm - (requests so far: 1)',
        'confirm token-1 (requests so far: 1)',
        'confirm token-1 (requests so far: 2)',
      ]);
      assert.equal(rec.texts.length, 150);
    });

    it('a confirmation from beside the previous request that said no sends nothing more: standby', async () => {
      api.enqueue(...range(0, 250).map((n) => sms(n)));
      // The confirmation sent beside request 1 is answered while block 1 is handed on: no.
      let answerAhead: (ok: boolean) => void = () => undefined;
      const calls: Array<string | undefined> = [];
      const g: ReaderGate = {
        confirm: (next) => {
          calls.push(next);
          return calls.length === 1 ? Promise.resolve(true) : calls.length === 2 ? new Promise((r) => (answerAhead = r)) : Promise.resolve(false);
        },
        fresh: () => true,
      };
      const { consumer, rec, phases } = make({ gate: g });
      consumer.once('block', () => answerAhead(false));
      await consumer.start();
      consumer.lead();
      await after(60_000);
      assert.deepEqual(api.calls, [undefined], 'block 1 is never acknowledged');
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'delivering', 'polling', 'standby']);
      assert.equal(rec.errors.length, 0);
    });

    it('lead() carries the next the store holds from the previous reader, and reads without it at once if it is spent', async () => {
      api.enqueue(...range(0, 50).map((n) => sms(n)));
      api.failNext({ kind: 'api', status: 400, errorCode: 'UnifiedWebService.REQUEST_FAILED.UnexpectedError', message: 'The next token is not valid.' });
      const g = gate();
      const { consumer, rec } = make({ gate: g, store: new MemoryStore({ v: 1, next: 'token-from-before' }) });
      const signs: string[] = [];
      consumer.on('suspect', (s) => signs.push(s));
      await consumer.start();
      consumer.lead();
      await after();
      assert.deepEqual(api.calls, ['token-from-before', undefined], 'no backoff between the two');
      assert.equal(rec.texts.length, 50);
      assert.equal(rec.errors.length, 0);
      assert.deepEqual(signs, [], 'a spent token of the previous reader is no sign of another reader');
    });

    it('lead() again after a Redis failover that lost the last next: the block served again is no sign of another reader', async () => {
      api.enqueue(...range(0, 250).map((n) => sms(n)));
      const store = new MemoryStore();
      const { consumer, rec } = make({ gate: gate(), store });
      const signs: string[] = [];
      consumer.on('suspect', (s) => signs.push(s));
      let blocks = 0;
      consumer.on('block', () => void (++blocks === 2 && consumer.standBy()));
      await consumer.start();
      consumer.lead();
      await after();
      assert.equal(api.calls.length, 2);
      // The new primary had only the write before the last: block 1's next, spent since.
      store.state = { v: 1, next: api.calls[1] };
      consumer.lead();
      await after(5000);
      assert.equal(api.calls[2], api.calls[1], 'the stale next carried');
      assert.equal(new Set(rec.texts).size, 250, 'lost 0');
      assert.ok(rec.texts.length - 250 <= 100, `${rec.texts.length - 250} twice: at most one block`);
      assert.deepEqual(signs, [], 'no sign of another reader');
    });

    for (const ackMode of ['auto', 'manual'] as const) {
      it(`standBy() with a request in flight (${ackMode}): a final block that answers within the stop grace is emitted, a block with more is not, no next is sent`, async () => {
        for (const [queued, emitted] of [
          [30, 30],
          [250, 0],
        ]) {
          api = new FakeThingSpace();
          api.enqueue(...range(0, queued).map((n) => sms(n)));
          api.hold();
          const { consumer, rec, phases } = make({ gate: gate(), stopGraceMs: 2000, ackMode });
          await consumer.start();
          consumer.lead();
          await after();
          assert.equal(api.inFlight, 1);
          const settled = consumer.standBy();
          await after(500);
          api.release();
          await settled;
          await after(60_000);
          assert.equal(rec.texts.length, emitted, `${queued} queued`);
          assert.equal(api.calls.length, 1, 'no request after the answer');
          assert.equal(phases[phases.length - 1], 'standby');
          assert.equal(api.acknowledged, emitted, 'only the final block, by the server on its answer');
          if (ackMode === 'manual') for (const msg of rec.blocks.flatMap((b) => b.items)) consumer.ack(msg.ref);
        }
      });
    }

    it('standBy() with a request in flight that does not answer within the stop grace: cut, nothing emitted', async () => {
      api.enqueue(...range(0, 30).map((n) => sms(n)));
      api.hold();
      const { consumer, rec } = make({ gate: gate(), stopGraceMs: 2000 });
      await consumer.start();
      consumer.lead();
      await after();
      const settled = consumer.standBy();
      await after(2500);
      await settled;
      api.release();
      await after(60_000);
      assert.equal(api.inFlight, 0);
      assert.equal(rec.texts.length, 0);
      assert.equal(api.acknowledged, 0, 'the aborted request was never served');
    });

    it("stop() in standby writes nothing to the store: the state is the lease holder's", async () => {
      const store = slowStore();
      const { consumer, phases } = make({ gate: gate(), store });
      await consumer.start();
      await consumer.stop();
      assert.deepEqual(phases, ['standby', 'stopping', 'stopped']);
      assert.equal(store.saves, 0);
    });

    it('standBy() while the store loads: no request afterwards, and lead() loads it again', async () => {
      const store = slowStore();
      const { consumer, phases } = make({ gate: gate(), store });
      await consumer.start();
      consumer.lead();
      await after();
      assert.equal(consumer.phase, 'loading');
      const settled = consumer.standBy();
      store.release();
      await settled;
      await after(60_000);
      assert.equal(api.calls.length, 0);
      consumer.lead();
      await after();
      store.release();
      await after();
      assert.deepEqual(phases, ['standby', 'loading', 'standby', 'loading', 'polling', 'idle']);
      assert.equal(store.loads, 2);
    });

    it('a refused confirm sends no request: the consumer stands by at once', async () => {
      api.enqueue(sms(1));
      const g = gate();
      g.ok = false;
      const { consumer, rec, phases } = make({ gate: g });
      await consumer.start();
      consumer.lead();
      await after(60_000);
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'standby']);
      assert.equal(api.calls.length, 0);
      assert.equal(rec.errors.length, 0);
    });

    it('a confirm that fails (the shared store unreachable) is a refusal too', async () => {
      const { consumer, phases } = make({ gate: { confirm: () => Promise.reject(new Error('connection refused')), fresh: () => true } });
      await consumer.start();
      consumer.lead();
      await after(60_000);
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'standby']);
      assert.equal(api.calls.length, 0);
    });

    it('standBy() during a request aborts it, and the block it brings is neither emitted nor acknowledged', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      api.hold();
      const { consumer, rec, phases } = make({ gate: gate() });
      await consumer.start();
      consumer.lead();
      await after();
      assert.equal(api.inFlight, 1);
      await consumer.standBy();
      assert.equal(api.inFlight, 0, 'aborted: standBy() resolves with no request in flight');
      api.release();
      await after(60_000);
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'standby']);
      assert.equal(rec.blocks.length, 0);
      assert.equal(rec.errors.length, 0, 'the abort is not reported');
      assert.deepEqual(api.calls, [undefined]);
      assert.equal(api.acknowledged, 0);
    });

    it('standBy() from a block listener: the request that would acknowledge the block is never made', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, phases } = make({ gate: gate() });
      consumer.once('block', () => void consumer.standBy());
      await consumer.start();
      consumer.lead();
      await after(60_000);
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'delivering', 'standby']);
      assert.deepEqual(api.calls, [undefined]);
      assert.equal(api.acknowledged, 0);
    });

    it('standBy() while waiting for acknowledgements ends the wait without acknowledging; the SMS stay held for the next reader', async () => {
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const store = new MemoryStore();
      const { consumer, phases } = make({ gate: gate(), ackMode: 'manual', store });
      await consumer.start();
      consumer.lead();
      await after();
      assert.equal(consumer.phase, 'waiting-ack');
      await consumer.standBy();
      await after(60_000);
      assert.deepEqual(phases, ['standby', 'loading', 'polling', 'delivering', 'waiting-ack', 'standby']);
      assert.deepEqual(api.calls, [undefined]);
      assert.equal(Object.keys((store.state?.pending as { sms: object }).sms).length, 100, 'the emitted SMS are kept in the store');
    });

    it('standBy() while idle, listening or backing off clears the timer: no request afterwards', async () => {
      const idle = make({ gate: gate() });
      const listening = make({ gate: gate(), intervalMs: 0 });
      await idle.consumer.start();
      await listening.consumer.start();
      idle.consumer.lead();
      listening.consumer.lead();
      await after();
      assert.equal(idle.consumer.phase, 'idle');
      assert.equal(listening.consumer.phase, 'listening');
      await idle.consumer.standBy();
      await listening.consumer.standBy();
      const calls = api.calls.length;
      await after(60_000);
      assert.equal(api.calls.length, calls);

      api.failNext({ kind: 'server', status: 503, message: 'unavailable' });
      const backing = make({ gate: gate() });
      await backing.consumer.start();
      backing.consumer.lead();
      await after();
      assert.equal(backing.consumer.phase, 'backing-off');
      await backing.consumer.standBy();
      await after(60_000);
      assert.equal(api.calls.length, calls + 1);
      for (const run of [idle, listening, backing]) assert.equal(run.consumer.phase, 'standby');
    });
  });

  describe('the phase machine', () => {
    function machine(strict: boolean): { phases: PhaseMachine; states: ConsumerState[]; bugs: IllegalTransitionError[] } {
      const states: ConsumerState[] = [];
      const bugs: IllegalTransitionError[] = [];
      return {
        phases: new PhaseMachine(
          strict,
          (s) => states.push(s),
          (e) => bugs.push(e),
        ),
        states,
        bugs,
      };
    }

    it('in strict mode throws on a change the table does not list, and leaves the phase as it was', () => {
      const m = machine(true);
      assert.throws(
        () => m.phases.go({ phase: 'stopped' }),
        (e: unknown) => e instanceof IllegalTransitionError && e.from === 'created' && e.to === 'stopped',
      );
      assert.equal(m.phases.state.phase, 'created');
      assert.deepEqual(m.states, []);
    });

    it('outside strict mode makes it anyway, and reports the bug once', () => {
      const m = machine(false);
      m.phases.go({ phase: 'polling' });
      m.phases.go({ phase: 'stopped' });
      assert.equal(m.phases.state.phase, 'stopped');
      assert.deepEqual(
        m.states.map((s) => s.phase),
        ['polling', 'stopped'],
      );
      assert.equal(m.bugs.length, 1, 'reported once');
      assert.match(m.bugs[0].message, /created -> polling/);
    });
  });

  // Last (mocha runs suites in order): with the tests above, it proves each edge has a test.
  describe('the transition table', () => {
    it('has every edge taken by a test above', function () {
      // Under --grep only some tests ran: their edges prove nothing about the table.
      const all = (suite: Mocha.Suite): number => suite.tests.length + suite.suites.reduce((n, s) => n + all(s), 0);
      if (ran < all(this.test!.parent!.parent!) - 1) this.skip();
      const edges = Object.entries(TRANSITIONS).flatMap(([from, to]) => to.map((t) => `${from} -> ${t}`));
      assert.deepEqual(
        edges.filter((e) => !taken.has(e)),
        [],
      );
    });
  });
});
