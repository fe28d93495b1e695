// Each simulator fault maps to the error kind the consumer's retry policy keys on.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { FaultRule } from '../../../simulator/options';
import type { ErrorKind } from '../../../nodes/lib/client/errors';
import { IdempotentRetryPolicy } from '../../../nodes/lib/retry/retry-policy';
import { ACCOUNT, clientFor, failure } from './helpers';

const CASES: { rule: FaultRule; kind: ErrorKind; why: string }[] = [
  { rule: { kind: 'server-error', status: 503 }, kind: 'server', why: '5xx' },
  { rule: { kind: 'server-error', status: 500 }, kind: 'server', why: '5xx' },
  { rule: { kind: 'rate-limit', retryAfterSec: 7 }, kind: 'rate_limited', why: '429' },
  { rule: { kind: 'hang' }, kind: 'timeout', why: 'no answer within timeoutMs' },
  { rule: { kind: 'reset' }, kind: 'network', why: 'socket destroyed before the answer' },
  { rule: { kind: 'reset-after' }, kind: 'network', why: 'socket destroyed after processing' },
  { rule: { kind: 'malformed' }, kind: 'bad_response', why: 'truncated JSON' },
  // A 502 with an HTML page is a proxy's server error: status first, so 'server'.
  { rule: { kind: 'html' }, kind: 'server', why: 'HTML 502 page' },
  { rule: { kind: 'empty' }, kind: 'bad_response', why: 'empty 200' },
  { rule: { kind: 'oversize' }, kind: 'bad_response', why: '10 MB body over the 2 MiB cap' },
  { rule: { kind: 'wrong-shape' }, kind: 'bad_response', why: 'JSON that is not a history block' },
];

describe('faults mapped to error kinds', () => {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
    sim.generate(150);
  });

  afterEach(async () => {
    await sim.stop();
  });

  for (const { rule, kind, why } of CASES) {
    it(`maps ${rule.kind}${rule.status ? ` ${rule.status}` : ''} on history (${why}) to '${kind}', and the next call works`, async () => {
      // Short only where the timeout is the fault: on a busy machine a login may take 500 ms.
      const client = clientFor(sim, { timeoutMs: rule.kind === 'hang' ? 500 : 5000 });
      await client.history(); // token and login done before the fault
      sim.addFault({ ...rule, endpoint: 'history', count: 1 });
      const err = await failure(client.history());
      assert.equal(err.kind, kind);
      assert.equal(new IdempotentRetryPolicy().decide(err).action, 'retry');
      assert.equal(err.operation, 'history');
      assert.equal((await client.history()).messages.length, 100);
      client.close();
    });
  }

  it('keeps the errorCode and errorMessage of a 5xx body', async () => {
    const client = clientFor(sim);
    sim.addFault({ kind: 'server-error', status: 503, endpoint: 'history' });
    const err = await failure(client.history());
    client.close();
    assert.equal(err.status, 503);
    assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.ServiceUnavailable');
    assert.equal(err.code, 'UnifiedWebService.REQUEST_FAILED.ServiceUnavailable');
    assert.match(err.errorMessage ?? '', /Simulated server error/);
  });

  it('carries Retry-After seconds as retryAfterMs', async () => {
    const client = clientFor(sim);
    sim.addFault({ kind: 'rate-limit', retryAfterSec: 7, endpoint: 'history' });
    const err = await failure(client.history());
    client.close();
    assert.equal(err.retryAfterMs, 7000);
  });

  it('maps faults on the token and login requests without rejecting the credentials', async () => {
    for (const endpoint of ['token', 'login'] as const) {
      for (const rule of [{ kind: 'server-error' }, { kind: 'rate-limit' }, { kind: 'reset' }, { kind: 'malformed' }, { kind: 'html' }] as FaultRule[]) {
        const client = clientFor(sim, { timeoutMs: 500 });
        sim.addFault({ ...rule, endpoint, count: 1 });
        const err = await failure(client.history());
        assert.equal(new IdempotentRetryPolicy().decide(err).action, 'retry', `${endpoint} ${rule.kind} -> ${err.kind} is retried`);
        assert.equal(client.credentialsRejected, undefined);
        assert.equal((await client.history()).status, 202, `${endpoint} ${rule.kind}: the next call works`);
        client.close();
      }
    }
  });

  it('a reset after the server processed an acknowledgement loses nothing when the call is repeated', async () => {
    const client = clientFor(sim);
    const first = await client.history();
    sim.addFault({ kind: 'reset-after', endpoint: 'history' });
    assert.equal((await failure(client.history(first.next))).kind, 'network');
    const again = await client.history(first.next); // a used token is a no-op: the same next block comes back
    client.close();
    assert.equal(again.messages.length, 50);
    assert.equal(sim.queued(ACCOUNT), 50);
  });

  it('reports an unknown next token as an api error', async () => {
    const client = clientFor(sim);
    const err = await failure(client.history('nonsense'));
    client.close();
    assert.equal(err.kind, 'api');
    assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.UnexpectedError');
  });
});

describe('callback calls against the simulator', () => {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('registers, lists and deletes the EnhancedConnectivityService listener', async () => {
    const client = clientFor(sim);
    const registered = await client.registerCallback('http://127.0.0.1:9/sms', { username: 'cb-user', password: 'cb-pass' });
    assert.deepEqual(registered, { accountName: ACCOUNT, serviceName: 'EnhancedConnectivityService' });
    const listed = await client.listCallbacks();
    assert.equal(listed.length, 1);
    assert.equal(listed[0].url, 'http://127.0.0.1:9/sms');
    assert.equal(sim.callbacks(ACCOUNT)[0].username, 'cb-user');
    await client.deleteCallback('EnhancedConnectivityService');
    assert.deepEqual(await client.listCallbacks(), []);
    client.close();
  });

  it('starts callbacks with a PUT once a listener is registered, and reports the api error before', async () => {
    const client = clientFor(sim);
    const err = await failure(client.startCallbacks());
    assert.equal(err.kind, 'api');
    assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.Callback.NotRegistered');
    await client.registerCallback('http://127.0.0.1:9/sms');
    assert.deepEqual(await client.startCallbacks(), { success: true });
    assert.equal(sim.counters().requests.startCallbacks, 2);
    client.close();
  });

  it('encodes the service name so it cannot leave the callbacks path', async () => {
    const client = clientFor(sim);
    for (const name of ['../../sms/x', 'a/b', 'a?b', '%2F']) {
      const err = await failure(client.deleteCallback(name));
      assert.equal(err.kind, 'api', name);
      assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.Callback.NotFound', name);
    }
    for (const name of ['..', '.', '']) assert.equal((await failure(client.deleteCallback(name))).kind, 'bad_config');
    client.close();
    assert.equal(sim.counters().rejectedPaths, 0);
  });

  it('refuses a callback URL that is not http(s) before any request', async () => {
    const client = clientFor(sim);
    assert.equal((await failure(client.registerCallback('ftp://x/y'))).kind, 'bad_config');
    client.close();
    assert.deepEqual(sim.counters().requests, {});
  });
});
