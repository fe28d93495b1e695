import assert from 'node:assert/strict';
import { checkDeviceId, configuredTarget, messageTarget, MAX_TARGET_DEVICES } from '../../../nodes/lib/message/sms-target';
import { checkTimeToLive, sendRequest, type SendSettings } from '../../../nodes/lib/message/send-request';

const settings = (over: Partial<SendSettings> = {}): SendSettings => ({
  deviceKind: 'mdn',
  fixedTarget: undefined,
  encoding: '7-bit',
  timeToLive: '',
  ...over,
});

describe('message/sms-target: who an SMS goes to', () => {
  it('checks each id kind for its form, kinds in any case, numbers as their digits', () => {
    const good: Array<[string, unknown]> = [
      ['mdn', '5551230001'],
      ['MDN', '15551230001'],
      ['msisdn', '15551230001'],
      ['imei', '356938035643809'],
      ['iccid', '89148000001234567890'],
      ['eid', '89049032000001000000012345678901'],
      ['esn', '12345678901'],
      ['esn', 'A1B2C3D4'],
      ['meid', 'A1000038000042'],
      ['mdn', 5551230001],
    ];
    for (const [kind, id] of good) assert.ok(checkDeviceId(kind, id).ok, `${kind} ${String(id)}`);
    assert.deepEqual(checkDeviceId('MDN', ' 5551230001 '), { ok: true, value: { kind: 'mdn', id: '5551230001' } });
    const bad: Array<[unknown, unknown, RegExp]> = [
      ['mdn', '555-0100', /not a well-formed mdn: expected 10 to 15 digits/],
      ['imei', '12', /imei/],
      ['meid', 'XYZ', /meid/],
      ['phone', '5551230001', /kind "phone"; expected one of/],
      ['', '1', /no kind/],
      ['mdn', '', /no id/],
      ['mdn', { id: 1 }, /no id/],
    ];
    for (const [kind, id, why] of bad) {
      const r = checkDeviceId(kind, id);
      assert.ok(!r.ok && why.test(r.reason), `${String(kind)} ${String(id)}: ${r.ok ? 'accepted' : r.reason}`);
    }
  });

  it('takes msg.deviceIds as one id per device, a single object as a list of one', () => {
    const two = messageTarget(
      {
        deviceIds: [
          { kind: 'mdn', id: '15551230001' },
          { kind: 'IMEI', id: '356938035643809' },
        ],
      },
      'mdn',
    );
    assert.deepEqual(two, {
      ok: true,
      value: {
        deviceIds: [
          { kind: 'mdn', id: '15551230001' },
          { kind: 'imei', id: '356938035643809' },
        ],
      },
    });
    assert.deepEqual(messageTarget({ deviceIds: { kind: 'mdn', id: '15551230001' } }, 'mdn'), {
      ok: true,
      value: { deviceIds: [{ kind: 'mdn', id: '15551230001' }] },
    });
  });

  it('answers a message from sms-queue-in (deviceIds and device agree: one device) by its mdn only', () => {
    const ids = [
      { kind: 'imei', id: '356938035643809' },
      { kind: 'mdn', id: '15551230001' },
    ];
    const one = messageTarget({ deviceIds: ids, device: { imei: '356938035643809', mdn: '15551230001' } }, 'mdn');
    assert.deepEqual(one, { ok: true, value: { deviceIds: [{ kind: 'mdn', id: '15551230001' }] } });
    const other = messageTarget({ deviceIds: ids, device: { mdn: '15551230009' } }, 'mdn');
    assert.ok(other.ok && other.value.deviceIds?.length === 2, 'deviceIds set to other devices are all sent to');
  });

  it('refuses an empty, oversized or malformed device list, and devices with a group', () => {
    for (const msg of [
      { deviceIds: [] },
      { deviceIds: 'mdn:1' },
      { deviceIds: [null] },
      { deviceIds: [{ kind: 'mdn', id: '1' }] },
      { deviceIds: Array.from({ length: MAX_TARGET_DEVICES + 1 }, () => ({ kind: 'mdn', id: '15551230001' })) },
      { deviceIds: [{ kind: 'mdn', id: '15551230001' }], groupName: 'pumps' },
    ]) {
      assert.ok(!messageTarget(msg, 'mdn').ok, JSON.stringify(msg).slice(0, 60));
    }
  });

  it('takes a group, a service plan and custom fields together, custom fields as a list or an object', () => {
    assert.deepEqual(messageTarget({ groupName: 'pumps', servicePlan: 'IoT', customFields: { site: 'north' } }, 'mdn'), {
      ok: true,
      value: { groupName: 'pumps', servicePlan: 'IoT', customFields: [{ key: 'site', value: 'north' }] },
    });
    assert.ok(messageTarget({ customFields: [{ key: 'site', value: 'north' }] }, 'mdn').ok);
    assert.ok(!messageTarget({ customFields: [{ key: 'site', value: 3 }] }, 'mdn').ok);
    assert.ok(!messageTarget({ groupName: '  ' }, 'mdn').ok);
  });

  it('reads msg.topic as kind:id or as a bare id of the default kind, the last segment of a path', () => {
    assert.deepEqual(messageTarget({ topic: 'imei:356938035643809' }, 'mdn'), { ok: true, value: { deviceIds: [{ kind: 'imei', id: '356938035643809' }] } });
    assert.deepEqual(messageTarget({ topic: 'thingspace/0000123456-00001/sms/15551230001' }, 'mdn'), {
      ok: true,
      value: { deviceIds: [{ kind: 'mdn', id: '15551230001' }] },
    });
    assert.ok(!messageTarget({ topic: 'commands/pump-7' }, 'mdn').ok);
  });

  it('says where to put the target when the message names none', () => {
    const r = messageTarget({ payload: 'hi' }, 'mdn');
    assert.ok(!r.ok && /No target: set msg.deviceIds/.test(r.reason));
  });

  it("checks the node's own target at deploy", () => {
    const base = { type: 'device' as const, deviceKind: 'mdn', deviceId: '15551230001', groupName: '', servicePlan: '' };
    assert.deepEqual(configuredTarget(base), { ok: true, value: { deviceIds: [{ kind: 'mdn', id: '15551230001' }] } });
    assert.ok(!configuredTarget({ ...base, deviceId: 'x' }).ok);
    assert.deepEqual(configuredTarget({ ...base, type: 'group', groupName: 'pumps' }), { ok: true, value: { groupName: 'pumps' } });
    assert.ok(!configuredTarget({ ...base, type: 'servicePlan' }).ok);
    assert.deepEqual(configuredTarget({ ...base, type: 'msg' }), { ok: true, value: undefined });
  });
});

