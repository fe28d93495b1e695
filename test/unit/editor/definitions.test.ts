import assert from 'assert';
import ts from 'typescript';
import { NODE_TYPES, NodeType, definitions, editorScript, editorTemplate, exists, read, tagProblems } from './editor-files';
import { checkAccountName } from '../../../nodes/lib/client/account';
import { checkCallbackUrl } from '../../../nodes/lib/client/callback-url';
import { checkListenPath } from '../../../nodes/lib/node-red/push-listener';
import { normaliseServer } from '../../../nodes/lib/client/config';
import { checkDeviceId, DEVICE_KINDS } from '../../../nodes/lib/message/sms-target';
import { checkTimeToLive } from '../../../nodes/lib/message/send-request';
import { AddressList, THINGSPACE_CALLBACK_SOURCES, parseAddressList } from '../../../nodes/lib/message/source-allow-list';

// What the node tables of docs/nodes.md fix: property names and their defaults.
const SPEC_DEFAULTS: Record<NodeType, Record<string, unknown>> = {
  'thingspace-config': {
    name: '',
    accountName: '',
    server: 'https://thingspace.verizon.com',
    restrictSources: false,
    allowedSources: '',
    trustedProxies: '',
    coordination: 'none',
    redisUrl: 'redis://127.0.0.1:6379',
    sentinels: '',
    sentinelMaster: 'mymaster',
    redisPrefix: 'thingspace-sms:',
    leaseTime: 15,
    instanceName: '',
  },
  'sms-queue-in': {
    name: '',
    thingspace: '',
    accountName: '',
    interval: 60,
    ackMode: 'auto',
    ackTimeout: 60,
    output: 'single',
    dedupe: true,
    topic: 'thingspace/{account}/sms/{id}',
    listen: '',
  },
  'start-callbacks': { name: '', thingspace: '', accountName: '', callbackUrl: '', onDeploy: false, deliveryNotices: false, deliveryUrl: '' },
  'sms-out': {
    name: '',
    thingspace: '',
    accountName: '',
    targetType: 'msg',
    deviceKind: 'mdn',
    deviceId: '',
    groupName: '',
    servicePlan: '',
    encoding: '7-bit',
    timeToLive: '',
    concurrency: 4,
    queueLimit: 1000,
    keep: '_msgid,correlationId',
    outcomeTimeout: 86400,
  },
};

/** Inputs and outputs of each flow node: sms-out has a second output for delivery outcomes. */
const PORTS: Record<string, [number, number]> = { 'sms-queue-in': [1, 1], 'start-callbacks': [1, 1], 'sms-out': [1, 2] };

