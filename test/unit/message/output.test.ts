import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import type { SmsMessage } from '../../../nodes/lib/types';
import { compileTopic } from '../../../nodes/lib/message/topic';
import { deviceMap, toBatchMessage, toSingleMessage, type SingleContext } from '../../../nodes/lib/message/output';

const ACCOUNT = '0000123456-00001';
const topic = compileTopic();

function sample(): SmsMessage {
  return {
    deviceIds: [
      { kind: 'mdn', id: '5551230001' },
      { kind: 'IMEI', id: '356938035643809' },
    ],
    message: 'T=21.4C BAT=88',
    timestamp: '2024-05-02T09:15:07-07:00',
  };
}

function queueCtx(over: Partial<SingleContext> = {}): SingleContext {
  return { accountName: ACCOUNT, source: 'queue', topic, block: 'b7', index: 3, key: 'k-abc', ...over };
}

describe('message/output', () => {
  describe('deviceMap', () => {
    it('maps lower-case kind to id', () => {
      assert.deepEqual(deviceMap(sample().deviceIds), { mdn: '5551230001', imei: '356938035643809' });
    });

    it('keeps the first id when a kind repeats, whatever its case', () => {
      const map = deviceMap([
        { kind: 'esn', id: '60E5F99D' },
        { kind: 'ESN', id: '1234' },
        { kind: 'mdn', id: '1' },
      ]);
      assert.deepEqual(map, { esn: '60E5F99D', mdn: '1' });
    });

    it('keeps kinds that collide with Object.prototype names as ordinary entries', () => {
      const map = deviceMap([
        { kind: 'constructor', id: '1' },
        { kind: '__proto__', id: '2' },
      ]);
      assert.equal(map.constructor, '1');
      assert.deepEqual(Object.keys(map), ['constructor', '__proto__']);
      assert.equal(Object.getPrototypeOf(map), Object.prototype);
    });

    it('gives an empty object for no ids', () => {
      assert.deepEqual(deviceMap([]), {});
    });
  });

  describe('toSingleMessage', () => {
    it('builds exactly the single-mode fields the README lists for a queued SMS', () => {
      const msg = toSingleMessage(sample(), queueCtx());
      assert.deepEqual(msg, {
        payload: 'T=21.4C BAT=88',
        topic: 'thingspace/0000123456-00001/sms/5551230001',
        deviceIds: [
          { kind: 'mdn', id: '5551230001' },
          { kind: 'IMEI', id: '356938035643809' },
        ],
        device: { mdn: '5551230001', imei: '356938035643809' },
        timestamp: '2024-05-02T09:15:07-07:00',
        thingspace: { accountName: ACCOUNT, source: 'queue', block: 'b7', index: 3, key: 'k-abc' },
      });
    });

    it('adds receivedAt and timestampLocal for a callback SMS that had no timestamp', () => {
      const msg = toSingleMessage(sample(), queueCtx({ source: 'callback', receivedAt: '2024-05-02T16:15:08.000Z', timestampLocal: true }));
      assert.deepEqual(msg.thingspace, {
        accountName: ACCOUNT,
        source: 'callback',
        block: 'b7',
        index: 3,
        key: 'k-abc',
        receivedAt: '2024-05-02T16:15:08.000Z',
        timestampLocal: true,
      });
    });

    it('leaves timestampLocal out when the callback body had its own timestamp', () => {
      const msg = toSingleMessage(sample(), queueCtx({ source: 'callback', receivedAt: 'x', timestampLocal: false }));
      assert.equal('timestampLocal' in msg.thingspace, false);
      assert.equal(msg.thingspace.receivedAt, 'x');
    });

    it('carries nothing from the context but the documented fields (no credentials can leak)', () => {
      const ctx = { ...queueCtx(), password: 'cb-secret', username: 'cb-user' } as SingleContext;
      const msg = toSingleMessage(sample(), ctx);
      assert.ok(!JSON.stringify(msg).includes('cb-secret'));
      assert.ok(!JSON.stringify(msg).includes('cb-user'));
    });

    it('hands out its own deviceIds, so a flow editing them cannot change the SMS kept for re-delivery', () => {
      const s = sample();
      const msg = toSingleMessage(s, queueCtx());
      msg.deviceIds[0].id = 'changed';
      msg.deviceIds.pop();
      assert.deepEqual(s.deviceIds, sample().deviceIds);
    });

    it('can be sent as a Node-RED message without a cast', () => {
      const msg: NodeMessage = toSingleMessage(sample(), queueCtx());
      assert.equal(msg.payload, 'T=21.4C BAT=88');
    });
  });

  describe('toBatchMessage', () => {
    it('builds one message per block with single-mode objects without thingspace', () => {
      const second: SmsMessage = { deviceIds: [{ kind: 'iccid', id: '89148000000800139708' }], message: 'door open', timestamp: '2024-05-02T09:16:40-07:00' };
      const msg = toBatchMessage([{ sms: sample() }, { sms: second }], { accountName: ACCOUNT, source: 'queue', topic, block: 'b9' });
      assert.deepEqual(msg, {
        payload: [
          {
            payload: 'T=21.4C BAT=88',
            topic: 'thingspace/0000123456-00001/sms/5551230001',
            deviceIds: [
              { kind: 'mdn', id: '5551230001' },
              { kind: 'IMEI', id: '356938035643809' },
            ],
            device: { mdn: '5551230001', imei: '356938035643809' },
            timestamp: '2024-05-02T09:15:07-07:00',
          },
          {
            payload: 'door open',
            topic: 'thingspace/0000123456-00001/sms/89148000000800139708',
            deviceIds: [{ kind: 'iccid', id: '89148000000800139708' }],
            device: { iccid: '89148000000800139708' },
            timestamp: '2024-05-02T09:16:40-07:00',
          },
        ],
        topic: 'thingspace/0000123456-00001/sms',
        thingspace: { accountName: ACCOUNT, source: 'queue', block: 'b9', index: -1, count: 2 },
      });
    });

    it('accepts consumer items as they come (extra key and ref are ignored)', () => {
      const items = [{ sms: sample(), key: 'k1', ref: { block: 'b1', index: 0 } }];
      const msg: NodeMessage = toBatchMessage(items, { accountName: ACCOUNT, source: 'callback', topic, block: 'b1' });
      assert.equal((msg.payload as unknown[]).length, 1);
      assert.equal(JSON.stringify(msg).includes('k1'), false);
    });

    it('sends an empty block as an empty array with count 0', () => {
      const msg = toBatchMessage([], { accountName: ACCOUNT, source: 'queue', topic, block: 'b0' });
      assert.deepEqual(msg.payload, []);
      assert.equal(msg.thingspace.count, 0);
    });
  });
});
