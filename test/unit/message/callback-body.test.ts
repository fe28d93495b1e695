import assert from 'node:assert/strict';
import {
  parseCallbackBody,
  looksLikeCallbackBody,
  redactCallbackBody,
  MAX_TEXT_LENGTH,
  type CallbackParseResult,
} from '../../../nodes/lib/message/callback-body';
import { MAX_DEVICE_IDS } from '../../../nodes/lib/client/device-ids';

const RECEIVED = new Date('2024-05-02T16:15:08.000Z');
const IDS = [
  { kind: 'mdn', id: '5551230001' },
  { kind: 'meid', id: 'A1000038F1B2C3' },
];
const TEXT = 'T=21.4C';
const STAMP = '2024-05-02T09:15:07-07:00';
const EXPECTED = { deviceIds: IDS, message: TEXT, timestamp: STAMP };

function parse(body: unknown, expected?: { username?: string; password?: string }): CallbackParseResult {
  return parseCallbackBody(body, { receivedAt: RECEIVED, expected });
}

function ok(body: unknown, expected?: { username?: string; password?: string }) {
  const r = parse(body, expected);
  if (!r.ok) assert.fail(`expected ok, got ${r.code}: ${r.reason}`);
  return r;
}

function fails(body: unknown, code: 'BAD_INPUT' | 'CALLBACK_UNAUTHORIZED', reason: RegExp, expected?: { username?: string; password?: string }) {
  const r = parse(body, expected);
  if (r.ok) assert.fail('expected a failure, got ok');
  assert.equal(r.code, code);
  assert.match(r.reason, reason);
  return r;
}