const CREDENTIALS = {
  clientId: 'text',
  clientSecret: 'password',
  username: 'text',
  password: 'password',
  callbackUsername: 'text',
  callbackPassword: 'password',
  redisPassword: 'password',
  sentinelPassword: 'password',
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

function validate(def: Record<string, unknown>, prop: string, value: unknown, node: Record<string, unknown> = {}): boolean {
  const spec = (def.defaults as Record<string, { validate: (this: unknown, v: unknown) => unknown }>)[prop];
  return spec.validate.call({ _: (key: string) => key, ...node }, value) === true;
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
          assert.deepStrictEqual([def.inputs, def.outputs], PORTS[type]);
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
      for (const ok of [
        'https://thingspace.verizon.com',
        'http://127.0.0.1:43121',
        'http://localhost:8080/',
        'http://[::1]:9000',
        'https://mock.thingspace.verizon.com',
      ]) {
        assert.ok(validate(def, 'server', ok), ok);
      }
      for (const bad of [
        'http://thingspace.verizon.com',
        'http://10.0.0.1',
        'ftp://127.0.0.1',
        'thingspace.verizon.com',
        'https://user:secret@thingspace.verizon.com',
        'https://thingspace.verizon.com/?x=1',
        '',
      ]) {
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

  describe('the account a flow node names (sms-queue-in, start-callbacks, sms-out)', () => {
    const NAMES = [
      '0000123456-00002',
      ' 0000123456-00002 ',
      'ab',
      'abc',
      'a'.repeat(32),
      'a'.repeat(33),
      '0000123456 00001',
      '0000123456_00001',
      'acct/..',
      '%2F',
    ];
    for (const type of ['sms-queue-in', 'start-callbacks', 'sms-out'] as const) {
      const def = definitions(type).get(type)!;

      it(`${type}: empty means the config node's account; else 3 to 32 letters, digits or hyphens, explained in words`, () => {
        assert.ok(validate(def, 'accountName', ''));
        assert.ok(validate(def, 'accountName', '0000123456-00002'));
        for (const bad of ['ab', '0000123456 00001', 'a'.repeat(33), 'acct/..']) assert.ok(!validate(def, 'accountName', bad), bad);
        const spec = (def.defaults as Record<string, { validate: (this: unknown, v: unknown, o: unknown) => unknown }>).accountName;
        assert.strictEqual(spec.validate.call({ _: (key: string) => key }, 'ab', {}), `${type}.errors.accountName`);
      });

      it(`${type}: judges an account name as the runtime does (nodes/lib/client/account.ts), after trimming`, () => {
        for (const name of NAMES) {
          let runtime = true;
          try {
            checkAccountName(name.trim());
          } catch {
            runtime = false;
          }
          assert.strictEqual(validate(def, 'accountName', name), runtime, name);
        }
      });
    }
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

    it('judges a listen path as the runtime does (nodes/lib/node-red/push-listener.ts)', () => {
      for (const path of ['', '/thingspace/sms', 'sms', '/a/b/', '/sms/:id', '/sms/*', '/a b', '//', '/ü', `/${'a'.repeat(200)}`]) {
        let runtime = true;
        try {
          checkListenPath(path);
        } catch {
          runtime = false;
        }
        assert.strictEqual(validate(def, 'listen', path), runtime, path);
      }
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

describe('editor node definitions: sms-out and the callback sources', () => {
  const out = definitions('sms-out').get('sms-out')!;
  const cfg = definitions('thingspace-config').get('thingspace-config')!;

  it('judges a device id of each kind as the runtime does (nodes/lib/message/sms-target.ts)', () => {
    const ids = [
      '5551230001',
      '15551230001',
      '555123000',
      '356938035643809',
      '89148000001234567890',
      '12345678901',
      'A1B2C3D4',
      'A1000038000042',
      '89049032000001000000012345678901',
      '555-0100',
      '',
      'abc',
    ];
    for (const kind of DEVICE_KINDS) {
      for (const id of ids) {
        assert.strictEqual(validate(out, 'deviceId', id, { targetType: 'device', deviceKind: kind }), checkDeviceId(kind, id).ok, `${kind} ${id}`);
      }
    }
    assert.ok(validate(out, 'deviceId', 'anything', { targetType: 'msg' }), 'only checked when the node names one device');
  });

  it('asks for a group or a service plan only when that is the target', () => {
    assert.ok(!validate(out, 'groupName', ' ', { targetType: 'group' }));
    assert.ok(validate(out, 'groupName', '', { targetType: 'device' }));
    assert.ok(!validate(out, 'servicePlan', '', { targetType: 'servicePlan' }));
  });

  it('judges encodings, limits and the time to live as the runtime does', () => {
    for (const e of ['7-bit', '8-bit-ASCII', '8-bit-UTF-8', '8-bit-DATA']) assert.ok(validate(out, 'encoding', e), e);
    assert.ok(!validate(out, 'encoding', 'UCS-2'));
    for (const [v, ok] of [
      [4, true],
      ['64', true],
      [0, false],
      [65, false],
      ['2.5', false],
    ] as const)
      assert.strictEqual(validate(out, 'concurrency', v), ok, String(v));
    for (const v of ['', '48h', '5', 'two days', 'x'.repeat(33)]) assert.strictEqual(validate(out, 'timeToLive', v), typeof checkTimeToLive(v) === 'string', v);
  });

  it('judges the allowed sources and trusted proxies as the runtime does (nodes/lib/message/source-allow-list.ts)', () => {
    const lists = [
      '',
      THINGSPACE_CALLBACK_SOURCES.join('\n'),
      '10.0.0.0/8, 192.0.2.1',
      '2001:db8::/32',
      '::1',
      '10.0.0.0/33',
      '256.1.1.1',
      'example.com',
      '1.2.3',
      '2001:db8::/129',
      '3.87.163.45;34.216.81.234',
      '1:2::3::4',
    ];
    for (const text of lists) {
      const runtime = parseAddressList(text) instanceof AddressList;
      assert.strictEqual(validate(cfg, 'allowedSources', text), runtime, text);
      assert.strictEqual(validate(cfg, 'trustedProxies', text), runtime, text);
    }
  });

  it("prefills the allow-list with the addresses the runtime knows as ThingSpace's", () => {
    const script = read('nodes', 'thingspace-config.html');
    for (const address of THINGSPACE_CALLBACK_SOURCES) assert.ok(script.includes(`'${address}'`), address);
  });
});

// URLs on which the editor's validators and the runtime's checks must agree.
const CALLBACK_URLS = [
  'https://example.com:9001/sms',
  'http://127.0.0.1:1880/thingspace/sms',
  'https://[2001:db8::1]:50551/x',
  ' https://example.com/sms ',
  'example.com/sms',
  'ftp://example.com',
  'https://u:p@example.com/sms',
  'https://u@example.com/sms',
  'https://:p@example.com/',
  'mailto:ops@example.com',
  'http://',
  'https:///path',
  'javascript:alert(1)',
  'https://example.com/sms?x=1#f',
];
const SERVER_URLS = [
  'https://thingspace.verizon.com',
  'https://thingspace.verizon.com/',
  'https://mock.thingspace.verizon.com/api',
  'http://127.0.0.1:43121',
  'http://localhost:8080/',
  'http://[::1]:9000',
  'http://127.0.0.300',
  'http://10.0.0.1',
  'http://thingspace.verizon.com',
  'ftp://127.0.0.1',
  'thingspace.verizon.com',
  'https://user:secret@thingspace.verizon.com',
  'https://thingspace.verizon.com/?x=1',
  'https://thingspace.verizon.com/#x',
  ' https://thingspace.verizon.com ',
];
