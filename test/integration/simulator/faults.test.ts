import assert from 'node:assert/strict';
import http from 'node:http';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { seedFromEnv } from '../../support/seed';
import { until } from '../../support/wait';
import { ACCOUNT, getToken, history, nextOf, request, session, sms } from './helpers';

const seeded = seedFromEnv('simulator-faults');

describe('simulator: injected faults', () => {
  let sim: ThingSpaceSimulator;
  let auth: Record<string, string>;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start();
    auth = await session(sim);
    sim.enqueue(Array.from({ length: 150 }, (_, i) => sms(`m${i}`)));
  });
  afterEach(() => sim.stop());

  function injected(kind: string): number {
    return sim.counters().faultsInjected[kind] ?? 0;
  }

  it("'server-error' answers 503 (or the given 5xx) with an error body and leaves the queue alone", async () => {
    sim.addFault({ kind: 'server-error' });
    sim.addFault({ kind: 'server-error', status: 500 });
    const a = await history(sim, auth);
    assert.equal(a.status, 503);
    assert.ok(a.json().errorCode);
    assert.equal((await history(sim, auth)).status, 500);
    assert.equal((await history(sim, auth)).status, 202, 'the rules are used up');
    assert.equal(injected('server-error'), 2);
    assert.equal(sim.counters().messagesServed, 100);
  });

  it("'skip' lets matching requests through first: skip 1 fails the second history request only", async () => {
    sim.addFault({ kind: 'server-error', skip: 1 });
    const first = await history(sim, auth);
    assert.equal(first.status, 202);
    assert.equal((await history(sim, auth, nextOf(first.headers.location as string))).status, 503);
    assert.equal((await history(sim, auth, nextOf(first.headers.location as string))).status, 200, 'used up');
    assert.equal(injected('server-error'), 1);
    assert.throws(() => sim.addFault({ kind: 'server-error', skip: -1 }), /skip/);
  });

  it("'rate-limit' answers 429 with Retry-After in seconds", async () => {
    sim.addFault({ kind: 'rate-limit', retryAfterSec: 7 });
    const res = await history(sim, auth);
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '7');
    assert.equal(injected('rate-limit'), 1);
  });

  it("'hang' never answers, until the client gives up", async () => {
    sim.addFault({ kind: 'hang' });
    await assert.rejects(request(sim.url, 'GET', `/api/m2m/v1/sms/${ACCOUNT}/history`, { headers: auth, timeoutMs: 300 }), /client timeout/);
    assert.equal(injected('hang'), 1);
    assert.equal((await history(sim, auth)).status, 202, 'the next request is served');
  });

  it("'hang' requests end when the simulator stops", async () => {
    sim.addFault({ kind: 'hang' });
    const agent = new http.Agent({ keepAlive: false });
    const pending = request(sim.url, 'GET', `/api/m2m/v1/sms/${ACCOUNT}/history`, { headers: auth, agent });
    await until(() => sim.counters().inFlightHistory === 1, 'the request to hang');
    await sim.stop();
    await assert.rejects(pending);
  });

  it("'reset' destroys the connection before anything is processed", async () => {
    const first = await history(sim, auth);
    sim.addFault({ kind: 'reset' });
    await assert.rejects(history(sim, auth, nextOf(first.headers.location)), /socket hang up|ECONNRESET/);
    assert.equal(sim.queued(), 150, 'the ack was not processed');
    assert.equal(injected('reset'), 1);
  });

  it("'reset-after' processes the ack, then destroys the connection; a retry with the same token loses nothing", async () => {
    const first = await history(sim, auth);
    const token = nextOf(first.headers.location);
    sim.addFault({ kind: 'reset-after' });
    await assert.rejects(history(sim, auth, token), /socket hang up|ECONNRESET/);
    assert.equal(sim.queued(), 50, 'the ack was processed');
    const retry = await history(sim, auth, token);
    assert.equal(retry.status, 200);
    assert.deepEqual(
      retry.json().messages.map((m: { message: string }) => m.message),
      Array.from({ length: 50 }, (_, i) => `m${100 + i}`),
    );
  });

  it("'malformed' answers 200 with truncated JSON", async () => {
    sim.addFault({ kind: 'malformed' });
    const res = await history(sim, auth);
    assert.equal(res.status, 200);
    assert.throws(() => res.json(), SyntaxError);
  });

  it("'html' answers 502 with an HTML page", async () => {
    sim.addFault({ kind: 'html' });
    const res = await history(sim, auth);
    assert.equal(res.status, 502);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.text, /<html>/);
  });

  it("'empty' answers 200 with an empty body", async () => {
    sim.addFault({ kind: 'empty' });
    const res = await history(sim, auth);
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  it("'oversize' answers 200 with a body of about 10 MB", async () => {
    sim.addFault({ kind: 'oversize' });
    const res = await history(sim, auth);
    assert.equal(res.status, 200);
    assert.ok(res.text.length > 10_000_000);
  });

  it("'wrong-shape' answers 200 JSON that is not a history body", async () => {
    sim.addFault({ kind: 'wrong-shape' });
    const body = (await history(sim, auth)).json();
    assert.ok(!Array.isArray(body.messages));
  });

  it("'expire-bearer' invalidates the bearer before handling: 401 900901, then a new token works", async () => {
    sim.addFault({ kind: 'expire-bearer' });
    const res = await history(sim, auth);
    assert.equal(res.status, 401);
    assert.equal(res.json().fault.code, 900901);
    const bearer = (await getToken(sim)).json().access_token;
    assert.equal((await history(sim, { ...auth, Authorization: `Bearer ${bearer}` })).status, 202);
  });

  it("'expire-session' invalidates the session before handling", async () => {
    sim.addFault({ kind: 'expire-session' });
    const res = await history(sim, auth);
    assert.equal(res.status, 400);
    assert.equal(res.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.SessionToken.Expired');
  });

  it('applies a rule to its endpoint only, and an "any" rule to every endpoint', async () => {
    sim.addFault({ kind: 'server-error', endpoint: 'token' });
    assert.equal((await history(sim, auth)).status, 202);
    assert.equal((await getToken(sim)).status, 503);
    sim.addFault({ kind: 'rate-limit', endpoint: 'any', count: 2 });
    assert.equal((await getToken(sim)).status, 429);
    assert.equal((await history(sim, auth)).status, 429);
    assert.equal((await history(sim, auth)).status, 202);
  });

  it('applies a probability rule until cleared', async () => {
    sim.addFault({ kind: 'server-error', probability: 1 });
    for (let i = 0; i < 3; i++) assert.equal((await history(sim, auth)).status, 503);
    sim.clearFaults();
    assert.equal((await history(sim, auth)).status, 202);
    sim.addFault({ kind: 'server-error', probability: 0 });
    assert.equal((await history(sim, auth)).status, 202);
  });

  it('draws probability rules from its seed: the same seed hits the same requests, another seed others', async () => {
    const hits = async (seed: number): Promise<boolean[]> => {
      sim.configure({ seed });
      sim.clearFaults();
      sim.addFault({ kind: 'server-error', probability: 0.5 });
      const out: boolean[] = [];
      for (let i = 0; i < 40; i++) out.push((await history(sim, auth)).status === 503);
      return out;
    };
    const seed = seeded.int(0, 2 ** 32 - 1);
    const first = await hits(seed);
    assert.deepEqual(await hits(seed), first, 'setting the seed again starts the same sequence over');
    assert.notDeepEqual(await hits(seed + 1), first);
    assert.ok(first.includes(true) && first.includes(false), 'some requests hit, some not');
    assert.throws(() => sim.configure({ seed: -1 }), /seed/);
    assert.throws(() => sim.configure({ seed: 2 ** 32 }), /seed/);
  });

  it('refuses a rule of an unknown kind', () => {
    assert.throws(() => sim.addFault({ kind: 'explode' } as never), /kind/);
  });

  it('delays every API response by latencyMs', async () => {
    sim.configure({ latencyMs: 200 });
    const started = Date.now();
    await history(sim, auth);
    assert.ok(Date.now() - started >= 190);
  });
});
