// SIM: the simulator must never be the bottleneck of a benchmark. It serves a block of a
// 1,000,000-SMS queue as fast as a block of a small one (O(block), not O(queue)), and drains
// the million to a bare keep-alive client at tens of thousands of SMS per second.
import http from 'node:http';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { ACCOUNT, history, nextOf, session } from '../../test/integration/simulator/helpers';
import type { ThingSpaceSimulator } from '../../simulator/server';
import { fmt, type Row } from '../table';

const TOTAL = 1_000_000;
const SMALL = '0000000000-00002';
const BLOCKS = 150;

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
}

async function blocksMs(sim: ThingSpaceSimulator, auth: Record<string, string>, account: string, agent: http.Agent): Promise<number> {
  let next: string | undefined;
  const started = process.hrtime.bigint();
  for (let i = 0; i < BLOCKS; i++) next = nextOf((await history(sim, auth, next, account, agent)).headers.location);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function simulatorScenario(): Promise<Row[]> {
  // Its own process, so the figure is the server's, not a core shared with the client.
  const child = fork(path.join(__dirname, '..', 'sim-process.js'), [String(TOTAL), SMALL]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ready = await nextMessage<{ url: string }>(child);
    const sim = { url: ready.url } as ThingSpaceSimulator;
    const auth = await session(sim);
    await blocksMs(sim, auth, SMALL, agent); // warm-up
    const small = await blocksMs(sim, auth, SMALL, agent);
    const large = await blocksMs(sim, auth, ACCOUNT, agent);
    let next: string | undefined;
    let received = BLOCKS * 100;
    const started = process.hrtime.bigint();
    for (;;) {
      const res = await history(sim, auth, next, ACCOUNT, agent);
      received += (JSON.parse(res.text) as { messages: unknown[] }).messages.length;
      if (res.status !== 202) break;
      next = nextOf(res.headers.location);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    child.send({ cmd: 'counters' });
    const after = await nextMessage<{ counters: { messagesServed: number } }>(child);
    if (after.counters.messagesServed < TOTAL) throw new Error(`the simulator served ${after.counters.messagesServed} of ${TOTAL} SMS`);
    const ratio = large / small;
    return [
      {
        id: 'SIM',
        what: `the simulator: ${BLOCKS} blocks of a ${fmt.n(TOTAL)}-SMS queue vs of a small one`,
        measured: `${large.toFixed(0)} vs ${small.toFixed(0)} ms; the rest of the million at ${fmt.rate((received - BLOCKS * 100) / seconds)}`,
        ratio: fmt.ratio(ratio),
        target: '<= 2.00 (time per block, large vs small queue)',
        holds: ratio <= 2,
      },
    ];
  } finally {
    agent.destroy();
    child.send({ cmd: 'stop' });
    await new Promise((r) => child.once('exit', r));
  }
}
