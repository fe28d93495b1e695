// No secret in any thrown error or log line: not the client secret, not the password, not
// the base64 Basic credentials, not the bearer or session token.
import assert from 'node:assert/strict';
import util from 'node:util';
import { ThingSpaceSimulator } from '../../../simulator/server';
import type { FaultRule } from '../../../simulator/options';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import { clientFor, failure } from './helpers';

const SECRET = 'Cl1ent-S3cret-7f3a9';
const PASSWORD = 'Pa55-w0rd-9c2e1';
const WRONG_SECRET = 'Wr0ng-S3cret-55aa1';
const WRONG_PASSWORD = 'Wr0ng-Pa55-66bb2';

function basicOf(id: string, secret: string): string {
  return Buffer.from(`${id}:${secret}`).toString('base64');
}

const FORBIDDEN = [SECRET, PASSWORD, WRONG_SECRET, WRONG_PASSWORD, basicOf('sim-client-id', SECRET), basicOf('sim-client-id', WRONG_SECRET)];

function assertClean(err: ThingSpaceError, extra: string[] = []): void {
  const views = [JSON.stringify(err), util.inspect(err, { depth: Infinity, showHidden: true }), String(err.stack), err.message];
  for (const view of views) {
    for (const secret of [...FORBIDDEN, ...extra]) assert.ok(!view.includes(secret), `secret found in ${view.slice(0, 200)}`);
  }
  // `login` (a refused login: the user, counts and times, no secret) is checked by the views above.
  assert.deepEqual(
    Object.keys(err)
      .filter((k) => k !== 'login')
      .sort(),
    ['errorCode', 'errorMessage', 'kind', 'name', 'operation', 'requestSent', 'retryAfterMs', 'status'],
    'no stray fields such as a request or config',
  );
}

