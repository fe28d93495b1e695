import assert from 'node:assert/strict';
import { looksLikeDeliveryNotice, parseDeliveryNotice, readStatus } from '../../../nodes/lib/message/delivery-notice';
import { looksLikeCallbackBody } from '../../../nodes/lib/message/callback-body';

const AT = new Date('2024-05-07T10:00:00.000Z');
const IDS = [{ kind: 'mdn', id: '15551230001' }];

// The MO SMS shapes sms-queue-in reads (docs/thingspace-api.md, "Pushed SMS bodies"): never notices.
const MO_BODIES: unknown[] = [
  {
    username: 'u',
    password: 'p',
    requestId: 'r',
    deviceIds: IDS,
    smsResponse: { message: 'T=21C', timestamp: '2024-05-02T16:15:07Z' },
    callbackCount: 1,
    maxCallbackThreshold: 4,
  },
  { requestId: 'r', deviceIds: IDS, message: 'DOOR=open', timestamp: '2024-05-02T16:15:07Z' },
  { Username: 'u', Device: [{ Kind: 'mdn', Identifier: '15551230001' }], SmsMessage: 'hello' },
  { requestId: 'r', deviceIds: IDS, smsResponse: { message: 'ok' }, status: 'Success' },
];

// Plausible notice shapes: flat, NIDD-style envelopes, a "sent to network" notice echoing the text.
const NOTICES: Array<[unknown, string, string]> = [
  [{ requestId: 'r1', deviceIds: IDS, status: 'Delivered', timestamp: '2024-05-07T09:59:00Z' }, 'delivered', 'Delivered'],
  [
    { requestId: 'r2', deviceIds: IDS, deliveryConfirmationResponse: { status: 'Failed', reason: 'Device not reachable' }, callbackCount: 1 },
    'failed',
    'Failed',
  ],
  [{ requestId: 'r3', deviceIds: IDS, smsDeliveryResponse: { deliveryStatus: 'EXPIRED' }, status: 'Success' }, 'expired', 'EXPIRED'],
  [{ requestId: 'r4', deviceIds: IDS, smsMessage: 'PING', status: 'SentToNetwork' }, 'sent', 'SentToNetwork'],
  [{ requestId: 'r5', deviceIds: IDS, deliveryStatus: 'Success' }, 'delivered', 'Success'],
  [{ requestId: 6, smsStatus: 'undeliverable' }, 'failed', 'undeliverable'],
  [{ requestId: 'r7', deviceIds: IDS, status: 'Queued' }, 'sent', 'Queued'],
];

describe('message/delivery-notice: telling notices from MO SMS, and reading them', () => {
  it('never takes an MO SMS body for a notice', () => {
    for (const body of MO_BODIES) assert.equal(looksLikeDeliveryNotice(body), false, JSON.stringify(body).slice(0, 80));
  });

  it('recognises every plausible notice shape, and the SMS parser would not take them for SMS', () => {
    for (const [body] of NOTICES) assert.equal(looksLikeDeliveryNotice(body), true, JSON.stringify(body));
    assert.equal(looksLikeCallbackBody(NOTICES[0][0]), false);
  });

  it('reads requestId, status, devices, time and reason wherever they are', () => {
    for (const [body, status, raw] of NOTICES) {
      const r = parseDeliveryNotice(body, AT);
      assert.ok(r.ok, JSON.stringify(body));
      assert.equal(r.notice.status, status, raw);
      assert.equal(r.notice.thingspaceStatus, raw);
    }
    const failed = parseDeliveryNotice(NOTICES[1][0], AT);
    assert.ok(failed.ok);
    assert.deepEqual(failed.notice, {
      requestId: 'r2',
      status: 'failed',
      final: true,
      thingspaceStatus: 'Failed',
      deviceIds: IDS,
      timestamp: AT.toISOString(),
      timestampLocal: true,
      reason: 'Device not reachable',
    });
    const numeric = parseDeliveryNotice(NOTICES[5][0], AT);
    assert.ok(numeric.ok && numeric.notice.requestId === '6' && numeric.notice.deviceIds.length === 0);
    const stamped = parseDeliveryNotice(NOTICES[0][0], AT);
    assert.ok(stamped.ok && stamped.notice.timestamp === '2024-05-07T09:59:00Z' && !stamped.notice.timestampLocal);
  });

  it('reads delivered, failed and expired as final; sent and unknown as not', () => {
    assert.deepEqual(readStatus('Delivered', false), { status: 'delivered', final: true });
    assert.deepEqual(readStatus('NOT_DELIVERED', false), { status: 'failed', final: true });
    assert.deepEqual(readStatus('Expired', false), { status: 'expired', final: true });
    assert.deepEqual(readStatus('Sent to network', false), { status: 'sent', final: false });
    assert.deepEqual(readStatus('Success', false), { status: 'unknown', final: false }, 'success means delivered only in a delivery-named notice');
    assert.deepEqual(readStatus('Success', true), { status: 'delivered', final: true });
    assert.deepEqual(readStatus('Weird', true), { status: 'unknown', final: false });
  });

  it('refuses a notice without requestId or status, or with unreadable device ids, saying why', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ deviceIds: IDS, deliveryStatus: 'Delivered' }, /without a readable requestId/],
      [{ requestId: 'r', deliveryConfirmation: {} }, /without a status/],
      [{ requestId: 'r', deviceIds: 'mdn', deliveryStatus: 'Delivered' }, /deviceIds is a string/],
      ['a string', /notice body is a string/],
    ];
    for (const [body, why] of cases) {
      const r = parseDeliveryNotice(body, AT);
      assert.ok(!r.ok && why.test(r.reason), JSON.stringify(body));
    }
  });
});
