import assert from 'node:assert/strict';
import { GSM7_MAX_SEPTETS, MAX_8BIT_BYTES, checkSmsText, countGsm7 } from '../../../nodes/lib/message/send-request';

describe('message/gsm7: counting GSM 03.38 septets', () => {
  it('counts every character of the basic table as one septet', () => {
    const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    assert.equal([...basic].length, 127, 'the 128 codes but the escape');
    assert.equal(countGsm7(basic), 127);
  });

  it('counts each character of the extension table as two: ^ { } \\ [ ~ ] | € and form feed', () => {
    assert.equal(countGsm7('^{}\\[~]|€\f'), 20);
    assert.equal(countGsm7('a€b'), 4);
  });

  it('names the first character the alphabet lacks and its position in characters, an emoji counting one', () => {
    const refusal = (text: string): string | undefined => {
      const r = checkSmsText(text, '7-bit');
      return r.ok ? undefined : r.reason;
    };
    assert.match(refusal('ok 😀 ☃') ?? '', /^Character 4, "😀" \(U\+1F600\), is not in the GSM 7-bit alphabet/);
    assert.match(refusal('`') ?? '', /^Character 1, "`" \(U\+0060\),/);
    assert.match(refusal('ç') ?? '', /^Character 1, "ç"/, 'only the capital Ç is in the table');
  });

  it('the empty text takes no septet', () => {
    assert.equal(countGsm7(''), 0);
  });
});

describe('message/sms-text: a text against its encoding', () => {
  it('fits 160 septets in 7-bit, not 161; 80 euro signs, not 81', () => {
    assert.equal(GSM7_MAX_SEPTETS, 160);
    assert.deepEqual(checkSmsText('x'.repeat(160), '7-bit'), { ok: true, smsMessage: 'x'.repeat(160), used: 160, limit: 160 });
    const long = checkSmsText('x'.repeat(161), '7-bit');
    assert.ok(!long.ok && long.code === 'SMS_TOO_LONG' && /161 GSM 7-bit characters, more than the 160/.test(long.reason));
    assert.ok(checkSmsText('€'.repeat(80), '7-bit').ok);
    const euros = checkSmsText('€'.repeat(81), '7-bit');
    assert.ok(!euros.ok && euros.code === 'SMS_TOO_LONG');
  });

  it('refuses a character outside GSM in 7-bit as BAD_INPUT, naming it and suggesting UTF-8', () => {
    const r = checkSmsText('snow ☃', '7-bit');
    assert.ok(!r.ok);
    assert.equal(r.code, 'BAD_INPUT');
    assert.match(r.reason, /Character 6, "☃" \(U\+2603\), is not in the GSM 7-bit alphabet: choose 8-bit-UTF-8/);
    const tab = checkSmsText('a\tb', '7-bit');
    assert.ok(!tab.ok && /Character 2, U\+0009,/.test(tab.reason), 'an invisible character by its code point');
  });

  it('counts bytes in the 8-bit encodings: 140 at most', () => {
    assert.equal(MAX_8BIT_BYTES, 140);
    assert.ok(checkSmsText('ü'.repeat(70), '8-bit-UTF-8').ok, '70 two-byte characters');
    const utf8 = checkSmsText('ü'.repeat(70) + '!', '8-bit-UTF-8');
    assert.ok(!utf8.ok && utf8.code === 'SMS_TOO_LONG' && /141 bytes of UTF-8/.test(utf8.reason));
    assert.ok(checkSmsText('é'.repeat(140), '8-bit-ASCII').ok, 'Latin-1 fits one byte each');
    const ascii = checkSmsText('€', '8-bit-ASCII');
    assert.ok(!ascii.ok && ascii.code === 'BAD_INPUT');
  });

  it('takes bytes for 8-bit-DATA as a Buffer, sent base64-encoded', () => {
    assert.deepEqual(checkSmsText(Buffer.from([0, 1, 255]), '8-bit-DATA'), { ok: true, smsMessage: 'AAH/', used: 3, limit: 140 });
    const big = checkSmsText(Buffer.alloc(141), '8-bit-DATA');
    assert.ok(!big.ok && big.code === 'SMS_TOO_LONG');
    const text = checkSmsText('AAH/', '8-bit-DATA');
    assert.ok(!text.ok && text.code === 'BAD_INPUT' && /must be a Buffer/.test(text.reason));
  });

  it('sends numbers and booleans as written, and refuses empty, missing, objects and Buffers as text', () => {
    assert.deepEqual(checkSmsText(42, '7-bit'), { ok: true, smsMessage: '42', used: 2, limit: 160 });
    for (const bad of ['', undefined, { text: 'hi' }, Buffer.from('hi'), NaN]) {
      const r = checkSmsText(bad, '7-bit');
      assert.ok(!r.ok && r.code === 'BAD_INPUT', String(bad));
    }
    const buf = checkSmsText(Buffer.from('hi'), '7-bit');
    assert.ok(!buf.ok && /use 8-bit-DATA/.test(buf.reason));
  });
});
