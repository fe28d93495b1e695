import assert from 'node:assert/strict';
import { ERROR_CODES, ThingSpaceError, type ErrorKind } from '../../../nodes/lib/client/errors';
import { IdempotentRetryPolicy, halts } from '../../../nodes/lib/retry/retry-policy';

const error = (kind: ErrorKind, retryAfterMs?: number): ThingSpaceError => new ThingSpaceError({ kind, message: kind, retryAfterMs });
const ALL_KINDS = Object.keys(ERROR_CODES) as ErrorKind[];

describe('retry/retry-policy', () => {
  it('halts on rejected credentials and on a bad configuration, and on nothing else', () => {
    assert.deepEqual(
      ALL_KINDS.filter((k) => halts(error(k))),
      ['credentials_rejected', 'bad_config'],
    );
  });

  it('for idempotent calls, never retries rejected credentials: five failed logins lock the account', () => {
    const policy = new IdempotentRetryPolicy({ initialMs: 100, random: () => 0.5 });
    assert.deepEqual(policy.decide(error('credentials_rejected')), { action: 'halt' });
    assert.deepEqual(policy.decide(error('bad_config')), { action: 'halt' });
    assert.deepEqual(policy.decide(error('server')), { action: 'retry', inMs: 50 }, 'a halt does not count towards the backoff');
  });

  it('for idempotent calls, retries every other kind with backoff, an untrusted certificate and our own failures included', () => {
    for (const kind of ALL_KINDS.filter((k) => k !== 'credentials_rejected' && k !== 'bad_config')) {
      const decision = new IdempotentRetryPolicy({ initialMs: 100, random: () => 0.5 }).decide(error(kind));
      assert.deepEqual(decision, { action: 'retry', inMs: 50 }, kind);
    }
  });

  it('waits longer after each failure, never less than Retry-After, and starts over after a success', () => {
    const policy = new IdempotentRetryPolicy({ initialMs: 100, maxMs: 1000, random: () => 0.5 });
    const delay = (e: ThingSpaceError): number => {
      const d = policy.decide(e);
      assert.equal(d.action, 'retry');
      return d.action === 'retry' ? d.inMs : -1;
    };
    assert.deepEqual([delay(error('network')), delay(error('timeout')), delay(error('server'))], [50, 100, 200]);
    assert.equal(delay(error('rate_limited', 7000)), 7000, 'Retry-After beyond the cap is honoured');
    policy.reset();
    assert.equal(delay(error('tls')), 50);
  });
});
