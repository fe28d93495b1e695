import assert from 'node:assert/strict';
import { ERROR_CODES, ThingSpaceError, type ErrorKind } from '../../../nodes/lib/client/errors';
import { safeToRepeat, sendFailure } from '../../../nodes/lib/sender/send-attempts';

const error = (kind: ErrorKind, extra: { status?: number; requestSent?: boolean; retryAfterMs?: number } = {}): ThingSpaceError =>
  new ThingSpaceError({ kind, message: kind, ...extra });
const ALL_KINDS = Object.keys(ERROR_CODES) as ErrorKind[];

describe('sender/send-attempts: a send is repeated only when nothing can have been queued', () => {
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
    assert.equal(sendFailure(error('timeout', { requestSent: true })).code, 'SEND_UNCERTAIN');
    assert.equal(sendFailure(error('network', { requestSent: true })).code, 'SEND_UNCERTAIN');
    assert.notEqual(sendFailure(error('timeout', { requestSent: false })).code, 'SEND_UNCERTAIN');
    assert.notEqual(sendFailure(error('timeout', { status: 408, requestSent: true })).code, 'SEND_UNCERTAIN', 'a 408 is an answer');
    assert.notEqual(sendFailure(error('bad_response', { requestSent: true })).code, 'SEND_UNCERTAIN');
  });
});
