import assert from 'node:assert/strict';
import type { SmsMessage } from '../../../nodes/lib/types';
import { compileTopic, DEFAULT_TOPIC_TEMPLATE, sanitizeTopicValue, sendingDevice, batchTopic } from '../../../nodes/lib/message/topic';

const ACCOUNT = '0000123456-00001';

function sms(deviceIds: { kind: string; id: string }[]): SmsMessage {
  return { deviceIds, message: 'T=21.4C', timestamp: '2024-05-02T09:15:07-07:00' };
}

describe('message/topic', () => {
  describe('compileTopic', () => {
    it('uses thingspace/{account}/sms/{id} by default', () => {
      assert.equal(DEFAULT_TOPIC_TEMPLATE, 'thingspace/{account}/sms/{id}');
      const topic = compileTopic();
      assert.equal(topic(ACCOUNT, sms([{ kind: 'mdn', id: '15551230001' }])), 'thingspace/0000123456-00001/sms/15551230001');
    });

    it('treats an empty template as the default', () => {
      assert.equal(compileTopic('')(ACCOUNT, sms([{ kind: 'mdn', id: '1' }])), 'thingspace/0000123456-00001/sms/1');
    });

    it('files an SMS under the mdn even when it is not the first id', () => {
      const topic = compileTopic('{kind}:{id}');
      const s = sms([
        { kind: 'imei', id: '356938035643809' },
        { kind: 'mdn', id: '5551230001' },
      ]);
      assert.equal(topic(ACCOUNT, s), 'mdn:5551230001');
    });

    it('finds the mdn whatever the case of its kind, and lower-cases {kind}', () => {
      const topic = compileTopic('{kind}/{id}');
      assert.equal(
        topic(
          ACCOUNT,
          sms([
            { kind: 'IMEI', id: '3569' },
            { kind: 'MDN', id: '555' },
          ]),
        ),
        'mdn/555',
      );
    });

    it('uses the first id when there is no mdn', () => {
      const topic = compileTopic('{kind}/{id}');
      assert.equal(
        topic(
          ACCOUNT,
          sms([
            { kind: 'ICCID', id: '8914' },
            { kind: 'imei', id: '3569' },
          ]),
        ),
        'iccid/8914',
      );
    });

    it('writes "unknown" for {kind} and {id} when an SMS names no device', () => {
      assert.equal(compileTopic('a/{kind}/{id}')(ACCOUNT, sms([])), 'a/unknown/unknown');
    });

    it('leaves unknown placeholders and stray braces as they are', () => {
      const topic = compileTopic('{site}/{account}/{id}/{ID}/{');
      assert.equal(topic('acc', sms([{ kind: 'mdn', id: '1' }])), '{site}/acc/1/{ID}/{');
    });

    it('expands a placeholder used more than once and a template with none', () => {
      assert.equal(compileTopic('{id}-{id}')(ACCOUNT, sms([{ kind: 'mdn', id: '7' }])), '7-7');
      assert.equal(compileTopic('fixed/topic')(ACCOUNT, sms([{ kind: 'mdn', id: '7' }])), 'fixed/topic');
    });

    it('follows a change of account between calls', () => {
      const topic = compileTopic('{account}');
      assert.equal(topic('a-1', sms([])), 'a-1');
      assert.equal(topic('b-2', sms([])), 'b-2');
    });

    it('cannot be steered into other topic levels or wildcards by a device id or kind', () => {
      const topic = compileTopic();
      assert.equal(topic(ACCOUNT, sms([{ kind: 'mdn', id: '123/cmd/#' }])), 'thingspace/0000123456-00001/sms/123_cmd__');
      assert.equal(topic(ACCOUNT, sms([{ kind: 'mdn', id: '+' }])), 'thingspace/0000123456-00001/sms/_');
      assert.equal(compileTopic('{kind}')(ACCOUNT, sms([{ kind: 'x/+#', id: '1' }])), 'x___');
    });
  });

  describe('sanitizeTopicValue', () => {
    it('replaces /, +, # and control characters with _', () => {
      assert.equal(sanitizeTopicValue('a/b+c#d\u0000e\nf\u007fg\u0085h'), 'a_b_c_d_e_f_g_h');
    });

    it('returns a clean value unchanged, including non-ASCII text', () => {
      assert.equal(sanitizeTopicValue('5551230001'), '5551230001');
      assert.equal(sanitizeTopicValue('Zürich-é'), 'Zürich-é');
    });
  });

  describe('sendingDevice and batchTopic', () => {
    it('returns undefined for no ids', () => {
      assert.equal(sendingDevice([]), undefined);
      assert.equal(sendingDevice(undefined), undefined);
    });

    it('gives batch messages the fixed topic thingspace/{account}/sms', () => {
      assert.equal(batchTopic(ACCOUNT), 'thingspace/0000123456-00001/sms');
      assert.equal(batchTopic('a/#'), 'thingspace/a__/sms');
    });
  });
});
