import assert from 'node:assert/strict';
import { CorrelationBook } from '../../../nodes/lib/sender/correlations';
import type { DeliveryNotice } from '../../../nodes/lib/message/delivery-notice';

const A = { kind: 'mdn', id: '15551230001' };
const B = { kind: 'mdn', id: '15551230002' };

function notice(requestId: string, status: DeliveryNotice['status'], deviceIds = [A]): DeliveryNotice {
  const final = status !== 'sent' && status !== 'unknown';
  return { requestId, status, final, thingspaceStatus: status, deviceIds, timestamp: 't', timestampLocal: false };
}

describe('sender/correlations: sends waiting for their outcome', () => {
  let now = 1_000_000;
  const book = (maxPending = 10, maxAgeMs = 60_000): CorrelationBook => new CorrelationBook({ maxPending, maxAgeMs }, () => now);

  it('ends a one-device send with its final notice, and calls a repeat of that notice a duplicate', () => {
    const b = book();
    b.add('r1', { correlationId: 'c' }, [A]);
    const sent = b.settle(notice('r1', 'sent'));
    assert.ok(sent.kind === 'correlated' && b.size === 1, 'sent to network is not an end');
    const done = b.settle(notice('r1', 'delivered'));
    assert.ok(done.kind === 'correlated' && done.send.kept.correlationId === 'c');
    assert.deepEqual(done.device, A);
    assert.equal(b.size, 0);
    assert.deepEqual(b.settle(notice('r1', 'delivered')), { kind: 'duplicate' });
  });

  it('ends a send to two devices when both have their outcome, each counted once', () => {
    const b = book();
    b.add('r2', {}, [A, B]);
    const first = b.settle(notice('r2', 'delivered', [A]));
    assert.ok(first.kind === 'correlated' && b.size === 1);
    assert.deepEqual(b.settle(notice('r2', 'delivered', [A])), { kind: 'duplicate' });
    const second = b.settle(notice('r2', 'failed', [{ kind: 'MDN', id: '15551230002' }]));
    assert.ok(second.kind === 'correlated');
    assert.equal(b.size, 0, 'kinds compared in any case');
  });

  it('gives a notice without device ids to the only device still open', () => {
    const b = book();
    b.add('r3', {}, [A]);
    const r = b.settle(notice('r3', 'delivered', []));
    assert.ok(r.kind === 'correlated' && b.size === 0);
    assert.deepEqual(r.device, A);
  });

  it('does not know a requestId it never sent, and keeps a group send open until it expires', () => {
    const b = book();
    assert.deepEqual(b.settle(notice('elsewhere', 'delivered')), { kind: 'unknown' });
    b.add('g', {}, undefined);
    const r = b.settle(notice('g', 'delivered'));
    assert.ok(r.kind === 'correlated' && b.size === 1, 'a group has no count of outcomes due');
  });

  it('evicts the oldest send beyond maxPending and hands it back', () => {
    const b = book(2);
    b.add('r1', {}, [A]);
    b.add('r2', {}, [A]);
    const evicted = b.add('r3', {}, [A]);
    assert.deepEqual(
      evicted.map((s) => s.requestId),
      ['r1'],
    );
    assert.ok(!b.owns(notice('r1', 'failed')) && b.owns(notice('r3', 'failed')));
  });

  it('expires sends older than maxAgeMs, oldest first, and forgets the notices seen as long ago', () => {
    const b = book(10, 1000);
    b.add('old', {}, [A]);
    b.settle(notice('old', 'sent'));
    now += 600;
    b.add('young', {}, [A]);
    now += 500;
    assert.deepEqual(
      b.expire().map((s) => s.requestId),
      ['old'],
    );
    assert.ok(b.owns(notice('young', 'failed')));
    assert.ok(!b.owns(notice('old', 'sent')), 'the seen notice is forgotten with it');
  });

  it('survives a snapshot and a restore, and skips what it cannot read', () => {
    const b = book();
    b.add('r1', { _msgid: 'm1' }, [A, B]);
    b.settle(notice('r1', 'delivered', [A]));
    const copy = book();
    copy.restore(JSON.parse(JSON.stringify(b.snapshot())));
    assert.ok(copy.owns(notice('r1', 'failed')));
    assert.deepEqual(copy.settle(notice('r1', 'delivered', [A])), { kind: 'duplicate' }, 'the seen notices came along');
    const end = copy.settle(notice('r1', 'expired', [B]));
    assert.ok(end.kind === 'correlated' && copy.size === 0 && end.send.kept._msgid === 'm1');
    const odd = book();
    odd.restore({ v: 1, pending: [{ requestId: 3 }, null], seen: 'x' });
    odd.restore({ v: 2 });
    odd.restore(undefined);
    assert.equal(odd.size, 0);
  });
});
