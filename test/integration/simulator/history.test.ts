import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { LocationForm } from '../../../simulator/options';
import { ACCOUNT, history, nextOf, session, sms, texts } from './helpers';

describe('simulator: SMS history paging (docs/thingspace-api.md, "SMS history")', () => {
  let sim: ThingSpaceSimulator;
  let auth: Record<string, string>;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start();
    auth = await session(sim);
  });
  afterEach(() => sim.stop());

  function fill(n: number): void {
    sim.enqueue(Array.from({ length: n }, (_, i) => sms(`m${i}`)));
  }

  it('answers an empty queue with 200, hasMoreData false and no messages', async () => {
    const res = await history(sim, auth);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { hasMoreData: false, messages: [] });
    assert.equal(res.headers.location, undefined);
  });

  const forms: [LocationForm, RegExp][] = [
    ['relative', /^\/sms\/0000123456-00001\/history\?next=[A-Za-z0-9]+$/],
    ['prefixed', /^\/api\/m2m\/v1\/sms\/0000123456-00001\/history\?next=[A-Za-z0-9]+$/],
    ['absolute', /^http:\/\/127\.0\.0\.1:\d+\/api\/m2m\/v1\/sms\/0000123456-00001\/history\?next=[A-Za-z0-9]+$/],
  ];
  for (const [form, pattern] of forms) {
    it(`drains 250 SMS as 202 + ${form} Location, 202, then a final 200 without Location`, async () => {
      sim.configure({ locationForm: form });
      fill(250);
      const first = await history(sim, auth);
      assert.equal(first.status, 202);
      assert.match(first.headers.location as string, pattern);
      assert.equal(first.json().hasMoreData, true);
      assert.equal(first.json().messages.length, 100);
      const second = await history(sim, auth, nextOf(first.headers.location));
      assert.equal(second.status, 202);
      assert.equal(second.json().messages[0].message, 'm100');
      const last = await history(sim, auth, nextOf(second.headers.location));
      assert.equal(last.status, 200);
      assert.equal(last.headers.location, undefined);
      assert.equal(last.json().hasMoreData, false);
      assert.deepEqual(
        texts(last.json()),
        Array.from({ length: 50 }, (_, i) => `m${200 + i}`),
      );
    });
  }

  it('acknowledges exactly the block a next token was issued with', async () => {
    fill(250);
    const first = await history(sim, auth);
    assert.equal(sim.queued(), 250, 'serving acknowledges nothing');
    await history(sim, auth, nextOf(first.headers.location));
    assert.equal(sim.queued(), 150);
    assert.equal(sim.counters().messagesAcked, 100);
  });

  it('uses the block size from the options', async () => {
    sim.configure({ blockSize: 7 });
    fill(10);
    const first = await history(sim, auth);
    assert.equal(first.json().messages.length, 7);
  });

  describe('withoutNext', () => {
    it("'redeliver' serves the oldest unacknowledged block again and counts a redelivery", async () => {
      fill(150);
      const a = await history(sim, auth);
      const b = await history(sim, auth);
      assert.equal(b.status, 202);
      assert.deepEqual(texts(b.json()), texts(a.json()));
      assert.notEqual(nextOf(b.headers.location), nextOf(a.headers.location), 'each serve has its own token');
      assert.equal(sim.counters().redeliveries, 1);
      assert.equal(sim.queued(), 150);
    });

    it("'consume' treats the block served before as acknowledged", async () => {
      sim.configure({ withoutNext: 'consume' });
      fill(150);
      await history(sim, auth);
      const b = await history(sim, auth);
      assert.equal(b.status, 200);
      assert.equal(b.json().messages[0].message, 'm100');
      assert.equal(sim.queued(), 50);
      assert.equal(sim.counters().redeliveries, 0);
    });
  });

  describe('finalBlock', () => {
    it("'redeliver' keeps the final block queued and serves it on the next poll", async () => {
      fill(30);
      const a = await history(sim, auth);
      assert.equal(a.status, 200);
      assert.equal(sim.queued(), 30);
      const b = await history(sim, auth);
      assert.deepEqual(texts(b.json()), texts(a.json()));
      assert.equal(sim.counters().redeliveries, 1);
    });

    it("'ack-on-delivery' removes the final block once served", async () => {
      sim.configure({ finalBlock: 'ack-on-delivery' });
      fill(130);
      const a = await history(sim, auth);
      const b = await history(sim, auth, nextOf(a.headers.location));
      assert.equal(b.status, 200);
      assert.equal(b.json().messages.length, 30);
      assert.equal(sim.queued(), 0);
      assert.deepEqual((await history(sim, auth)).json(), { hasMoreData: false, messages: [] });
      assert.equal(sim.counters().messagesAcked, 130);
    });
  });

  describe('next tokens', () => {
    it('treats a used token as a no-op ack and serves the oldest unacknowledged block', async () => {
      fill(350);
      const a = await history(sim, auth);
      const token = nextOf(a.headers.location);
      const b = await history(sim, auth, token);
      const again = await history(sim, auth, token);
      assert.equal(again.status, 202);
      assert.deepEqual(texts(again.json()), texts(b.json()), 'the block after the acked one, not the one after that');
      assert.equal(sim.queued(), 250);
      assert.equal(sim.counters().messagesAcked, 100);
    });

    it('refuses an unknown token with 400 REQUEST_FAILED.UnexpectedError and acknowledges nothing', async () => {
      fill(150);
      await history(sim, auth);
      const res = await history(sim, auth, 'garbage999');
      assert.equal(res.status, 400);
      assert.equal(res.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.UnexpectedError');
      assert.equal(sim.queued(), 150);
      assert.equal(sim.counters().tokensRefused, 1);
    });

    it("issues numeric tokens with leading zeros in 'numeric' style, so a client that parses '0042' as 42 fails", async () => {
      sim.configure({ tokenStyle: 'numeric' });
      fill(150);
      const a = await history(sim, auth);
      const token = nextOf(a.headers.location);
      assert.match(token, /^0\d{3,}$/);
      const parsed = await history(sim, auth, String(Number(token)));
      assert.equal(parsed.status, 400);
      assert.equal(sim.queued(), 150);
    });

    it("issues odd integers above 2^53 by default ('int64', as Verizon's SDKs type next), and refuses one rounded to a JavaScript number", async () => {
      fill(350);
      const a = await history(sim, auth);
      const token = nextOf(a.headers.location);
      assert.equal(token, '9007199254740993');
      const rounded = await history(sim, auth, String(Number(token)));
      assert.equal(rounded.status, 400);
      assert.equal(rounded.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.UnexpectedError');
      assert.equal(sim.counters().tokensRefused, 1);
      assert.equal(sim.queued(), 350);
      const b = await history(sim, auth, token);
      assert.equal(sim.queued(), 250, 'the token as issued acknowledges its block');
      const second = nextOf(b.headers.location);
      assert.equal(second, '9007199254740995');
      assert.notEqual(String(Number(second)), second);
    });

    it("issues small unpadded integers in 'integer' style, and refuses them padded", async () => {
      sim.configure({ tokenStyle: 'integer' });
      fill(150);
      const token = nextOf((await history(sim, auth)).headers.location);
      assert.equal(token, '1');
      assert.equal((await history(sim, auth, '0001')).status, 400);
      assert.equal((await history(sim, auth, token)).status, 200);
      assert.equal(sim.queued(), 50);
    });

    it("issues alphanumeric tokens in 'alnum' style", async () => {
      sim.configure({ tokenStyle: 'alnum' });
      fill(150);
      const a = await history(sim, auth);
      const token = nextOf(a.headers.location);
      assert.match(token, /^[A-Za-z0-9]{3,32}$/);
      assert.match(token, /[A-Za-z]/);
      assert.equal((await history(sim, auth, token)).status, 200);
      assert.equal(sim.queued(), 50);
    });
  });

  describe('the hasMoreData field', () => {
    const modes: ['absent' | 'contradicts', (more: boolean) => unknown][] = [
      ['absent', () => undefined],
      ['contradicts', (more) => !more],
    ];
    for (const [mode, expected] of modes) {
      it(`in '${mode}' mode changes only the body's hasMoreData, never the status or Location`, async () => {
        sim.configure({ hasMoreData: mode });
        fill(150);
        const a = await history(sim, auth);
        assert.equal(a.status, 202);
        assert.equal(a.json().hasMoreData, expected(true));
        assert.equal('hasMoreData' in a.json(), mode !== 'absent');
        assert.equal(a.json().messages.length, 100);
        const b = await history(sim, auth, nextOf(a.headers.location));
        assert.equal(b.status, 200);
        assert.equal(b.headers.location, undefined);
        assert.equal(b.json().hasMoreData, expected(false));
        assert.equal(b.json().messages.length, 50);
      });
    }
  });

  it('answers an unknown account with 400 REQUEST_FAILED.AccountNotFound', async () => {
    const res = await history(sim, auth, undefined, '9999999999-99999');
    assert.equal(res.status, 400);
    assert.equal(res.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.AccountNotFound');
  });

  it('keeps accounts apart', async () => {
    await sim.stop();
    sim = await ThingSpaceSimulator.start({ accounts: [ACCOUNT, '0000999999-00002'] });
    auth = await session(sim);
    sim.enqueue(sms('for-a'));
    sim.enqueue(sms('for-b'), '0000999999-00002');
    assert.deepEqual(texts((await history(sim, auth)).json()), ['for-a']);
    assert.deepEqual(texts((await history(sim, auth, undefined, '0000999999-00002')).json()), ['for-b']);
  });

  it('generates a million SMS quickly, each with its own text, materialised block by block', async () => {
    const started = Date.now();
    sim.generate(1_000_000);
    assert.ok(Date.now() - started < 500, 'generate is O(1) in storage');
    assert.equal(sim.queued(), 1_000_000);
    const a = await history(sim, auth);
    const body = a.json();
    assert.equal(body.messages.length, 100);
    assert.equal(new Set(texts(body)).size, 100);
    assert.match(body.messages[0].message, /^T=\d+\.\dC BAT=\d+ seq=\d+ n=0$/);
    assert.ok(body.messages[0].deviceIds.some((d: { kind: string }) => d.kind === 'imei'));
  });

  it('counts history requests in flight per account and the most seen at once', async () => {
    sim.configure({ latencyMs: 150 });
    fill(10);
    await Promise.all([history(sim, auth), history(sim, auth), history(sim, auth)]);
    const c = sim.counters();
    assert.equal(c.maxConcurrentHistory, 3);
    assert.equal(c.inFlightHistory, 0);
  });
});
