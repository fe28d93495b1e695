// API answers Verizon's SDKs allow but the default simulator does not give: history bodies
// without (or contradicting) hasMoreData, 64-bit and unpadded integer `next` tokens, and a
// bearer or session refused again right after its renewal. Against the simulator over HTTP.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { SimulatorOptions } from '../../../simulator/options';
import { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import { FakeServer, SMS, reply } from './fake-server';
import type { SmsMessage } from '../../../nodes/lib/types';
import { ACCOUNT, clientFor, drain, failure, tally } from './helpers';

const BACKLOG = 1_500;
const BLOCKS = BACKLOG / 100;
const SECRETS = ['sim-client-secret', 'sim-password'];

/** Reads blocks until a 200, acknowledging each with its `next`; returns the tokens seen. */
async function drainTokens(client: ThingSpaceClient): Promise<{ messages: SmsMessage[]; tokens: string[] }> {
  const messages: SmsMessage[] = [];
  const tokens: string[] = [];
  let next: string | undefined;
  for (;;) {
    const block = await client.history(next);
    messages.push(...block.messages);
    if (block.status === 200) return { messages, tokens };
    next = block.next as string;
    tokens.push(next);
  }
}

describe('API answers beyond the documented examples', () => {
  let sim: ThingSpaceSimulator | undefined;

  async function start(opts: SimulatorOptions = {}): Promise<ThingSpaceSimulator> {
    sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock: 'ack-on-delivery', ...opts });
    sim.generate(BACKLOG);
    return sim;
  }

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  describe('history bodies and hasMoreData', () => {
    it('drains 1,500 SMS from bodies without hasMoreData, one request per block, losing none', async () => {
      const sim = await start({ hasMoreData: 'absent' });
      const lines: [string, string][] = [];
      const client = clientFor(sim, { log: (level, text) => lines.push([level, text]) });
      const result = await drain(client);
      client.close();
      const t = tally(result.messages, BACKLOG);
      const c = sim.counters();
      console.log(`      hasMoreData absent: ${t.unique} unique, lost ${t.lost}, ${c.requests.history} requests for ${result.blocks} blocks`);
      assert.equal(t.lost, 0);
      assert.equal(t.duplicates, 0);
      assert.equal(result.blocks, BLOCKS);
      assert.equal(c.requests.history, BLOCKS, 'one request per block, no retries');
      assert.equal(sim.queued(), 0);
      assert.deepEqual(
        lines.filter(([level]) => level === 'warn'),
        [],
        'a missing field is no disagreement',
      );
    });

    it('follows the status when hasMoreData contradicts it, and says so once per client, without a secret', async () => {
      const sim = await start({ hasMoreData: 'contradicts' });
      const lines: [string, string][] = [];
      const client = clientFor(sim, { log: (level, text) => lines.push([level, text]) });
      const result = await drain(client);
      const warnings = lines.filter(([level]) => level === 'warn').map(([, text]) => text);
      // One more block from the same client: it disagrees too, and is not said again.
      sim.generate(10);
      const last = await client.history();
      client.close();
      const t = tally(result.messages, BACKLOG);
      assert.equal(t.lost, 0);
      assert.equal(result.blocks, BLOCKS);
      assert.equal(sim.counters().requests.history, BLOCKS + 1);
      assert.equal(last.messages.length, 10);
      assert.equal(last.hasMoreData, false, 'the status (200) wins over the body');
      assert.equal(warnings.length, 1, `one warning, got ${JSON.stringify(warnings)}`);
      assert.match(warnings[0], /HTTP 202 but hasMoreData false; following the status/);
      for (const secret of SECRETS) assert.ok(!warnings[0].includes(secret));
      assert.equal(lines.filter(([level]) => level === 'warn').length, 1);
    });

    describe('answers the simulator cannot give', () => {
      let fake: FakeServer;
      let client: ThingSpaceClient;
      const HISTORY = `/api/m2m/v1/sms/${ACCOUNT}/history`;

      beforeEach(async () => {
        fake = await FakeServer.start();
        client = new ThingSpaceClient({
          server: fake.url,
          accountName: ACCOUNT,
          clientId: 'id',
          clientSecret: 'secret',
          username: 'u',
          password: 'p',
          timeoutMs: 2000,
        });
      });

      afterEach(async () => {
        client.close();
        await fake.stop();
      });

      it('takes a null hasMoreData for an absent one', async () => {
        fake.handler = (_req, res) => reply(res, 202, { hasMoreData: null, messages: [SMS] }, { Location: `/sms/${ACCOUNT}/history?next=7` });
        const block = await client.history();
        assert.deepEqual([block.status, block.hasMoreData, block.next, block.messages.length], [202, true, '7', 1]);
      });

      it('still refuses a body without a messages array, or with a hasMoreData that is not true or false', async () => {
        for (const body of [{ hasMoreData: false }, { messages: 'none' }, {}, { hasMoreData: 'no', messages: [] }, { hasMoreData: 1, messages: [] }]) {
          fake.handler = (req, res) => (req.url === HISTORY ? reply(res, 200, body) : reply(res, 404, ''));
          const err = await failure(client.history());
          assert.equal(err.kind, 'bad_response', JSON.stringify(body));
          assert.equal(err.code, 'BAD_RESPONSE');
        }
      });

      it('says which part of which message is wrong', async () => {
        fake.handler = (_req, res) => reply(res, 200, { messages: [SMS, { ...SMS, deviceIds: [{ kind: 'mdn', id: '1' }, { kind: 'imei' }] }] });
        const err = await failure(client.history());
        assert.match(err.message, /message 1 of the block is malformed: deviceIds\[1\] has no id/);
      });
    });
  });

  describe('next tokens as integers', () => {
    it('carries 64-bit tokens above 2^53 back byte for byte through a 1,500 SMS drain', async () => {
      const sim = await start({ tokenStyle: 'int64' });
      const client = clientFor(sim);
      const { messages, tokens } = await drainTokens(client);
      client.close();
      const c = sim.counters();
      const t = tally(messages, BACKLOG);
      console.log(`      int64 tokens ${tokens[0]}..${tokens[tokens.length - 1]}: lost ${t.lost}, tokens refused ${c.tokensRefused}`);
      assert.equal(tokens.length, BLOCKS - 1);
      for (const token of tokens) {
        assert.match(token, /^[1-9]\d{15,18}$/);
        assert.ok(BigInt(token) > 2n ** 53n, token);
        assert.notEqual(String(Number(token)), token, `${token} is one a JavaScript number would round`);
      }
      assert.equal(c.tokensRefused, 0);
      assert.equal(c.messagesAcked, BACKLOG);
      assert.equal(t.lost, 0);
      assert.equal(t.duplicates, 0);
      assert.equal(c.requests.history, BLOCKS);
    });

    it('refuses a 64-bit token rounded to a JavaScript number as never issued, and acknowledges nothing', async () => {
      const sim = await start({ tokenStyle: 'int64' });
      const client = clientFor(sim);
      const first = await client.history();
      const rounded = String(Number(first.next));
      assert.notEqual(rounded, first.next);
      const err = await failure(client.history(rounded));
      assert.equal(err.kind, 'api');
      assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.UnexpectedError');
      assert.equal(sim.counters().tokensRefused, 1);
      assert.equal(sim.queued(), BACKLOG);
      // The token as received still acknowledges its block.
      await client.history(first.next);
      client.close();
      assert.equal(sim.queued(), BACKLOG - 100);
    });

    it('drains with small unpadded integer tokens (1, 2, ...)', async () => {
      const sim = await start({ tokenStyle: 'integer' });
      const client = clientFor(sim);
      const { messages, tokens } = await drainTokens(client);
      client.close();
      assert.deepEqual(
        tokens,
        Array.from({ length: BLOCKS - 1 }, (_, i) => String(i + 1)),
      );
      assert.equal(tally(messages, BACKLOG).lost, 0);
      assert.equal(sim.counters().tokensRefused, 0);
    });
  });

  // With the simulator's codes: auth.test.ts ('gives up with bearer_expired ...').
  describe('a bearer or session refused again right after its renewal', () => {
    it('gives BAD_RESPONSE, never CREDENTIALS_REJECTED, when the refusal carries no code', async () => {
      const fake = await FakeServer.start();
      fake.handler = (_req, res) => reply(res, 401, '');
      const client = new ThingSpaceClient({
        server: fake.url,
        accountName: ACCOUNT,
        clientId: 'id',
        clientSecret: 'secret',
        username: 'u',
        password: 'p',
        timeoutMs: 2000,
      });
      try {
        const err = await failure(client.history());
        assert.equal(err.kind, 'bearer_expired');
        assert.equal(err.code, 'BAD_RESPONSE');
        assert.match(err.message, /right after it was renewed \(HTTP 401\)/);
        assert.equal(fake.calls.filter((r) => r.url.endsWith('/history')).length, 2, 'the call and its one retry');
      } finally {
        client.close();
        await fake.stop();
      }
    });
  });
});
