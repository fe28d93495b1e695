// Draining 10,000 SMS while every fault kind is injected at random: the test loop retries
// retryable errors with the same `next` (as the consumer does), and counts SMS lost (must be
// 0), duplicates and requests per block. These are the figures for the closing note.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { FaultKind, FaultRule, FinalBlockMode } from '../../../simulator/options';
import { seedFromEnv } from '../../support/seed';
import { ACCOUNT, clientFor, drain, tally } from './helpers';

// Which requests the probability rules hit.
const seeded = seedFromEnv('drain-faults');

const BACKLOG = 10_000;
const P = 0.02;

const HISTORY_FAULTS: FaultKind[] = [
  'server-error',
  'rate-limit',
  'hang',
  'reset',
  'reset-after',
  'malformed',
  'html',
  'empty',
  'oversize',
  'wrong-shape',
  'expire-bearer',
  'expire-session',
];

function rules(kinds: FaultKind[]): FaultRule[] {
  return [
    ...kinds.map((kind): FaultRule => ({ kind, endpoint: 'history', probability: P, retryAfterSec: 0 })),
    // Token and login fail now and then too: they must never count as a credentials rejection.
    { kind: 'server-error', endpoint: 'token', probability: 0.2 },
    { kind: 'reset', endpoint: 'login', probability: 0.2 },
  ];
}

async function run(finalBlock: FinalBlockMode, kinds: FaultKind[]): Promise<void> {
  const sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock, tokenTtlSec: 5, seed: seeded.int(0, 2 ** 32) });
  try {
    sim.generate(BACKLOG);
    for (const rule of rules(kinds)) sim.addFault(rule);
    const client = clientFor(sim, { timeoutMs: 250 });
    const started = Date.now();
    const result = await drain(client, { retry: true, maxErrors: 2000 });
    // The final block, if the server keeps it, comes again on the next poll.
    sim.clearFaults();
    const poll = await client.history();
    client.close();
    const c = sim.counters();
    const t = tally([...result.messages, ...poll.messages], BACKLOG);
    const blocks = result.blocks + 1;
    console.log(
      `      final=${finalBlock}: SMS lost ${t.lost}, duplicates ${t.duplicates}, ` +
        `${c.requests.history} history requests for ${blocks} blocks (${(c.requests.history / blocks).toFixed(2)} per block), ` +
        `${c.requests.token} token and ${c.requests.login} login requests, ${Date.now() - started} ms`,
    );
    console.log(`      faults injected ${JSON.stringify(c.faultsInjected)}`);
    console.log(`      errors retried ${JSON.stringify(result.errors)}`);
    assert.equal(t.lost, 0, 'no SMS lost');
    assert.equal(client.credentialsRejected, undefined);
    assert.equal(c.loginsFailed, 0);
    assert.equal(sim.queued(ACCOUNT), finalBlock === 'redeliver' ? 100 : 0);
  } finally {
    await sim.stop();
  }
}

describe('draining 10,000 SMS through every fault at once', function () {
  this.timeout(120_000);

  it("loses none when the final block is re-delivered (finalBlock 'redeliver')", async () => {
    await run('redeliver', HISTORY_FAULTS);
  });

  // With 'ack-on-delivery', a reset after the server answered the final 200 loses that block
  // for good: no client can help it (docs/thingspace-api.md, "Open questions" 2). Every other fault is injected.
  it("loses none when the final block is acknowledged on delivery, short of a reset after it (finalBlock 'ack-on-delivery')", async () => {
    await run(
      'ack-on-delivery',
      HISTORY_FAULTS.filter((k) => k !== 'reset-after'),
    );
  });
});
