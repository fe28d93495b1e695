// Draining a backlog through the client, in each way the open questions of docs/thingspace-api.md, "Open questions" could
// turn out: how the final block is acknowledged, the Location form, the token style.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { FinalBlockMode, LocationForm, TokenStyle } from '../../../simulator/options';
import { ACCOUNT, clientFor, drain, smsKey, tally } from './helpers';

const BACKLOG = 10_000;

describe('draining 10,000 queued SMS', () => {
  let sim: ThingSpaceSimulator;

  afterEach(async () => {
    await sim.stop();
  });

  const modes: { finalBlock: FinalBlockMode; locationForm: LocationForm; tokenStyle: TokenStyle }[] = [];
  for (const finalBlock of ['redeliver', 'ack-on-delivery'] as const) {
    for (const locationForm of ['relative', 'prefixed', 'absolute'] as const) {
      modes.push({ finalBlock, locationForm, tokenStyle: locationForm === 'absolute' ? 'alnum' : 'numeric' });
    }
  }

  for (const mode of modes) {
    it(`loses none with final block '${mode.finalBlock}', Location '${mode.locationForm}', ${mode.tokenStyle} tokens`, async () => {
      sim = await ThingSpaceSimulator.start({ quiet: true, ...mode });
      sim.generate(BACKLOG);
      const client = clientFor(sim);
      const started = Date.now();
      const result = await drain(client);
      const ms = Date.now() - started;
      // The next poll: in 'redeliver' mode the unacknowledgeable final block comes again.
      const poll = await client.history();
      client.close();
      const c = sim.counters();
      const all = tally([...result.messages, ...poll.messages], BACKLOG);
      const first = tally(result.messages, BACKLOG);
      console.log(
        `      final=${mode.finalBlock} location=${mode.locationForm}: received ${first.unique} unique, lost ${first.lost}, ` +
          `duplicates in drain ${first.duplicates}, duplicates on next poll ${all.duplicates}, ` +
          `${c.requests.history} requests for ${result.blocks + 1} blocks (${(c.requests.history / (result.blocks + 1)).toFixed(2)} per block), ` +
          `${c.requests.token} token, ${c.requests.login} login, left queued ${sim.queued(ACCOUNT)}, ${ms} ms`,
      );
      assert.equal(first.lost, 0);
      assert.equal(first.duplicates, 0);
      assert.equal(result.blocks, BACKLOG / 100);
      assert.equal(c.requests.history, result.blocks + 1, 'one request per block, no retries');
      if (mode.finalBlock === 'redeliver') {
        assert.equal(poll.messages.length, 100, 'the final block comes again: nothing could acknowledge it');
        assert.equal(sim.queued(ACCOUNT), 100);
      } else {
        assert.equal(poll.messages.length, 0);
        assert.equal(sim.queued(ACCOUNT), 0);
      }
    });
  }

  it('gets the same block again when next is not sent (withoutNext redeliver)', async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, withoutNext: 'redeliver' });
    sim.generate(250);
    const client = clientFor(sim);
    const a = await client.history();
    const b = await client.history();
    const c = await client.history(b.next);
    client.close();
    assert.deepEqual(a.messages.map(smsKey), b.messages.map(smsKey));
    assert.notEqual(a.next, b.next, 'each delivery has its own token');
    assert.equal(c.messages.length, 100);
    assert.notDeepEqual(c.messages.map(smsKey), a.messages.map(smsKey));
    assert.equal(sim.queued(ACCOUNT), 150);
  });

  it('moves on when next is not sent and the server consumes on delivery (withoutNext consume)', async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, withoutNext: 'consume' });
    sim.generate(250);
    const client = clientFor(sim);
    const a = await client.history();
    const b = await client.history();
    client.close();
    assert.notDeepEqual(a.messages.map(smsKey), b.messages.map(smsKey));
    assert.equal(sim.queued(ACCOUNT), 150);
  });

  it('acknowledges a block with next 0042 exactly as the server wrote it', async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, tokenStyle: 'numeric' });
    sim.generate(250);
    const client = clientFor(sim);
    const first = await client.history();
    client.close();
    assert.match(first.next ?? '', /^0\d{3}$/, `a zero-padded token, got ${first.next}`);
    const again = clientFor(sim);
    await again.history(first.next);
    again.close();
    assert.equal(sim.queued(ACCOUNT), 150, 'the padded token acknowledged its block');
  });

  it('keeps concurrent history calls on one token and one login', async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, latencyMs: 20 });
    sim.generate(500);
    const client = clientFor(sim);
    await Promise.all(Array.from({ length: 5 }, () => client.history()));
    client.close();
    const c = sim.counters();
    assert.equal(c.requests.token, 1);
    assert.equal(c.requests.login, 1);
    assert.equal(c.maxConcurrentHistory, 5);
  });
});
