import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, history, nextOf, session } from './helpers';

const TOTAL = 1_000_000;

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
}

describe('simulator: performance', function () {
  this.timeout(300_000);

  it('serves a block of a million-SMS queue about as fast as a block of a small one', async () => {
    const sim = await ThingSpaceSimulator.start({ accounts: [ACCOUNT, '0000000000-00002'] });
    try {
      const auth = await session(sim);
      sim.generate(TOTAL);
      sim.generate(40_000, { account: '0000000000-00002' });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      async function drainBlocks(account: string): Promise<number> {
        let next: string | undefined;
        const started = process.hrtime.bigint();
        for (let i = 0; i < 150; i++) next = nextOf((await history(sim, auth, next, account, agent)).headers.location);
        return Number(process.hrtime.bigint() - started) / 1e6;
      }
      await drainBlocks('0000000000-00002'); // warm-up
      const small = await drainBlocks('0000000000-00002');
      const large = await drainBlocks(ACCOUNT);
      agent.destroy();
      console.log(`      150 blocks: ${small.toFixed(0)} ms from a small queue, ${large.toFixed(0)} ms from a 1,000,000 queue`);
      assert.equal(sim.queued(), TOTAL - 149 * 100);
      // Loose on purpose: O(queue) slicing would cost seconds per block, not a small factor.
      assert.ok(large < small * 5 + 500, `large ${large} ms vs small ${small} ms`);
    } finally {
      await sim.stop();
    }
  });

  it('drains 1,000,000 generated SMS to a bare keep-alive client (prints SMS/s)', async () => {
    // The simulator runs in its own process, so the figure is the server's, not a shared core's.
    const child = fork(path.join(__dirname, 'fixtures', 'sim-process.js'), [String(TOTAL)], { stdio: 'inherit' });
    try {
      const ready = await nextMessage<{ url: string; generateMs: number; rssMb: number }>(child);
      const sim = { url: ready.url } as ThingSpaceSimulator;
      const auth = await session(sim);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let next: string | undefined;
      let received = 0;
      const started = process.hrtime.bigint();
      for (;;) {
        const res = await history(sim, auth, next, ACCOUNT, agent);
        received += (JSON.parse(res.text) as { messages: unknown[] }).messages.length;
        if (res.status !== 202) break;
        next = nextOf(res.headers.location);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      agent.destroy();
      child.send({ cmd: 'counters' });
      const after = await nextMessage<{ counters: { messagesServed: number; queued: number; redeliveries: number }; rssMb: number }>(child);
      console.log(
        `      drained ${received} SMS in ${seconds.toFixed(1)} s: ${Math.round(received / seconds)} SMS/s ` +
          `(generate ${ready.generateMs} ms, simulator RSS ${ready.rssMb} -> ${after.rssMb} MB)`,
      );
      assert.equal(received, TOTAL);
      assert.equal(after.counters.messagesServed, TOTAL);
      assert.equal(after.counters.redeliveries, 0);
      assert.equal(after.counters.queued, 100, "the final block stays queued in the default 'redeliver' mode");
    } finally {
      child.send({ cmd: 'stop' });
      await new Promise((r) => child.once('exit', r));
    }
  });
});
