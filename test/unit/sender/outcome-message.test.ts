import assert from 'node:assert/strict';
import { keepProperties, noticeOutcome, unconfirmedOutcomes, MAX_KEPT_BYTES } from '../../../nodes/lib/sender/correlations';
import { sendFailure } from '../../../nodes/lib/sender/send-attempts';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import type { DeliveryNotice } from '../../../nodes/lib/message/delivery-notice';
import type { PendingSend } from '../../../nodes/lib/sender/correlations';

const NOTICE: DeliveryNotice = {
  requestId: 'r1',
  status: 'delivered',
  final: true,
  thingspaceStatus: 'Delivered',
  deviceIds: [{ kind: 'mdn', id: '15551230001' }],
  timestamp: '2024-05-07T10:00:00Z',
  timestampLocal: false,
};
const SEND: PendingSend = {
  requestId: 'r1',
  sentAt: Date.parse('2024-05-07T09:59:00Z'),
  kept: { _msgid: 'm1', correlationId: 'c1' },
  devices: ['mdn:15551230001', 'imei:356938035643809'],
  done: ['mdn:15551230001'],
};

describe('sender/correlations: the messages of the second output', () => {
  it('keeps the named properties as JSON copies, leaving out what is not JSON or too big', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const msg = { _msgid: 'm1', correlationId: { n: 1 }, fn: () => 1, cyclic, big: 'x'.repeat(MAX_KEPT_BYTES) };
    const { kept, skipped } = keepProperties(msg, ['_msgid', 'correlationId', 'fn', 'cyclic', 'big', 'absent']);
    assert.deepEqual(kept, { _msgid: 'm1', correlationId: { n: 1 } });
    assert.notEqual(kept.correlationId, msg.correlationId, 'a copy');
    assert.deepEqual(skipped, ['fn', 'cyclic', 'big']);
  });

  it('puts the kept properties back at the top and the outcome in the payload', () => {
    const msg = noticeOutcome('0000123456-00001', NOTICE, SEND);
    assert.deepEqual(msg, {
      _msgid: 'm1',
      correlationId: 'c1',
      payload: {
        requestId: 'r1',
        status: 'delivered',
        final: true,
        correlated: true,
        deviceIds: NOTICE.deviceIds,
        timestamp: NOTICE.timestamp,
        thingspaceStatus: 'Delivered',
        sentAt: '2024-05-07T09:59:00.000Z',
      },
      thingspace: { accountName: '0000123456-00001', requestId: 'r1' },
    });
  });

  it('marks a notice for a send it does not know as not correlated', () => {
    const msg = noticeOutcome('acc', { ...NOTICE, reason: 'why' });
    assert.equal((msg.payload as { correlated: boolean }).correlated, false);
    assert.equal((msg.payload as { reason: string }).reason, 'why');
    assert.equal(msg._msgid, undefined);
  });

  it('makes one unconfirmed outcome per device still open', () => {
    const out = unconfirmedOutcomes('acc', SEND, 'no delivery notice within 60 s', new Date('2024-05-08T00:00:00Z'));
    assert.equal(out.length, 1);
    const p = out[0].payload as Record<string, unknown>;
    assert.deepEqual(
      [p.status, p.final, p.correlated, p.reason, p.deviceIds],
      ['unconfirmed', true, true, 'no delivery notice within 60 s', [{ kind: 'imei', id: '356938035643809' }]],
    );
    assert.equal(out[0].correlationId, 'c1');
    assert.deepEqual(unconfirmedOutcomes('acc', { ...SEND, devices: [] }, 'x'), [], 'a group send has no count of outcomes due');
  });
});

describe('sender/send-attempts, sendFailure: what the flow is told', () => {
  it('calls a written request without an answer SEND_UNCERTAIN', () => {
    const f = sendFailure(new ThingSpaceError({ kind: 'timeout', message: 'No answer within 30000 ms', requestSent: true }));
    assert.equal(f.code, 'SEND_UNCERTAIN');
    assert.match(f.message, /may or may not have queued this SMS \(No answer within 30000 ms\); it was not sent again/);
  });

  it("keeps ThingSpace's code and message, and says a 500 may have been queued", () => {
    const f = sendFailure(new ThingSpaceError({ kind: 'server', status: 500, message: 'ThingSpace server error 500', errorCode: 'X.Y', errorMessage: 'boom' }));
    assert.deepEqual(f, { code: 'X.Y', message: 'ThingSpace server error 500: boom (not sent again: ThingSpace may have queued it)' });
    assert.equal(sendFailure(new ThingSpaceError({ kind: 'network', message: 'refused', requestSent: false })).code, 'NETWORK');
  });
});