describe('message/send-request: one message as the body of POST /sms', () => {
  it("combines the text, the target and the node's encoding", () => {
    assert.deepEqual(sendRequest({ payload: 'PING', topic: 'mdn:15551230001' }, settings()), {
      ok: true,
      request: { deviceIds: [{ kind: 'mdn', id: '15551230001' }], smsMessage: 'PING', dataEncoding: '7-bit' },
    });
  });

  it('lets the message override encoding and time to live, and refuses an unknown encoding', () => {
    const r = sendRequest({ payload: 'Grüße', groupName: 'g', dataEncoding: '8-bit-UTF-8', timeToLive: 48 }, settings({ timeToLive: '2h' }));
    assert.deepEqual(r, { ok: true, request: { groupName: 'g', smsMessage: 'Grüße', dataEncoding: '8-bit-UTF-8', timeToLive: '48' } });
    const bad = sendRequest({ payload: 'x', groupName: 'g', dataEncoding: 'utf8' }, settings());
    assert.ok(!bad.ok && bad.code === 'BAD_INPUT' && /msg.dataEncoding must be one of 7-bit, 8-bit-ASCII, 8-bit-UTF-8, 8-bit-DATA/.test(bad.reason));
  });

  it("uses the node's target over the message's", () => {
    const fixed = { deviceIds: [{ kind: 'imei', id: '356938035643809' }] };
    const r = sendRequest({ payload: 'x', deviceIds: [{ kind: 'mdn', id: '15551230001' }] }, settings({ fixedTarget: fixed }));
    assert.ok(r.ok && r.request.deviceIds === fixed.deviceIds);
  });

  it('checks the text before the target, so an overlong text is SMS_TOO_LONG even without a target', () => {
    const r = sendRequest({ payload: 'x'.repeat(200) }, settings());
    assert.ok(!r.ok && r.code === 'SMS_TOO_LONG');
  });

  it('takes a time to live as short printable text or a positive number', () => {
    assert.equal(checkTimeToLive(undefined), '');
    assert.equal(checkTimeToLive(' 48h '), '48h');
    assert.equal(checkTimeToLive(72), '72');
    for (const bad of ['two days', 'x'.repeat(33), -1, {}]) assert.equal(typeof checkTimeToLive(bad), 'object', String(bad));
  });
});
