import assert from 'node:assert/strict';
import { Backoff } from '../../../nodes/lib/retry/backoff';

describe('retry/backoff', () => {
  it('doubles the cap with each failure, up to maxMs', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    const delays = Array.from({ length: 6 }, () => b.next());
    assert.deepEqual(delays, [99, 199, 399, 799, 999, 999]);
  });

  it('draws each delay uniformly below the cap (full jitter)', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.25 });
    assert.equal(b.next(), 250);
    assert.equal(b.next(), 500);
    assert.equal(new Backoff({ initialMs: 1000, random: () => 0 }).next(), 0);
  });

  it('never waits less than Retry-After, even beyond maxMs', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 });
    assert.equal(b.next(3000), 3000);
    assert.equal(b.next(10), 100, 'a short Retry-After does not shorten the backoff');
  });

  it('starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 0.999999 });
    assert.deepEqual([b.next(), b.next(), b.next()], [99, 199, 399]);
    b.reset();
    assert.equal(b.next(), 99);
  });

  it('defaults to 1 s .. 60 s', () => {
    const b = new Backoff({ random: () => 0.999999 });
    assert.equal(b.next(), 999);
    for (let i = 0; i < 40; i++) b.next();
    assert.equal(b.next(), 59_999);
  });
});
