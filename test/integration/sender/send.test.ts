// One SMS send with its retries (nodes/lib/sender/send-attempts.ts over the real client)
// against the simulator over real HTTP: what is repeated, and what never is.
import assert from 'node:assert/strict';
import net from 'node:net';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import { sendFailure, sendWithRetries } from '../../../nodes/lib/sender/send-attempts';
import { ACCOUNT, clientFor, failure } from '../client/helpers';
import { until } from '../../support/wait';
import { makeTestCa } from '../../support/test-ca';
import { withProxyEnv } from '../../support/proxy-env';

const REQUEST = { deviceIds: [{ kind: 'mdn', id: '15551230001' }], smsMessage: 'PING', dataEncoding: '7-bit' as const };
/** The poller's backoff, shortened for the tests. */
const fast = { initialMs: 20, maxMs: 100 };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('sending an SMS: retried only when it certainly did not reach ThingSpace', function () {
  let sim: ThingSpaceSimulator | undefined;
  let client: ThingSpaceClient | undefined;

  afterEach(async () => {
    client?.close();
    await sim?.stop();
    sim = undefined;
    client = undefined;
  });

  it('sends once and gets the requestId ThingSpace gave the SMS', async () => {
    sim = await ThingSpaceSimulator.start();
    client = clientFor(sim);
    const { requestId } = await client.sendSms(REQUEST);
    const [sent] = sim.sentSms();
    assert.equal(sent.requestId, requestId);
    assert.equal(sent.accountName, ACCOUNT, 'the client adds the account');
    assert.equal(sent.smsMessage, 'PING');
  });

  it('retries a send whose connection was refused, and sends it once in total when ThingSpace is back', async () => {
    const port = await freePort();
    client = new ThingSpaceClient({
      server: `http://127.0.0.1:${port}`,
      accountName: ACCOUNT,
      clientId: 'sim-client-id',
      clientSecret: 'sim-client-secret',
      username: 'sim-user',
      password: 'sim-password',
    });
    const refused: ThingSpaceError[] = [];
    const sending = sendWithRetries(client, REQUEST, { ...fast, onRetry: (e) => refused.push(e) });
    await until(() => refused.length >= 1, 'a refused connection');
    assert.equal(refused[0].kind, 'network');
    assert.equal(refused[0].requestSent, false, 'the transport knows nothing was written');
    sim = await ThingSpaceSimulator.start({ port });
    const { requestId } = await sending;
    assert.equal(sim.counters().requests.sms, 1, 'one request reached ThingSpace');
    assert.deepEqual(
      sim.sentSms().map((s) => s.requestId),
      [requestId],
    );
  });

  it('retries a send whose TLS handshake failed (nothing was written), and gives up with TLS_CERTIFICATE', async () => {
    const ca = makeTestCa();
    try {
      sim = await ThingSpaceSimulator.start({ tls: ca.selfSigned });
      const s = sim;
      client = withProxyEnv({}, () => clientFor(s, { ca: ca.ca }));
      const seen: ThingSpaceError[] = [];
      const err = await failure(sendWithRetries(client, REQUEST, { initialMs: 5, maxMs: 10, maxRetries: 2, onRetry: (e) => seen.push(e) }));
      assert.equal(err.kind, 'tls');
      assert.equal(err.requestSent, false);
      assert.equal(seen.length, 2, 'retried, as nothing reached ThingSpace');
      assert.equal(sendFailure(err).code, 'TLS_CERTIFICATE');
      assert.equal(sim.counters().requests.token ?? 0, 0, 'no request got through');
    } finally {
      ca.remove();
    }
  });

  it('retries after a 503 and after a 429 with Retry-After: one SMS in total', async () => {
    sim = await ThingSpaceSimulator.start();
    sim.addFault({ kind: 'server-error', status: 503, endpoint: 'sms' });
    sim.addFault({ kind: 'rate-limit', retryAfterSec: 0.2, endpoint: 'sms' });
    client = clientFor(sim);
    const retries: Array<[string, number]> = [];
    const started = Date.now();
    await sendWithRetries(client, REQUEST, { ...fast, onRetry: (e, ms) => retries.push([e.kind, ms]) });
    assert.deepEqual(
      retries.map(([kind]) => kind),
      ['server', 'rate_limited'],
    );
    assert.ok(retries[1][1] >= 200, 'never sooner than Retry-After');
    assert.ok(Date.now() - started >= 200);
    assert.equal(sim.counters().requests.sms, 3);
    assert.equal(sim.counters().smsAccepted, 1);
  });

  it('reports a timeout after the request was written as SEND_UNCERTAIN, with exactly one request at the server', async () => {
    sim = await ThingSpaceSimulator.start();
    client = clientFor(sim, { timeoutMs: 300 });
    await client.sendSms(REQUEST); // a session first, so the hang meets the send itself
    sim.addFault({ kind: 'hang', endpoint: 'sms' });
    sim.resetCounters();
    const err = await failure(sendWithRetries(client, REQUEST, fast));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.requestSent, true);
    assert.equal(sendFailure(err).code, 'SEND_UNCERTAIN');
    assert.match(sendFailure(err).message, /may or may not have queued this SMS/);
    assert.equal(sim.counters().requests.sms, 1, 'never resent');
  });

  it('reports a reset after ThingSpace queued it as SEND_UNCERTAIN: the SMS is there once', async () => {
    sim = await ThingSpaceSimulator.start();
    sim.addFault({ kind: 'reset-after', endpoint: 'sms' });
    client = clientFor(sim);
    const err = await failure(sendWithRetries(client, REQUEST, fast));
    assert.equal(sendFailure(err).code, 'SEND_UNCERTAIN');
    assert.equal(sim.counters().smsAccepted, 1);
    assert.equal(sim.counters().requests.sms, 1);
  });

  it('does not repeat a send answered with a server error other than 503, and says it may be queued', async () => {
    sim = await ThingSpaceSimulator.start();
    sim.addFault({ kind: 'server-error', status: 500, endpoint: 'sms' });
    client = clientFor(sim);
    const err = await failure(sendWithRetries(client, REQUEST, fast));
    const f = sendFailure(err);
    assert.equal(f.code, 'UnifiedWebService.REQUEST_FAILED.ServiceUnavailable', "ThingSpace's own code");
    assert.match(f.message, /not sent again: ThingSpace may have queued it/);
    assert.equal(sim.counters().requests.sms, 1);
  });

  it('renews an expired session and sends again, as ThingSpace refused the first: one SMS in total', async () => {
    sim = await ThingSpaceSimulator.start();
    client = clientFor(sim);
    await client.sendSms(REQUEST);
    sim.expireSession();
    sim.resetCounters();
    await sendWithRetries(client, REQUEST, fast);
    assert.equal(sim.counters().requests.sms, 2, 'the refused request and the one after the login');
    assert.equal(sim.counters().smsAccepted, 1);
  });

  it('never retries rejected credentials', async () => {
    sim = await ThingSpaceSimulator.start();
    client = clientFor(sim, { password: 'wrong' });
    const err = await failure(sendWithRetries(client, REQUEST, fast));
    assert.equal(err.kind, 'credentials_rejected');
    assert.equal(sim.counters().loginsFailed, 1);
  });
});
