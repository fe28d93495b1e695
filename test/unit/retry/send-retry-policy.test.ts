import assert from 'node:assert/strict';
import { ERROR_CODES, ThingSpaceError, type ErrorKind } from '../../../nodes/lib/client/errors';
import { SendRetryPolicy, isUncertain, safeToRepeat } from '../../../nodes/lib/retry/send-retry-policy';

const error = (kind: ErrorKind, extra: { status?: number; requestSent?: boolean; retryAfterMs?: number } = {}): ThingSpaceError =>
  new ThingSpaceError({ kind, message: kind, ...extra });
const ALL_KINDS = Object.keys(ERROR_CODES) as ErrorKind[];

describe('retry/send-retry-policy: a send is repeated only when nothing can have been queued', () => {
  it('repeats a connection that never carried the request: refused, DNS, TLS, a connect that timed out', () => {
    for (const kind of ['network', 'tls', 'timeout'] as const) assert.ok(safeToRepeat(error(kind, { requestSent: false })), kind);
  });

  it('repeats what ThingSpace said to repeat: 429 and 503', () => {
    assert.ok(safeToRepeat(error('rate_limited', { status: 429 })));
    assert.ok(safeToRepeat(error('server', { status: 503 })));
  });

  it('never repeats a request that was written and got no answer, nor any other failure', () => {
    for (const kind of ['network', 'timeout'] as const) assert.ok(!safeToRepeat(error(kind, { requestSent: true })), kind);
    for (const status of [500, 502, 504]) assert.ok(!safeToRepeat(error('server', { status })), String(status));
    const others = ALL_KINDS.filter((k) => !['network', 'tls', 'timeout', 'rate_limited', 'server'].includes(k));
    for (const kind of others) assert.ok(!safeToRepeat(error(kind, { requestSent: false })), kind);
  });

  it('calls a written request without an answer uncertain, and nothing that had an answer', () => {
    assert.ok(isUncertain(error('timeout', { requestSent: true })));
    assert.ok(isUncertain(error('network', { requestSent: true })));
    assert.ok(!isUncertain(error('timeout', { requestSent: false })));
    assert.ok(!isUncertain(error('timeout', { status: 408, requestSent: true })), 'a 408 is an answer');
    assert.ok(!isUncertain(error('bad_response', { requestSent: true })));
  });

  it('waits as the poller does (never less than Retry-After), at most maxRetries times per send', () => {
    const policy = new SendRetryPolicy({ initialMs: 100, random: () => 0.5, maxRetries: 2 });
    assert.deepEqual(policy.decide(error('server', { status: 503 })), { action: 'retry', inMs: 50 });
    assert.deepEqual(policy.decide(error('rate_limited', { retryAfterMs: 3000 })), { action: 'retry', inMs: 3000 });
    assert.deepEqual(policy.decide(error('server', { status: 503 })), { action: 'halt' }, 'given up after two retries');
    policy.succeeded();
    assert.deepEqual(policy.decide(error('server', { status: 503 })), { action: 'retry', inMs: 50 }, 'a success starts over');
  });

  it('halts on rejected credentials and a bad configuration, like every policy', () => {
    const policy = new SendRetryPolicy();
    assert.deepEqual(policy.decide(error('credentials_rejected', { requestSent: false })), { action: 'halt' });
    assert.deepEqual(policy.decide(error('bad_config')), { action: 'halt' });
  });
});
