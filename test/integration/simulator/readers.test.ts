// Two readers on one account, as the simulator sees them: history requests that overlap are
// counted, each request is logged with its session, and a `next` whose block the other
// reader acknowledged already is refused in 'refuse' mode (as a real second reader saw).
import assert from 'node:assert/strict';
import { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import { QueueConsumer } from '../../../nodes/lib/consumer/queue-consumer';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, CREDS } from './helpers';

describe('simulator: two readers on one account', () => {
  let sim: ThingSpaceSimulator;
  const stops: Array<() => Promise<void> | void> = [];
  const seen = new Set<string>();
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await sim.stop();
  });

  function reader(): { consumer: QueueConsumer; count: () => number; signs: string[] } {
    const api = new ThingSpaceClient({ server: sim.url, accountName: ACCOUNT, ...CREDS });
    const consumer = new QueueConsumer({ api, intervalMs: 0, ackMode: 'auto', ackTimeoutMs: 1000, dedupe: true, backoff: { initialMs: 50, maxMs: 100 } });
    let n = 0;
    const signs: string[] = [];
    consumer.on('block', (b) => {
      n += b.items.length;
      for (const i of b.items) seen.add(i.sms.message);
    });
    consumer.on('suspect', (s) => signs.push(s));
    consumer.on('error', () => undefined);
    stops.push(
      () => consumer.stop(),
      () => api.close(),
    );
    return { consumer, count: () => n, signs };
  }

  async function both(staleNext: 'ignore' | 'refuse'): Promise<ReturnType<typeof reader>[]> {
    seen.clear();
    sim = await ThingSpaceSimulator.start({ quiet: true, latencyMs: 20, staleNext });
    sim.generate(1000);
    const rs = [reader(), reader()];
    for (const r of rs) await r.consumer.start();
    for (const r of rs) r.consumer.poll();
    const deadline = Date.now() + 15_000;
    while (seen.size < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    return rs;
  }

  it('counts overlapping history requests and logs each with its session', async () => {
    const rs = await both('ignore');
    const c = sim.counters();
    assert.ok(c.historyOverlaps > 0, 'two readers overlap');
    assert.ok(c.tokensStale > 0, 'each acknowledged what the other had acknowledged');
    assert.ok(rs[0].count() + rs[1].count() > 1000, 'both emitted SMS: duplicates');
    const log = sim.history(ACCOUNT);
    assert.deepEqual([...new Set(log.map((r) => r.session))].sort(), [1, 2]);
    assert.ok(log.every((r) => r.end !== undefined && r.end >= r.start));
    assert.ok(log.some((r) => r.next));
  });

  it('in refuse mode answers a spent next with REQUEST_FAILED.UnexpectedError, and the consumer says it saw another reader', async () => {
    const rs = await both('refuse');
    assert.ok(sim.counters().tokensStale > 0);
    assert.ok(
      rs.some((r) => r.signs.includes('next-refused')),
      JSON.stringify(rs.map((r) => r.signs)),
    );
    assert.equal(seen.size, 1000, 'nothing is lost either way');
  });

  /** One reader drains `n` generated SMS (or gives up after 10 s). */
  async function alone(n: number): Promise<ReturnType<typeof reader>> {
    sim.generate(n);
    const r = reader();
    await r.consumer.start();
    r.consumer.poll();
    const deadline = Date.now() + 10_000;
    while (r.count() < n && Date.now() < deadline) await new Promise((x) => setTimeout(x, 20));
    return r;
  }

  it('one reader alone: no overlap, no stale token', async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, latencyMs: 5 });
    const r = await alone(500);
    const c = sim.counters();
    assert.equal(c.historyOverlaps, 0);
    assert.equal(c.tokensStale, 0);
    assert.deepEqual(r.signs, []);
  });

  it('logs each answer with its status and the SMS it carried: 202s of 100, then the final 200', async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, latencyMs: 0 });
    const r = await alone(250);
    assert.equal(r.count(), 250);
    const log = sim.history(ACCOUNT).map((rec) => [rec.status, rec.messages]);
    assert.deepEqual(log, [
      [202, 100],
      [202, 100],
      [200, 50],
    ]);
  });
});
