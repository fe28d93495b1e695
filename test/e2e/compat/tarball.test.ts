// The tarball a user installs from the palette manager: everything Node-RED needs to load,
// translate and show the nodes, the examples and the simulator CLI, and nothing of the
// repository's own (tests, CI, local user dirs, sources, caches).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { ROOT, packPackage } from '../harness';
import { LANGS, TYPES } from './served';

/** Every path a published file may have. Anything else in the tarball is a packaging leak. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^examples\/[^/]+\.json$/,
  /^dist\/nodes\/[^/]+\.(js|html)$/,
  /^dist\/nodes\/lib\/.+\.js$/,
  /^dist\/nodes\/locales\/[^/]+\/[^/]+\.(json|html)$/,
  /^dist\/nodes\/icons\/[^/]+\.(svg|png)$/,
  /^dist\/simulator\/[^/]+\.js$/,
];

interface Pkg {
  files: string[];
  bin?: Record<string, string>;
  'node-red': { nodes: Record<string, string> };
}

describe('the published tarball', () => {
  let files: string[];
  let size: number;
  let pkg: Pkg;

  before(function () {
    this.timeout(60_000);
    const tgz = packPackage();
    size = fs.statSync(tgz).size;
    files = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '' && !l.endsWith('/'))
      .map((l) => l.replace(/^package\//, ''))
      .sort();
    pkg = JSON.parse(fs.readFileSync(`${ROOT}/package.json`, 'utf8')) as Pkg;
    console.log(`      tarball: ${files.length} files, ${(size / 1024).toFixed(1)} KiB packed`);
  });

  it('holds nothing but the runtime, editor files, examples, LICENSE and README', () => {
    const leaks = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    assert.deepEqual(leaks, []);
  });

  it('holds no tests, CI files, user dirs, caches or TypeScript sources', () => {
    const bad = files.filter(
      (f) =>
        /(^|\/)(test|tests|\.ci|\.github|\.e2e|\.node-red|\.bench|bench|\.build|node_modules|test-results)(\/|$)/.test(f) ||
        /\.(ts|map|tgz|log)$/.test(f) ||
        /^(settings\.js|flows(_cred)?\.json|\.config\..*\.json|\.flows.*\.json)$|(^|\/)(\.npmrc|\.env)$/.test(f),
    );
    assert.deepEqual(bad, []);
  });

  it('holds every node file package.json declares, with its editor HTML beside it', () => {
    for (const [type, js] of Object.entries(pkg['node-red'].nodes)) {
      assert.ok(files.includes(js), `${type}: ${js}`);
      assert.ok(files.includes(js.replace(/\.js$/, '.html')), `${type}: ${js.replace(/\.js$/, '.html')}`);
    }
    assert.deepEqual(Object.keys(pkg['node-red'].nodes).sort(), [...TYPES].sort());
  });

  it('holds a catalog and help for every node in every language, both icons, the examples and the CLI', () => {
    for (const lang of LANGS) {
      for (const type of TYPES) {
        assert.ok(files.includes(`dist/nodes/locales/${lang}/${type}.json`), `${lang}/${type}.json`);
        assert.ok(files.includes(`dist/nodes/locales/${lang}/${type}.html`), `${lang}/${type}.html`);
      }
    }
    for (const icon of fs.readdirSync(`${ROOT}/icons`)) assert.ok(files.includes(`dist/nodes/icons/${icon}`), icon);
    for (const ex of fs.readdirSync(`${ROOT}/examples`)) assert.ok(files.includes(`examples/${ex}`), ex);
    for (const bin of Object.values(pkg.bin ?? {})) assert.ok(files.includes(bin.replace(/^\.\//, '')), bin);
    for (const f of ['LICENSE', 'README.md', 'package.json']) assert.ok(files.includes(f), f);
  });

  it('stays small: under 155 files and 250 KiB packed', () => {
    // Four nodes, one small module per concern (docs/architecture.md), the simulator and the examples;
    // 150 until the activity board, metrics and health paths (docs/operations.md) added three.
    assert.ok(files.length < 155, `${files.length} files`);
    assert.ok(size < 250 * 1024, `${size} bytes`);
  });
});
