import assert from 'assert';
import ts from 'typescript';
import { NODE_TYPES, NodeType, definitions, editorScript, editorTemplate, exists, read, tagProblems } from './editor-files';
import { checkCallbackUrl } from '../../../nodes/lib/client/callback-url';
import { normaliseServer } from '../../../nodes/lib/client/config';

// What the README's node tables fix: property names and their defaults.
const SPEC_DEFAULTS: Record<NodeType, Record<string, unknown>> = {
  'thingspace-config': {
    name: '', accountName: '', server: 'https://thingspace.verizon.com',
    coordination: 'none', redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'thingspace-sms:', leaseTime: 15, instanceName: '',
  },
  'sms-queue-in': {
    name: '', thingspace: '', interval: 60, ackMode: 'auto', ackTimeout: 60, output: 'single', dedupe: true,
    topic: 'thingspace/{account}/sms/{id}',
  },
  'start-callbacks': { name: '', thingspace: '', callbackUrl: '', onDeploy: false },
};

const CREDENTIALS = {
  clientId: 'text', clientSecret: 'password', username: 'text', password: 'password',
  callbackUsername: 'text', callbackPassword: 'password', redisPassword: 'password',
};

/** The registerType calls as the Flow Library scorecard reads them: from the syntax tree, not by running. */
function registerCalls(type: NodeType): ts.CallExpression[] {
  const file = ts.createSourceFile(`${type}.js`, editorScript(type), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const calls: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'registerType') {
      calls.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  return calls;
}

function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) {
      return p.initializer;
    }
  }
  return undefined;
}

function validate(def: Record<string, unknown>, prop: string, value: unknown): boolean {
  const spec = (def.defaults as Record<string, { validate: (this: unknown, v: unknown) => unknown }>)[prop];
  return spec.validate.call({ _: (key: string) => key }, value) === true;
}

