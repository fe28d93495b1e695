// The Flow Library scorecard, offline: every check `node-red-dev validate` makes (P01-P08,
// N01-N02, D01-D03) must pass. See scorecard-rules.ts for what each check compares against here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../harness';
import { definedTypes, scorecard, type Facts, type Pkg } from './scorecard-rules';

/** The first Node-RED 5 release: `node-red.version` must admit it as well as the dev dependency. */
const NODE_RED_5 = '5.0.0';
/** engines.node of node-red@5 (its package.json); the tool reads it from the registry's latest. */
const NODE_RED_5_ENGINES = '>=22.9';

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function htmlFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.html')).map((f) => path.join(dir, f));
}

/** Types of Node-RED's core nodes and of every other Node-RED module in node_modules. */
function otherNodeRedModules(root: string): { types: Map<string, string>; modules: string[] } {
  const types = new Map<string, string>();
  const core = path.join(root, 'node_modules', '@node-red', 'nodes', 'core');
  for (const file of htmlFiles(core)) for (const d of definedTypes(fs.readFileSync(file, 'utf8'))) types.set(d.type, 'node-red core');

  const modules: string[] = [];
  const nm = path.join(root, 'node_modules');
  const dirs = fs.readdirSync(nm).flatMap((d) => (d.startsWith('@') ? fs.readdirSync(path.join(nm, d)).map((s) => `${d}/${s}`) : [d]));
  for (const dir of dirs) {
    const pj = path.join(nm, dir, 'package.json');
    if (!fs.existsSync(pj)) continue;
    const p = readJson<Pkg>(pj);
    if (!p['node-red']?.nodes) continue;
    modules.push(p.name);
    for (const js of Object.values(p['node-red'].nodes)) {
      const html = path.join(nm, dir, js.replace('.js', '.html'));
      if (fs.existsSync(html)) for (const d of definedTypes(fs.readFileSync(html, 'utf8'))) types.set(d.type, p.name);
    }
  }
  return { types, modules };
}

describe('the Flow Library scorecard (node-red-dev validate rules, offline)', () => {
  let facts: Facts;

  before(() => {
    const devNodeRed = readJson<{ version: string }>(path.join(ROOT, 'node_modules', 'node-red', 'package.json'));
    const others = otherNodeRedModules(ROOT);
    facts = {
      root: ROOT,
      pkg: readJson<Pkg>(path.join(ROOT, 'package.json')),
      nodeRedVersions: [devNodeRed.version, NODE_RED_5],
      latestNodeRedEngines: NODE_RED_5_ENGINES,
      otherTypes: others.types,
      otherModules: others.modules,
      lock: readJson<{ packages: Facts['lock'] }>(path.join(ROOT, 'package-lock.json')).packages,
    };
    assert.ok(facts.otherTypes.size > 20, `only ${facts.otherTypes.size} core node types found`);
  });

  it('finds the node types the way the tool does: literal registerType calls in the declared HTML', () => {
    const nodes = facts.pkg['node-red']?.nodes ?? {};
    const found = Object.values(nodes).flatMap((js) => definedTypes(fs.readFileSync(path.join(ROOT, js.replace('.js', '.html')), 'utf8')));
    assert.deepEqual(found.map((d) => d.type).sort(), Object.keys(nodes).sort());
    assert.equal(found.find((d) => d.type === 'thingspace-config')?.category, 'config');
  });

  it('passes every check: P01-P08, N01-N02, D01-D03', () => {
    const results = scorecard(facts);
    for (const r of results) console.log(`      ${r.pass ? 'pass' : 'FAIL'} ${r.id} (${r.how}): ${r.detail}`);
    assert.deepEqual(
      results.map((r) => r.id),
      ['P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03'],
    );
    assert.deepEqual(
      results.filter((r) => !r.pass).map((r) => `${r.id}: ${r.detail}`),
      [],
    );
  });

  it('fails the checks when the package breaks their rules', () => {
    const broken: Facts = {
      ...facts,
      pkg: {
        ...facts.pkg,
        name: 'node-red-thingspace',
        license: undefined,
        repository: undefined,
        bugs: undefined,
        keywords: ['sms'],
        engines: { node: '>=23' },
        dependencies: { a: '1', b: '1', c: '1', d: '1', e: '1', f: '1', 'agent-base': '^5.0.0' },
        'node-red': { version: '<4', nodes: facts.pkg['node-red']?.nodes },
      },
      otherTypes: new Map([...facts.otherTypes, ['sms-queue-in', 'someone-else']]),
      otherModules: ['@fork/node-red-thingspace'],
      lock: { ...facts.lock, 'node_modules/agent-base': { version: '5.1.1' } },
    };
    const failed = scorecard(broken)
      .filter((r) => !r.pass)
      .map((r) => r.id);
    assert.deepEqual(failed, ['P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'D01', 'D02', 'D03']);
  });
});