describe('secrets never leave the client', () => {
  let sim: ThingSpaceSimulator;
  let lines: string[];

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, clientSecret: SECRET, password: PASSWORD });
    sim.generate(300);
    lines = [];
  });

  afterEach(async () => {
    await sim.stop();
    for (const line of lines) for (const secret of FORBIDDEN) assert.ok(!line.includes(secret), `secret in log line ${line}`);
  });

  const log = (level: string, text: string): void => {
    lines.push(`${level} ${text}`);
  };

  it('not in the error for a wrong client secret', async () => {
    const client = clientFor(sim, { clientSecret: WRONG_SECRET, password: PASSWORD, log });
    const err = await failure(client.history());
    assert.equal(err.kind, 'credentials_rejected');
    assertClean(err);
    assertClean(await failure(client.history()));
    client.close();
  });

  it('not in the error for a wrong password', async () => {
    const client = clientFor(sim, { clientSecret: SECRET, password: WRONG_PASSWORD, log });
    const err = await failure(client.history());
    assert.equal(err.kind, 'credentials_rejected');
    assertClean(err);
    client.close();
  });

  it('not in errors for faults, expiries and timeouts, nor in the debug log', async () => {
    const client = clientFor(sim, { clientSecret: SECRET, password: PASSWORD, log, timeoutMs: 300 });
    const first = await client.history();
    const rules: FaultRule[] = [
      { kind: 'server-error' },
      { kind: 'rate-limit' },
      { kind: 'hang' },
      { kind: 'reset' },
      { kind: 'malformed' },
      { kind: 'html' },
      { kind: 'oversize' },
      { kind: 'wrong-shape' },
    ];
    // The transport's own errors (axios's) carry the request's headers: the live bearer must
    // not come along. Within its lifetime the token endpoint hands back the same bearer.
    const token = await fetch(`${sim.url}/api/ts/v1/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basicOf('sim-client-id', SECRET)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const bearer = ((await token.json()) as { access_token: string }).access_token;
    for (const rule of rules) {
      sim.addFault({ ...rule, count: 1 });
      assertClean(await failure(client.history(first.next)), [bearer]);
    }
    sim.addFault({ kind: 'expire-session', count: 2 });
    assertClean(await failure(client.history(first.next)));
    sim.addFault({ kind: 'expire-bearer', count: 2 });
    assertClean(await failure(client.history(first.next)));
    const controller = new AbortController();
    controller.abort();
    assertClean(await failure(client.history(first.next, { signal: controller.signal })));
    assert.ok(
      lines.some((l) => l.startsWith('debug GET history')),
      'the debug log says what happened',
    );
    client.close();
  });

  it('not in testConnection results', async () => {
    for (const overrides of [{ clientSecret: WRONG_SECRET }, { password: WRONG_PASSWORD }]) {
      const client = clientFor(sim, { clientSecret: SECRET, password: PASSWORD, ...overrides, log });
      const check = JSON.stringify(await client.testConnection());
      for (const secret of FORBIDDEN) assert.ok(!check.includes(secret));
      client.close();
    }
  });

  // A bug in the client, met here through a request whose JSON cannot be written.
  function unwritable(text: string): Record<string, unknown> {
    return {
      deviceIds: [{ id: '15555550100', kind: 'msisdn' }],
      message: 'hi',
      extra: {
        toJSON() {
          throw new Error(text);
        },
      },
    };
  }

  it('keeps the cause of an unexpected error, and its stack in the debug log', async () => {
    const client = clientFor(sim, { clientSecret: SECRET, password: PASSWORD, log, logDebug: true });
    const err = await failure(client.sendSms(unwritable('no JSON for this') as never));
    client.close();
    assert.equal(err.kind, 'internal');
    assert.equal(err.code, 'ERROR');
    assert.equal(err.operation, 'client');
    assert.match(err.message, /^Internal error in the ThingSpace client: no JSON for this$/);
    assert.ok(err.cause instanceof Error, 'the original error is the cause');
    assert.equal(err.cause.message, 'no JSON for this');
    assert.ok(!('cause' in err.toJSON()), 'toJSON leaves the cause out');
    const debug = lines.filter((l) => l.startsWith('debug ') && l.includes('no JSON for this'));
    assert.equal(debug.length, 1, `one debug line with the stack: ${lines.join('\n')}`);
    assert.match(debug[0], /cause: Error: no JSON for this\n\s+at Object.toJSON /);
  });

  it('masks secrets in an unexpected error: its message, its cause and the stack in the debug log', async () => {
    const client = clientFor(sim, { clientSecret: SECRET, password: PASSWORD, log, logDebug: true });
    await client.history(); // a live bearer and session to mask as well
    const err = await failure(client.sendSms(unwritable(`failed with ${PASSWORD} and ${SECRET}`) as never));
    client.close();
    assert.equal(err.kind, 'internal');
    assertClean(err);
    assert.ok(err.cause instanceof Error, 'a masked copy of the cause is kept');
    assert.equal(err.cause.message, 'failed with *** and ***');
    assert.match(String(err.cause.stack), /^Error: failed with \*\*\* and \*\*\*\n\s+at Object.toJSON /);
    assert.match(err.message, /failed with \*\*\* and \*\*\*$/);
    // afterEach checks every log line for the secrets; the stack was logged, masked.
    assert.ok(
      lines.some((l) => l.startsWith('debug ') && l.includes('cause: Error: failed with *** and ***')),
      lines.join('\n'),
    );
  });

  it('masks a secret the server echoes back in its error message', async () => {
    // A server that quotes the password it was sent must not get it into our error.
    const { FakeServer, reply } = await import('./fake-server');
    const fake = await FakeServer.start();
    fake.handler = (_req, res) => reply(res, 400, { errorCode: 'X.Y', errorMessage: `bad password ${PASSWORD} and token fake-session-token` });
    const client = clientFor(sim, { server: fake.url, clientSecret: SECRET, password: PASSWORD, log });
    const err = await failure(client.history());
    client.close();
    await fake.stop();
    assertClean(err, ['fake-session-token', 'fake-bearer-token']);
    assert.match(err.errorMessage ?? '', /bad password \*\*\*/);
  });
});
