import assert from 'node:assert/strict';
import { SmsQueue } from '../../../simulator/queue';
import { sms } from './helpers';

describe('simulator: SmsQueue storage and acknowledgement', () => {
  let seq = 0;
  const token = () => String(++seq);

  function texts(q: SmsQueue, n: number): string[] {
    return q.peek(n).map((m) => m.message);
  }

  it('serves and acknowledges across literal segment boundaries without losing or repeating an SMS', () => {
    const q = new SmsQueue();
    const total = 8192 * 2 + 500;
    for (let i = 0; i < total; i++) q.push(sms(`m${i}`));
    const seen: string[] = [];
    let block = q.serve(333, 'redeliver', token);
    while (block.more) {
      seen.push(...block.messages.map((m) => m.message));
      assert.equal(q.ackToken(block.token as string).result, 'acked');
      block = q.serve(333, 'redeliver', token);
    }
    seen.push(...block.messages.map((m) => m.message));
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    assert.equal(seen[total - 1], `m${total - 1}`);
  });

  it('keeps order across generated and enqueued SMS', () => {
    const q = new SmsQueue();
    q.push(sms('before'));
    q.pushGenerated(0, 3, 2, Date.parse('2024-05-02T00:00:00Z'), 1000);
    q.push(sms('after'));
    const all = texts(q, 10);
    assert.equal(all.length, 5);
    assert.equal(all[0], 'before');
    assert.match(all[1], / n=0$/);
    assert.match(all[3], / n=2$/);
    assert.equal(all[4], 'after');
    assert.equal(q.peek(3)[2].timestamp, '2024-05-02T00:00:01.000Z');
  });

  it('accepts SMS pushed after the queue was emptied', () => {
    const q = new SmsQueue();
    q.push(sms('a'));
    q.serve(10, 'ack-on-delivery', token);
    assert.equal(q.size, 0);
    q.push(sms('b'));
    assert.deepEqual(texts(q, 10), ['b']);
  });

  it('tells a stale token from an unknown one', () => {
    const q = new SmsQueue();
    for (let i = 0; i < 5; i++) q.push(sms(`m${i}`));
    const block = q.serve(2, 'redeliver', token);
    assert.equal(q.ackToken(block.token as string).acked, 2);
    assert.deepEqual(q.ackToken(block.token as string), { result: 'stale', acked: 0 });
    assert.deepEqual(q.ackToken('never-issued'), { result: 'unknown', acked: 0 });
  });

  it('acknowledges only what is still queued when two tokens cover the same SMS', () => {
    const q = new SmsQueue();
    for (let i = 0; i < 5; i++) q.push(sms(`m${i}`));
    const a = q.serve(2, 'redeliver', token);
    const b = q.serve(2, 'redeliver', token);
    assert.equal(b.redelivered, true);
    assert.equal(q.ackToken(a.token as string).acked, 2);
    assert.equal(q.ackToken(b.token as string).result, 'stale');
    assert.equal(q.size, 3);
  });
});
