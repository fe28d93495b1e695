// The layers of docs/architecture.md ("Layers"), checked on the sources: a layer imports only
// from the layers below it, and the simulator only the wire types.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './editor/editor-files';

/** Layer of a source file, by its path from the repository root. */
function layerOf(file: string): string | undefined {
  if (file === 'nodes/lib/types.ts') return 'types';
  const lib = /^nodes\/lib\/([^/]+)\//.exec(file);
  if (lib) return lib[1];
  if (/^nodes\/[^/]+\.ts$/.test(file)) return 'nodes';
  if (file.startsWith('simulator/')) return 'simulator';
  return undefined;
}

const MAY_IMPORT: Record<string, string[]> = {
  types: [],
  client: ['types'],
  retry: ['client', 'types'],
  message: ['client', 'types'],
  consumer: ['retry', 'message', 'client', 'types'],
  sender: ['retry', 'message', 'client', 'types'],
  coordination: ['consumer', 'types'],
  'node-red': ['coordination', 'consumer', 'sender', 'retry', 'message', 'client', 'types'],
  nodes: ['node-red', 'coordination', 'consumer', 'sender', 'retry', 'message', 'client', 'types'],
  simulator: ['types'],
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Relative imports of a file (static, dynamic and require), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
    found.push(fs.existsSync(path.join(ROOT, `${target}.ts`)) ? `${target}.ts` : target);
  }
  return found;
}

describe('architecture: the layers of docs/architecture.md', () => {
  const files = [...sources('nodes'), ...sources('simulator')];

  it('finds the sources of every layer', () => {
    const layers = new Set(files.map(layerOf));
    for (const layer of Object.keys(MAY_IMPORT)) assert.ok(layers.has(layer), `no source file in layer ${layer}`);
  });

  it('has no import that goes up or sideways', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === from && from !== 'nodes') continue;
        if (to === undefined || !MAY_IMPORT[from].includes(to)) wrong.push(`${file} -> ${target}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('keeps every node file thin (under 150 lines)', () => {
    const fat = sources('nodes')
      .filter((f) => layerOf(f) === 'nodes')
      .map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines >= 150);
    assert.deepEqual(fat, []);
  });
});

describe('architecture: coordination stays optional', () => {
  it('loads the Redis client in one place only, inside a function (never at module load)', () => {
    const users: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(rel);
        else if (
          entry.name.endsWith('.ts') &&
          /(?:from\s+|require\s*\(\s*)['"](?:redis|@redis\/[^'"]+)['"]/.test(fs.readFileSync(path.join(ROOT, rel), 'utf8'))
        )
          users.push(rel);
      }
    };
    walk('nodes');
    assert.deepEqual(users, ['nodes/lib/coordination/redis-link.ts']);
    const text = fs.readFileSync(path.join(ROOT, 'nodes/lib/coordination/redis-link.ts'), 'utf8');
    assert.doesNotMatch(text, /^import[^\n]*['"]redis['"]/m, 'no static import of redis');
    assert.match(text, /^\s{4,}const \{ createClient, createSentinel \} = require\('redis'\)/m, 'required inside a function');
  });

  it('keeps the config node from loading the coordination layer unless it is on', () => {
    const text = fs.readFileSync(path.join(ROOT, 'nodes/lib/node-red/coordination-config.ts'), 'utf8');
    assert.doesNotMatch(text, /^import (?!type)[^\n]*coordination\/coordinator/m);
  });
});