describe('message/callback-body', () => {
  describe('accepted shapes', () => {
    const shapes: [string, unknown][] = [
      [
        'the working-assumption envelope of api 6.2 (ids top level, smsResponse)',
        {
          username: 'u',
          password: 'p',
          requestId: 'r-1',
          deviceIds: IDS,
          smsResponse: { message: TEXT, timestamp: STAMP },
          callbackCount: 1,
          maxCallbackThreshold: 4,
        },
      ],
      ['the history shape itself', { deviceIds: IDS, message: TEXT, timestamp: STAMP }],
      ['text in smsMessage', { deviceIds: IDS, smsMessage: TEXT, timestamp: STAMP }],
      ['text in sms', { deviceIds: IDS, sms: TEXT, timestamp: STAMP }],
      ['text in a nested sms.message', { deviceIds: IDS, sms: { message: TEXT }, timestamp: STAMP }],
      [
        'ids and text nested in a *Response object (NIDD MO style)',
        {
          requestId: 'r-2',
          niddResponse: { accountName: '0000123456-00001', deviceIds: IDS, message: TEXT, timestamp: STAMP },
          status: 'Success',
        },
      ],
      ['ids nested in smsResponse, text at top level', { message: TEXT, timestamp: STAMP, smsResponse: { deviceIds: IDS } }],
    ];
    for (const [name, body] of shapes) {
      it(`reads ${name}`, () => {
        const r = ok(body);
        assert.deepEqual(r.sms, EXPECTED);
        assert.equal(r.timestampLocal, false);
      });
    }

    it('reads a body given as a JSON string', () => {
      assert.deepEqual(ok(JSON.stringify({ deviceIds: IDS, message: TEXT, timestamp: STAMP })).sms, EXPECTED);
    });

    it('reads a body given as a Buffer', () => {
      assert.deepEqual(ok(Buffer.from(JSON.stringify({ deviceIds: IDS, smsResponse: { message: TEXT, timestamp: STAMP } }))).sms, EXPECTED);
    });

    it('reads the SOAP-like body with a Device array and stamps it with the receive time', () => {
      const r = ok({
        Username: 'u',
        Password: 'p',
        Device: [
          { Kind: 'mdn', Identifier: '5551230001' },
          { Kind: 'meid', Identifier: 'A1000038F1B2C3' },
        ],
        SmsMessage: TEXT,
      });
      assert.deepEqual(r.sms, { deviceIds: IDS, message: TEXT, timestamp: '2024-05-02T16:15:08.000Z' });
      assert.equal(r.timestampLocal, true);
    });

    it('reads the SOAP-like body with a single Device and inside an SmsCallbackRequest wrapper', () => {
      const r = ok({ SmsCallbackRequest: { Device: { Kind: 'ESN', Identifier: '60E5F99D' }, SmsMessage: 'hi' } });
      assert.deepEqual(r.sms.deviceIds, [{ kind: 'ESN', id: '60E5F99D' }]);
      assert.equal(r.sms.message, 'hi');
    });

    it('keeps kinds as received and stringifies numeric ids', () => {
      const r = ok({
        deviceIds: [
          { kind: 'MDN', id: 5551230001 },
          { kind: 'imei', id: '356938035643809' },
        ],
        message: TEXT,
      });
      assert.deepEqual(r.sms.deviceIds, [
        { kind: 'MDN', id: '5551230001' },
        { kind: 'imei', id: '356938035643809' },
      ]);
    });

    it('takes the first text field in the order message, smsMessage, sms, nested', () => {
      assert.equal(ok({ deviceIds: IDS, sms: 'c', smsMessage: 'b', message: 'a', smsResponse: { message: 'd' } }).sms.message, 'a');
      assert.equal(ok({ deviceIds: IDS, sms: 'c', smsMessage: 'b', smsResponse: { message: 'd' } }).sms.message, 'b');
      assert.equal(ok({ deviceIds: IDS, sms: 'c', smsResponse: { message: 'd' } }).sms.message, 'c');
      assert.equal(ok({ deviceIds: IDS, other: { message: 'e' }, smsResponse: { message: 'd' } }).sms.message, 'd');
    });

    it('accepts an empty SMS text: a device can send one', () => {
      assert.equal(ok({ deviceIds: IDS, message: '' }).sms.message, '');
    });

    it('stamps a body without timestamp with the receive time, marked local', () => {
      const r = ok({ deviceIds: IDS, message: TEXT });
      assert.equal(r.sms.timestamp, '2024-05-02T16:15:08.000Z');
      assert.equal(r.timestampLocal, true);
    });

    it('returns the requestId when the body has one', () => {
      assert.equal(ok({ requestId: 'abc-123', deviceIds: IDS, message: TEXT }).requestId, 'abc-123');
      assert.equal(ok({ deviceIds: IDS, message: TEXT }).requestId, undefined);
    });

    it("copies the device ids, not the body's own objects", () => {
      const body = { deviceIds: [{ kind: 'mdn', id: '1', extra: 'x' }], message: TEXT };
      const r = ok(body);
      assert.deepEqual(r.sms.deviceIds, [{ kind: 'mdn', id: '1' }]);
      assert.notEqual(r.sms.deviceIds[0], body.deviceIds[0]);
    });
  });

  describe('bodies that cannot be read as an SMS', () => {
    const cases: [string, unknown, RegExp][] = [
      ['undefined', undefined, /callback body is missing/],
      ['null', null, /callback body is null/],
      ['a number', 42, /callback body is a number/],
      ['an array', [{ deviceIds: IDS, message: TEXT }], /callback body is an array/],
      ['a non-JSON string', 'hello', /not valid JSON/],
      ['an empty string', '  ', /callback body is empty/],
      ['a JSON string that is not an object', '"x"', /callback body is a string, expected a JSON object/],
      ['an object without text', { deviceIds: IDS }, /no SMS text/],
      ['text that is a number', { deviceIds: IDS, message: 5 }, /no SMS text.*message is a number/],
      ['an object without device ids', { message: TEXT }, /no device ids/],
      ['deviceIds that is a string', { deviceIds: '5551230001', message: TEXT }, /deviceIds is a string/],
      ['an empty deviceIds array', { deviceIds: [], message: TEXT }, /deviceIds is an empty array/],
      ['a device id without kind', { deviceIds: [{ id: '1' }], message: TEXT }, /deviceIds\[0\] has no kind/],
      ['a device id without id', { deviceIds: [{ kind: 'mdn' }, { kind: 'imei' }], message: TEXT }, /deviceIds\[0\] has no id/],
      [
        'a device id that is an object id',
        {
          deviceIds: [
            { kind: 'mdn', id: '1' },
            { kind: 'imei', id: { x: 1 } },
          ],
          message: TEXT,
        },
        /deviceIds\[1\] has no id/,
      ],
      ['a device id entry that is a string', { deviceIds: ['mdn:1'], message: TEXT }, /deviceIds\[0\] is a string/],
      ['a numeric timestamp', { deviceIds: IDS, message: TEXT, timestamp: 1714666507000 }, /timestamp is a number/],
      ['text longer than 64 KiB', { deviceIds: IDS, message: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, /characters long, more than/],
      [
        'more than 100 device ids',
        { deviceIds: Array.from({ length: MAX_DEVICE_IDS + 1 }, (_, i) => ({ kind: 'mdn', id: String(i) })), message: TEXT },
        /101 entries, more than the 100/,
      ],
      ['an absurdly long id', { deviceIds: [{ kind: 'mdn', id: '1'.repeat(1000) }], message: TEXT }, /id longer than/],
      ['thousands of fields', Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i])), /more than 200 fields/],
      ['a raw body over 1 MiB', 'x'.repeat(2 * 1024 * 1024), /more than the 1048576 accepted/],
    ];
    for (const [name, body, reason] of cases) {
      it(`gives BAD_INPUT for ${name}, saying what is wrong`, () => {
        fails(body, 'BAD_INPUT', reason);
      });
    }
  });

  describe('callback credentials', () => {
    const creds = { username: 'cbuser', password: 'S3cret-pass' };
    const body = { deviceIds: IDS, message: TEXT, timestamp: STAMP };

    it('accepts a body carrying the configured username and password', () => {
      assert.deepEqual(ok({ ...body, username: 'cbuser', password: 'S3cret-pass' }, creds).sms, EXPECTED);
    });

    it('accepts SOAP-style Username and Password', () => {
      ok({ Username: 'cbuser', Password: 'S3cret-pass', Device: { Kind: 'mdn', Identifier: '1' }, SmsMessage: 'x' }, creds);
    });

    it('refuses a body without credentials, naming what is missing', () => {
      fails(body, 'CALLBACK_UNAUTHORIZED', /carries no callback username or password/, creds);
      fails({ ...body, username: 'cbuser' }, 'CALLBACK_UNAUTHORIZED', /carries no callback password$/, creds);
    });

    it('refuses a wrong password, a wrong username, and a password of another length alike', () => {
      for (const wrong of [
        { username: 'cbuser', password: 'S3cret-pasS' },
        { username: 'cbusex', password: 'S3cret-pass' },
        { username: 'cbuser', password: 'S3cret-pass-longer' },
        { username: 'cbuser', password: '' },
      ]) {
        fails({ ...body, ...wrong }, 'CALLBACK_UNAUTHORIZED', /^callback credentials do not match the ones configured$/, creds);
      }
    });

    it('checks only the password when only a password is configured', () => {
      ok({ ...body, password: 'S3cret-pass' }, { password: 'S3cret-pass' });
      fails({ ...body, username: 'any', password: 'nope' }, 'CALLBACK_UNAUTHORIZED', /do not match/, { password: 'S3cret-pass' });
    });

    it('treats empty configured credentials as none configured', () => {
      ok(body, { username: '', password: '' });
    });

    it('checks credentials before any other problem, so a stranger learns nothing about the parser', () => {
      fails({ message: TEXT }, 'CALLBACK_UNAUTHORIZED', /carries no callback/, creds);
      fails('not json', 'CALLBACK_UNAUTHORIZED', /unreadable/, creds);
      fails([1, 2], 'CALLBACK_UNAUTHORIZED', /an array/, creds);
      fails({ username: 'x', password: 'y', deviceIds: [] }, 'CALLBACK_UNAUTHORIZED', /do not match/, creds);
      // With the right credentials the real problem is reported.
      fails({ username: 'cbuser', password: 'S3cret-pass', message: TEXT }, 'BAD_INPUT', /no device ids/, creds);
    });

    it('never puts the expected or received password (or username) in a reason', () => {
      const results = [
        parse({ ...body, username: 'cbuser', password: 'Wrong-Guess-99' }, creds),
        parse({ ...body, username: 'cbuser', password: 'S3cret-pas' }, creds),
        parse({ ...body, password: 'Wrong-Guess-99' }, creds),
        parse({ username: 'cbuser', password: 'S3cret-pass', message: 'Wrong-Guess-99' }, creds),
        parse({ username: 'cbuser', password: 'S3cret-pass', deviceIds: 'Wrong-Guess-99', message: TEXT }, creds),
        parse({ deviceIds: IDS, message: { password: 'Wrong-Guess-99' } }),
      ];
      for (const r of results) {
        assert.equal(r.ok, false);
        const text = JSON.stringify(r);
        for (const secret of ['S3cret', 'Wrong-Guess', 'cbuser']) assert.ok(!text.includes(secret), `${text} leaks ${secret}`);
      }
    });

    it('keeps credentials out of the normalised SMS', () => {
      const r = ok({ ...body, username: 'cbuser', password: 'S3cret-pass' }, creds);
      assert.ok(!JSON.stringify(r).includes('S3cret'));
    });
  });

  describe('looksLikeCallbackBody', () => {
    it('recognises the REST, nested and SOAP shapes', () => {
      assert.equal(looksLikeCallbackBody({ deviceIds: IDS, message: TEXT }), true);
      assert.equal(looksLikeCallbackBody({ deviceIds: IDS, smsResponse: { message: TEXT } }), true);
      assert.equal(looksLikeCallbackBody({ niddResponse: { deviceIds: IDS, message: TEXT } }), true);
      assert.equal(looksLikeCallbackBody({ deviceIds: IDS, smsMessage: TEXT }), true);
      assert.equal(looksLikeCallbackBody({ Device: { Kind: 'mdn', Identifier: '1' }, SmsMessage: TEXT }), true);
      assert.equal(looksLikeCallbackBody({ SmsCallbackRequest: { Username: 'u', SmsMessage: TEXT } }), true);
    });

    it('does not take ordinary trigger payloads for callback bodies', () => {
      for (const payload of [
        undefined,
        null,
        '',
        'poll',
        1,
        true,
        [],
        [{ deviceIds: IDS, message: TEXT }],
        {},
        { message: 'hello' },
        { deviceIds: IDS },
        { topic: 'x', payload: 1 },
        Buffer.from('{}'),
      ]) {
        assert.equal(looksLikeCallbackBody(payload), false, JSON.stringify(payload));
      }
    });
  });

  describe('redactCallbackBody', () => {
    it('masks username and password (REST and SOAP) without touching the original', () => {
      const body = { username: 'u', password: 'p', deviceIds: IDS, message: TEXT };
      assert.deepEqual(redactCallbackBody(body), { username: '***', password: '***', deviceIds: IDS, message: TEXT });
      assert.equal(body.password, 'p');
      assert.deepEqual(redactCallbackBody({ SmsCallbackRequest: { Password: 'p', SmsMessage: 'x' } }), {
        SmsCallbackRequest: { Password: '***', SmsMessage: 'x' },
      });
      assert.equal(redactCallbackBody('raw'), 'raw');
    });
  });
});
