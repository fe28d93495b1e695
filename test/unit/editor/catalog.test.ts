import assert from 'assert';
import { LANGS, NODE_TYPES, catalog, exists, keysUsed, read, variables } from './editor-files';

describe('editor message catalogs', () => {
  for (const type of NODE_TYPES) {
    describe(type, () => {
      it('has a catalog in every language, under the node type as its top-level key', () => {
        for (const lang of LANGS) {
          assert.ok(exists('locales', lang, `${type}.json`), `locales/${lang}/${type}.json is missing`);
          const top = Object.keys(JSON.parse(read('locales', lang, `${type}.json`)) as object);
          assert.deepStrictEqual(top, [type], `locales/${lang}/${type}.json`);
        }
      });

      it('defines every key its editor file uses, in every language', () => {
        const used = keysUsed(type);
        assert.ok(used.length > 10, `only ${used.length} keys found in nodes/${type}.html`);
        for (const lang of LANGS) {
          const texts = catalog(lang, type);
          const missing = used.filter((k) => !texts.has(k));
          assert.deepStrictEqual(missing, [], `missing in locales/${lang}/${type}.json`);
        }
      });

      it('has the same keys in German as in English', () => {
        const en = [...catalog('en-US', type).keys()].sort();
        const de = [...catalog('de', type).keys()].sort();
        assert.deepStrictEqual(de, en);
      });

      it('keeps the same __variables__ in each translation', () => {
        const en = catalog('en-US', type);
        const de = catalog('de', type);
        for (const [key, text] of en) {
          assert.deepStrictEqual(variables(de.get(key) ?? ''), variables(text), `${key}`);
        }
      });

      it('leaves no text empty', () => {
        for (const lang of LANGS) {
          for (const [key, text] of catalog(lang, type)) assert.ok(text.trim() !== '', `${lang} ${key}`);
        }
      });
    });
  }

  describe('status texts the runtime shows', () => {
    /** Every file that shows a status of the node, by path from the repository root. */
    const STATUS_SOURCES: Record<string, string[]> = {
      'sms-queue-in': [
        'nodes/sms-queue-in.ts',
        'nodes/lib/node-red/queue-in.ts',
        'nodes/lib/node-red/queue-status.ts',
        'nodes/lib/node-red/coordinated-reader.ts',
        'nodes/lib/node-red/unusable.ts',
      ],
      'start-callbacks': ['nodes/lib/node-red/unusable.ts', 'nodes/lib/node-red/callback-starter.ts'],
    };
    const required: Record<string, string[]> = {
      'sms-queue-in': [
        'polling',
        'received',
        'idle',
        'retrying',
        'waitingAck',
        'credentialsRejected',
        'stopped',
        'duplicateReader',
        'badConfig',
        'error',
        'listening',
      ],
      'start-callbacks': ['requesting', 'started', 'registering', 'failed', 'credentialsRejected'],
    };
    for (const [type, keys] of Object.entries(required)) {
      it(`${type} has every status the spec names, in every language`, () => {
        for (const lang of LANGS) {
          const texts = catalog(lang, type as 'sms-queue-in');
          const missing = keys.filter((k) => !texts.has(`${type}.status.${k}`));
          assert.deepStrictEqual(missing, [], `locales/${lang}/${type}.json`);
        }
      });

      // The runtime looks statuses up through a StatusLine made with the '<type>.status.'
      // prefix (nodes/lib/node-red/status.ts), as `x.t('key', {vars})` or `x.error('key', {vars})`.
      // A key it asks for that is missing shows the raw key; a __var__ it does not pass shows
      // as literal "__var__" in the status.
      it(`${type} defines each status key its runtime asks for, with the variables it passes`, () => {
        const files = STATUS_SOURCES[type];
        assert.ok(read('nodes', `${type}.ts`).includes(`'${type}.status.'`), `nodes/${type}.ts makes its StatusLine with the '${type}.status.' prefix`);
        const calls: RegExpMatchArray[] = [];
        for (const file of files) {
          const found = [...read(...file.split('/')).matchAll(/\.(?:t|error)\(\s*'(\w+)'\s*(?:,\s*\{([^}]*)\})?/g)];
          assert.ok(found.length > 0, `no .t('...') or .error('...') calls found in ${file}`);
          calls.push(...found);
        }
        for (const lang of LANGS) {
          const texts = catalog(lang, type as 'sms-queue-in');
          for (const [, key, vars] of calls) {
            const text = texts.get(`${type}.status.${key}`);
            assert.ok(text !== undefined, `${lang}: ${type}.status.${key} is missing`);
            const passed = (vars ?? '')
              .split(',')
              .map((p) => p.split(':')[0].trim())
              .filter((p) => /^\w+$/.test(p));
            const unfilled = variables(text).filter((v) => !passed.includes(v));
            assert.deepStrictEqual(unfilled, [], `${lang}: ${type}.status.${key} expects variables the runtime does not pass`);
          }
        }
      });
    }
  });
});
