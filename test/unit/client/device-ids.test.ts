// The one device-id reader behind history answers and pushed callback bodies.
import assert from 'node:assert/strict';
import { FROM_CALLBACK, FROM_HISTORY, MAX_DEVICE_IDS, readDeviceIds, type DeviceIdRules } from '../../../nodes/lib/client/device-ids';
import type { DeviceId } from '../../../nodes/lib/types';

function read(raw: unknown, rules: DeviceIdRules, field = 'deviceIds'): DeviceId[] {
  const ids = readDeviceIds(raw, field, rules);
  if (typeof ids === 'string') assert.fail(`expected ids, got the reason: ${ids}`);
  return ids;
}

function reason(raw: unknown, rules: DeviceIdRules, field = 'deviceIds'): string {
  const ids = readDeviceIds(raw, field, rules);
  if (typeof ids !== 'string') assert.fail(`expected a reason, got ${JSON.stringify(ids)}`);
  return ids;
}

const BOTH: [string, DeviceIdRules][] = [
  ['a history answer', FROM_HISTORY],
  ['a callback body', FROM_CALLBACK],
];

describe('client/device-ids', () => {
  describe('in a history answer', () => {
    it('returns a clean list itself, with its own objects: nothing is allocated', () => {
      const list = JSON.parse('[{"kind":"mdn","id":"15551230001"},{"kind":"imei","id":"356938035643809"}]') as unknown[];
      const ids = read(list, FROM_HISTORY);
      assert.equal(ids, list);
      assert.equal(ids[1], list[1]);
    });

    it('copies from the first entry that needs it, and keeps the clean ones before it', () => {
      const list = [
        { kind: 'mdn', id: '1' },
        { kind: 'esn', id: 60123, extra: true },
        { kind: 'imei', id: '3' },
      ];
      const ids = read(list, FROM_HISTORY);
      assert.notEqual(ids, list);
      assert.deepEqual(ids, [
        { kind: 'mdn', id: '1' },
        { kind: 'esn', id: '60123' },
        { kind: 'imei', id: '3' },
      ]);
      assert.equal(ids[0], list[0], 'the clean entry before is kept');
      assert.equal(ids[2], list[2], 'and so is the clean entry after');
    });

    it('takes no bounds: an unusual id must not hold the whole queue back', () => {
      const many = Array.from({ length: MAX_DEVICE_IDS + 1 }, (_, i) => ({ kind: 'mdn', id: String(i) }));
      assert.equal(read(many, FROM_HISTORY).length, MAX_DEVICE_IDS + 1);
      assert.equal(read([{ kind: 'eid', id: '8'.repeat(200) }], FROM_HISTORY)[0].id.length, 200);
    });
  });

  describe('in a callback body', () => {
    it('copies every entry, clean or not: the body belongs to the flow', () => {
      const list = [{ kind: 'mdn', id: '1' }];
      const ids = read(list, FROM_CALLBACK);
      assert.deepEqual(ids, list);
      assert.notEqual(ids, list);
      assert.notEqual(ids[0], list[0]);
    });

    it('refuses absurd counts and lengths, saying which', () => {
      const many = Array.from({ length: MAX_DEVICE_IDS + 1 }, (_, i) => ({ kind: 'mdn', id: String(i) }));
      assert.match(reason(many, FROM_CALLBACK), /101 entries, more than the 100 accepted/);
      assert.match(reason([{ kind: 'k'.repeat(33), id: '1' }], FROM_CALLBACK), /deviceIds\[0\] has a kind longer than 32/);
      assert.match(
        reason(
          [
            { kind: 'mdn', id: '1' },
            { kind: 'mdn', id: '9'.repeat(129) },
          ],
          FROM_CALLBACK,
        ),
        /deviceIds\[1\] has an id longer than 128/,
      );
    });
  });

  for (const [where, rules] of BOTH) {
    describe(`the same rules in ${where}`, () => {
      it('turns numeric ids and kinds into their decimal strings', () => {
        assert.deepEqual(
          read(
            [
              { kind: 'esn', id: 60123 },
              { kind: 7, id: '1' },
            ],
            rules,
          ),
          [
            { kind: 'esn', id: '60123' },
            { kind: '7', id: '1' },
          ],
        );
      });

      it('reads the SOAP-like Kind and Identifier (or identifier), and keeps kinds as received', () => {
        assert.deepEqual(
          read(
            [
              { Kind: 'ESN', Identifier: '60E5F99D' },
              { Kind: 'mdn', identifier: '1' },
            ],
            rules,
            'Device',
          ),
          [
            { kind: 'ESN', id: '60E5F99D' },
            { kind: 'mdn', id: '1' },
          ],
        );
      });

      it('takes one {kind, id} object for a list of one', () => {
        assert.deepEqual(read({ kind: 'iccid', id: '89148000000800139708' }, rules), [{ kind: 'iccid', id: '89148000000800139708' }]);
      });

      it('keeps only kind and id', () => {
        assert.deepEqual(read([{ kind: 'mdn', id: '1', note: 'x' }], rules), [{ kind: 'mdn', id: '1' }]);
      });

      const bad: [string, unknown, RegExp][] = [
        ['a string', '15551230001', /^deviceIds is a string, expected an array of \{kind, id\}$/],
        ['null', null, /^deviceIds is null/],
        ['an empty list', [], /^deviceIds is an empty array: no device ids$/],
        ['an entry that is not an object', [{ kind: 'mdn', id: '1' }, 'imei:2'], /^deviceIds\[1\] is a string, expected \{kind, id\}$/],
        ['an entry without kind', [{ id: '1' }], /^deviceIds\[0\] has no kind$/],
        ['an empty kind', [{ kind: '', id: '1' }], /^deviceIds\[0\] has no kind$/],
        ['an entry without id', [{ kind: 'mdn' }], /^deviceIds\[0\] has no id$/],
        ['an id that is an object', [{ kind: 'mdn', id: { n: 1 } }], /^deviceIds\[0\] has no id$/],
        ['an id that is not a finite number', [{ kind: 'mdn', id: Infinity }], /^deviceIds\[0\] has no id$/],
      ];
      for (const [name, raw, why] of bad) {
        it(`refuses ${name}, naming the field and entry`, () => {
          assert.match(reason(raw, rules), why);
        });
      }
    });
  }
});