describe('editor node definitions', () => {
  for (const type of NODE_TYPES) {
    describe(type, () => {
      it('registers itself with one literal RED.nodes.registerType call the scorecard can read', () => {
        const calls = registerCalls(type);
        assert.strictEqual(calls.length, 1);
        const [name, def] = calls[0].arguments;
        assert.ok(ts.isStringLiteral(name) && name.text === type, 'first argument is the type as a string literal');
        assert.ok(ts.isObjectLiteralExpression(def), 'second argument is an object literal');
        for (const key of ['category', 'color']) {
          assert.ok(ts.isStringLiteral(property(def, key)!), `${key} is a string literal`);
        }
        assert.ok(ts.isObjectLiteralExpression(property(def, 'defaults')!), 'defaults is inline');
        if (type === 'thingspace-config') {
          assert.ok(ts.isObjectLiteralExpression(property(def, 'credentials')!), 'credentials is inline');
        } else {
          for (const key of ['inputs', 'outputs']) {
            assert.ok(ts.isNumericLiteral(property(def, key)!), `${key} is a number literal`);
          }
          assert.ok(ts.isStringLiteral(property(def, 'icon')!), 'icon is a string literal');
        }
      });

      it('has exactly the properties and defaults of the spec', () => {
        const def = definitions(type).get(type)!;
        const defaults = def.defaults as Record<string, { value: unknown }>;
        const actual = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, v.value]));
        assert.deepStrictEqual(actual, SPEC_DEFAULTS[type]);
      });

      it('sits in the ThingSpace family: category, colour and an icon that exists', () => {
        const def = definitions(type).get(type)!;
        if (type === 'thingspace-config') {
          assert.strictEqual(def.category, 'config');
        } else {
          assert.strictEqual(def.category, 'ThingSpace');
          assert.deepStrictEqual([def.inputs, def.outputs], [1, 1]);
          assert.ok(exists('icons', def.icon as string), `icons/${String(def.icon)}`);
          assert.match(read('icons', def.icon as string), /viewBox="0 0 40 60"/);
          assert.strictEqual((def.defaults as Record<string, { type?: string }>).thingspace.type, 'thingspace-config');
        }
        assert.strictEqual(def.color, '#E8A39B');
      });

      it('has a well-formed edit dialog', () => {
        assert.deepStrictEqual(tagProblems(editorTemplate(type)), []);
      });

      it('uses theme colours only (no fixed colour besides the node colour)', () => {
        const html = read('nodes', `${type}.html`).replace(/^\s*color: '#[0-9A-Fa-f]{6}',$/m, '');
        assert.doesNotMatch(html, /(?<![\w-])#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?(?![\w-])|rgba?\(/);
      });
    });
  }

  describe('thingspace-config', () => {
    const def = definitions('thingspace-config').get('thingspace-config')!;

    it('keeps every secret in credentials, passwords as password fields', () => {
      const creds = def.credentials as Record<string, { type: string }>;
      const actual = Object.fromEntries(Object.entries(creds).map(([k, v]) => [k, v.type]));
      assert.deepStrictEqual(actual, CREDENTIALS);
    });

    it('accepts account names of 3 to 32 letters, digits and hyphens, leading zeros kept', () => {
      assert.ok(validate(def, 'accountName', '0000123456-00001'));
      assert.ok(!validate(def, 'accountName', 'ab'));
      assert.ok(!validate(def, 'accountName', '0000123456 00001'));
      assert.ok(!validate(def, 'accountName', 'a'.repeat(33)));
    });

    it('accepts https anywhere but plain http only on a loopback host', () => {
      for (const ok of ['https://thingspace.verizon.com', 'http://127.0.0.1:43121', 'http://localhost:8080/',
        'http://[::1]:9000', 'https://mock.thingspace.verizon.com']) {
        assert.ok(validate(def, 'server', ok), ok);
      }
      for (const bad of ['http://thingspace.verizon.com', 'http://10.0.0.1', 'ftp://127.0.0.1', 'thingspace.verizon.com',
        'https://user:secret@thingspace.verizon.com', 'https://thingspace.verizon.com/?x=1', '']) {
        assert.ok(!validate(def, 'server', bad), bad);
      }
    });

    it('judges a server URL as the runtime does (nodes/lib/client/config.ts)', () => {
      for (const url of SERVER_URLS) {
        let runtime = true;
        try {
          normaliseServer(url);
        } catch {
          runtime = false;
        }
        assert.strictEqual(validate(def, 'server', url), runtime, url);
      }
    });
  });

  describe('sms-queue-in', () => {
    const def = definitions('sms-queue-in').get('sms-queue-in')!;

    it('accepts a poll interval of 0 or more seconds', () => {
      for (const ok of [0, '0', 60, '2.5']) assert.ok(validate(def, 'interval', ok), String(ok));
      for (const bad of [-1, '', 'soon']) assert.ok(!validate(def, 'interval', bad), String(bad));
    });

    it('accepts an ack timeout only above 0 seconds', () => {
      assert.ok(validate(def, 'ackTimeout', '60'));
      for (const bad of [0, '-5', '', 'x']) assert.ok(!validate(def, 'ackTimeout', bad), String(bad));
    });

    it('accepts only the known ack modes and outputs', () => {
      assert.ok(validate(def, 'ackMode', 'manual') && !validate(def, 'ackMode', 'sometimes'));
      assert.ok(validate(def, 'output', 'batch') && !validate(def, 'output', 'stream'));
    });

    it('explains a failed validation in words, not just a red border', () => {
      const spec = (def.defaults as Record<string, { validate: (this: unknown, v: unknown) => unknown }>).interval;
      assert.strictEqual(spec.validate.call({ _: (key: string) => key }, -1), 'sms-queue-in.errors.interval');
    });
  });

  describe('start-callbacks', () => {
    const def = definitions('start-callbacks').get('start-callbacks')!;

    it('accepts an empty listener URL or an absolute http(s) URL without credentials', () => {
      for (const ok of ['', 'https://example.com:9001/sms', 'http://127.0.0.1:1880/thingspace/sms']) {
        assert.ok(validate(def, 'callbackUrl', ok), ok);
      }
      for (const bad of ['example.com/sms', 'ftp://example.com', 'https://u:p@example.com/sms']) {
        assert.ok(!validate(def, 'callbackUrl', bad), bad);
      }
    });

    it('judges a listener URL as the runtime does (nodes/lib/client/callback-url.ts)', () => {
      for (const url of CALLBACK_URLS) {
        assert.strictEqual(validate(def, 'callbackUrl', url), checkCallbackUrl(url).ok, url);
      }
    });
  });
});

// URLs on which the editor's validators and the runtime's checks must agree.
const CALLBACK_URLS = [
  'https://example.com:9001/sms', 'http://127.0.0.1:1880/thingspace/sms', 'https://[2001:db8::1]:50551/x',
  ' https://example.com/sms ', 'example.com/sms', 'ftp://example.com', 'https://u:p@example.com/sms',
  'https://u@example.com/sms', 'https://:p@example.com/', 'mailto:ops@example.com', 'http://', 'https:///path',
  'javascript:alert(1)', 'https://example.com/sms?x=1#f',
];
const SERVER_URLS = [
  'https://thingspace.verizon.com', 'https://thingspace.verizon.com/', 'https://mock.thingspace.verizon.com/api',
  'http://127.0.0.1:43121', 'http://localhost:8080/', 'http://[::1]:9000', 'http://127.0.0.300', 'http://10.0.0.1',
  'http://thingspace.verizon.com', 'ftp://127.0.0.1', 'thingspace.verizon.com', 'https://user:secret@thingspace.verizon.com',
  'https://thingspace.verizon.com/?x=1', 'https://thingspace.verizon.com/#x', ' https://thingspace.verizon.com ',
];
