import assert from 'assert';
import { LANGS, NODE_TYPES, exists, read, scriptBlocks, tagProblems } from './editor-files';

// Node-RED's help style guide: a summary paragraph, then these sections in this order.
// The German core nodes name the first two "Eingangsdaten" and "Ausgangsdaten".
const SECTIONS = {
  'en-US': ['Inputs', 'Outputs', 'Details', 'References'],
  de: ['Eingangsdaten', 'Ausgangsdaten', 'Details', 'Referenzen'],
} as const;

const ERROR_CODES = [
  'CREDENTIALS_REJECTED',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'NETWORK',
  'TIMEOUT',
  'BAD_RESPONSE',
  'BAD_CONFIG',
  'BAD_INPUT',
  'CALLBACK_UNAUTHORIZED',
  'ANOTHER_READER',
  'COORDINATION_UNAVAILABLE',
];

function help(lang: (typeof LANGS)[number], type: string): string {
  const blocks = scriptBlocks(read('locales', lang, `${type}.html`)).filter(
    (b) => b.type === 'text/html' && new RegExp(`data-help-name=["']${type}["']`).test(b.attrs),
  );
  assert.strictEqual(blocks.length, 1, `locales/${lang}/${type}.html: one data-help-name="${type}" block`);
  return blocks[0].body;
}

function section(body: string, heading: string): string {
  const start = body.indexOf(`<h3>${heading}</h3>`);
  const next = body.indexOf('<h3>', start + 1);
  return body.slice(start, next === -1 ? undefined : next);
}

describe('editor help', () => {
  for (const type of NODE_TYPES) {
    for (const lang of LANGS) {
      describe(`${type} (${lang})`, () => {
        it('lives in locales/<lang>/<type>.html, not in the node file', () => {
          assert.ok(exists('locales', lang, `${type}.html`));
          assert.ok(!read('nodes', `${type}.html`).includes('data-help-name'), `nodes/${type}.html carries help`);
        });

        it('opens with a summary paragraph, then the style guide sections in order', () => {
          const body = help(lang, type);
          assert.match(body.trimStart(), /^<p>/);
          const headings = [...body.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
          assert.deepStrictEqual(headings, [...SECTIONS[lang]]);
        });

        it('is well formed', () => {
          assert.deepStrictEqual(tagProblems(help(lang, type)), []);
        });

        if (type !== 'thingspace-config') {
          it('lists its message properties in dl.message-properties', () => {
            const body = help(lang, type);
            for (const heading of SECTIONS[lang].slice(0, 2)) {
              assert.match(section(body, heading), /<dl class="message-properties">/, heading);
            }
          });
        }
      });
    }
  }

  for (const lang of LANGS) {
    describe(`sms-queue-in (${lang})`, () => {
      it('documents every output property of single mode', () => {
        const outputs = section(help(lang, 'sms-queue-in'), SECTIONS[lang][1]);
        for (const prop of ['payload', 'topic', 'deviceIds', 'device', 'timestamp', 'thingspace']) {
          assert.match(outputs, new RegExp(`<dt>${prop} <span class="property-type">`), prop);
        }
        assert.match(outputs, /<span class="property-type">array<\/span>/, 'batch payload array');
      });

      it('lists every error code of our own', () => {
        const details = section(help(lang, 'sms-queue-in'), 'Details');
        const missing = ERROR_CODES.filter((code) => !details.includes(`<code>${code}</code>`));
        assert.deepStrictEqual(missing, []);
      });

      it('explains the final block and the persistent context store', () => {
        const details = section(help(lang, 'sms-queue-in'), 'Details');
        assert.match(details, /contextStorage/);
      });
    });

    it(`sms-out (${lang}) lists its own error codes and explains SEND_UNCERTAIN`, () => {
      const details = section(help(lang, 'sms-out'), 'Details');
      for (const code of ['SMS_TOO_LONG', 'BAD_INPUT', 'SEND_UNCERTAIN', 'QUEUE_FULL']) assert.ok(details.includes(`<code>${code}</code>`), code);
      assert.match(details, /SMSDeliveryConfirmation/);
    });

    it(`thingspace-config (${lang}) warns about the five-login lockout`, () => {
      assert.match(help(lang, 'thingspace-config'), lang === 'de' ? /Fünf fehlgeschlagene Anmeldungen/ : /Five failed logins/);
    });
  }
});
