import assert from 'node:assert/strict';
import { dedupeKey } from '../../../nodes/lib/message/dedupe-key';
import type { SmsMessage } from '../../../nodes/lib/types';

const base: SmsMessage = {
  deviceIds: [
    { kind: 'mdn', id: '5551230001' },
    { kind: 'imei', id: '356938035643809' },
  ],
  message: 'T=21.4C BAT=88',
  timestamp: '2024-05-02T09:15:07-07:00',
};

describe('message/dedupe-key', () => {
  it('is 16 hex characters, the same for the same SMS', () => {
    const k = dedupeKey(base);
    assert.match(k, /^[0-9a-f]{16}$/);
    assert.equal(dedupeKey(JSON.parse(JSON.stringify(base)) as SmsMessage), k);
  });

  it('ignores the case of the id kind (docs/thingspace-api.md, "Device ids")', () => {
    const upper = {
      ...base,
      deviceIds: [
        { kind: 'MDN', id: '5551230001' },
        { kind: 'IMEI', id: '356938035643809' },
      ],
    };
    assert.equal(dedupeKey(upper), dedupeKey(base));
  });

  it('differs when the text, the timestamp, an id or the id order differs', () => {
    const k = dedupeKey(base);
    assert.notEqual(dedupeKey({ ...base, message: 'T=21.5C BAT=88' }), k);
    assert.notEqual(dedupeKey({ ...base, timestamp: '2024-05-02T09:15:08-07:00' }), k);
    assert.notEqual(dedupeKey({ ...base, deviceIds: [{ kind: 'mdn', id: '5551230002' }, base.deviceIds[1]] }), k);
    assert.notEqual(dedupeKey({ ...base, deviceIds: [base.deviceIds[1], base.deviceIds[0]] }), k);
  });

  it('cannot be fooled by moving characters between fields', () => {
    const a: SmsMessage = { deviceIds: [{ kind: 'mdn', id: '1' }], message: 'x|y', timestamp: 't' };
    const b: SmsMessage = { deviceIds: [{ kind: 'mdn', id: '1x' }], message: 'y', timestamp: 't' };
    const c: SmsMessage = { deviceIds: [{ kind: 'mdn', id: '1' }], message: 'x', timestamp: 't|y' };
    assert.equal(new Set([dedupeKey(a), dedupeKey(b), dedupeKey(c)]).size, 3);
    // Fields written as the key writes them: without the id count first, these two would match.
    const d: SmsMessage = { deviceIds: [{ kind: 'mdn', id: '1' }], timestamp: 'k', message: '1:i1:xy' };
    const e: SmsMessage = {
      deviceIds: [
        { kind: 'mdn', id: '1' },
        { kind: 'k', id: 'i' },
      ],
      timestamp: 'x',
      message: 'y',
    };
    assert.notEqual(dedupeKey(d), dedupeKey(e));
  });

  it('shows no collision among 200,000 SMS that differ in one counter', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(dedupeKey({ ...base, message: `T=21.4C BAT=88 n=${i}` }));
    assert.equal(seen.size, 200_000);
  });
});
