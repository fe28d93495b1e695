// The Flow Library scorecard (`node-red-dev validate`, node-red-dev 0.1.6, files
// src/libs/checkpackage.js, checknodes.js, checkdeps.js of node-red/node-red-dev-cli) applied
// offline. The tool fetches catalogue.nodered.org (P08, N01) and the npm registry (P06, P07,
// D02, D03); here the registry facts come from what npm installed for this repository, and the
// catalogue-wide checks are narrowed to the Node-RED modules at hand. Each rule says which.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// semver, as the tool uses it: the copy npm installed for node-red (no typings of its own).
interface SemVer {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
  validRange(range: string): string | null;
}

export interface Pkg {
  name: string;
  version: string;
  license?: string;
  repository?: string | { type?: string; url?: string; directory?: string };
  bugs?: string | { url?: string; email?: string };
  keywords?: string[];
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  'node-red'?: { version?: string; nodes?: Record<string, string> };
}

export interface Result {
  id: string;
  pass: boolean;
  detail: string;
  /** How this repository decides it: the tool's own rule, or a narrower offline form of it. */
  how: 'same rule' | 'narrowed offline';
}

export interface Facts {
  root: string;
  pkg: Pkg;
  /** Node-RED releases to be compatible with (the tool: the npm dist-tags latest + maintenance). */
  nodeRedVersions: string[];
  /** engines.node of the newest Node-RED (the tool: of the dist-tag latest). */
  latestNodeRedEngines: string;
  /** Node types of Node-RED's core and of other Node-RED modules installed here. */
  otherTypes: Map<string, string>;
  /** Unscoped names of other Node-RED modules installed here. */
  otherModules: string[];
  /** package-lock.json `packages`. */
  lock: Record<string, { version?: string; dev?: boolean; devOptional?: boolean }>;
}

/** checkdeps.js reads these from its own badpackages.json: packages known to break Node-RED. */
export const BAD_PACKAGES: Record<string, string> = { 'agent-base': '<6.0.0' };

/** checkpackage.js: packages of the Node-RED project may use the node-red- prefix. */
const SCOPED = /@[a-z\d][\w-.]+\/[a-z\d][\w-.]*/;
const RESERVED_PREFIX = /^(node-red|nodered)(?!-contrib-).*/i;

export function semver(root: string): SemVer {
  return createRequire(path.join(root, 'node_modules', 'node-red', 'package.json'))('semver') as SemVer;
}

/** registerType('<type>', { ... category: '<c>' ... }) in each <script type="text/javascript">. */
export function definedTypes(html: string): Array<{ type: string; category?: string }> {
  const out: Array<{ type: string; category?: string }> = [];
  const blocks = html.matchAll(/<script[^>]+type=['"]text\/javascript['"][^>]*>([\s\S]*?)<\/script>/gi);
  for (const [, js] of blocks) {
    const calls = [...js.matchAll(/registerType\(\s*(['"])([^'"]+)\1\s*,\s*\{/g)];
    calls.forEach((m, i) => {
      const body = js.slice(m.index, calls[i + 1]?.index);
      out.push({ type: m[2], category: /\bcategory\s*:\s*(['"])([^'"]+)\1/.exec(body)?.[2] });
    });
  }
  return out;
}

function url(v: Pkg['repository'] | Pkg['bugs']): string {
  if (!v) return '';
  if (typeof v === 'string') return v;
  return ('url' in v && v.url) || ('email' in v && v.email) || '';
}

export function scorecard(f: Facts): Result[] {
  const { pkg, root } = f;
  const sv = semver(root);
  const results: Result[] = [];
  const add = (id: string, pass: boolean, detail: string, how: Result['how'] = 'same rule') => results.push({ id, pass, detail, how });
  const unscoped = pkg.name.split('/').slice(-1)[0];

  // P01: a license. (The tool only looks at package.json; a user also needs the text.)
  add(
    'P01',
    !!pkg.license && fs.existsSync(path.join(root, 'LICENSE')),
    `license ${pkg.license ?? 'none'}, LICENSE file ${fs.existsSync(path.join(root, 'LICENSE')) ? 'present' : 'missing'}`,
  );

  // P02: the package in the repository has the same name (no fork under another name). Disabled
  // in node-red-dev 0.1.6 (it needed a clone); here: the repository URL names this package.
  const repo = url(pkg.repository);
  add('P02', new RegExp(`/${unscoped}(\\.git)?/?$`).test(repo), `repository ${repo || 'none'}`, 'narrowed offline');

  // P03: a repository or a bugs URL/email.
  add('P03', !!repo || !!url(pkg.bugs), `repository ${repo || 'none'}, bugs ${url(pkg.bugs) || 'none'}`);

  // P04: a scoped name, or one that does not take the node-red prefix without -contrib-.
  add('P04', SCOPED.test(pkg.name) || !RESERVED_PREFIX.test(pkg.name), pkg.name);

  // P05: "node-red" among the keywords (the Flow Library lists packages by it).
  add('P05', !!pkg.keywords?.includes('node-red'), `keywords ${(pkg.keywords ?? []).join(', ')}`);

  // P06: node-red.version declared and satisfied by the supported Node-RED releases.
  const nrRange = pkg['node-red']?.version;
  const compatible = nrRange ? f.nodeRedVersions.filter((v) => sv.satisfies(v, nrRange)) : [];
  add(
    'P06',
    !!nrRange && sv.validRange(nrRange) !== null && compatible.length === f.nodeRedVersions.length,
    `node-red.version ${nrRange ?? 'none'}; satisfied by ${compatible.join(', ') || 'none'} of ${f.nodeRedVersions.join(', ')}`,
    'narrowed offline',
  );

  // P07: engines.node declared and admitting the minimum Node of the newest Node-RED.
  const min = sv.minVersion(f.latestNodeRedEngines)?.version ?? '';
  const engines = pkg.engines?.node;
  add('P07', !!engines && sv.satisfies(min, engines), `engines.node ${engines ?? 'none'}; newest Node-RED needs ${f.latestNodeRedEngines}`, 'narrowed offline');

  // P08: no package of the same name in another scope (the tool: the whole Flow Library).
  const same = f.otherModules.filter((m) => m.split('/').slice(-1)[0] === unscoped);
  add(
    'P08',
    same.length === 0,
    same.length ? `same name: ${same.join(', ')}` : `no other ${unscoped} among ${f.otherModules.length} Node-RED modules here`,
    'narrowed offline',
  );

  // N01: node type names not taken by another module (the tool: the whole Flow Library).
  const defs = Object.values(pkg['node-red']?.nodes ?? {}).flatMap((js) => {
    const html = path.join(root, js.replace('.js', '.html'));
    return fs.existsSync(html) ? definedTypes(fs.readFileSync(html, 'utf8')) : [];
  });
  const clashes = defs.filter((d) => f.otherTypes.has(d.type)).map((d) => `${d.type} (${f.otherTypes.get(d.type)})`);
  add(
    'N01',
    defs.length > 0 && clashes.length === 0,
    clashes.length ? `taken: ${clashes.join(', ')}` : `${defs.map((d) => d.type).join(', ')} are ours alone`,
    'narrowed offline',
  );

  // N02: an example using each node that is not a config node.
  const exDir = path.join(root, 'examples');
  const exampleTypes = new Set<string>();
  const unreadable: string[] = [];
  if (fs.existsSync(exDir)) {
    for (const file of fs.readdirSync(exDir, { recursive: true }) as string[]) {
      if (path.extname(file) !== '.json') continue;
      try {
        for (const n of JSON.parse(fs.readFileSync(path.join(exDir, file), 'utf8')) as Array<{ type: string }>) exampleTypes.add(n.type);
      } catch {
        unreadable.push(file);
      }
    }
  }
  const needing = defs.filter((d) => d.category !== 'config').map((d) => d.type);
  const without = needing.filter((t) => !exampleTypes.has(t));
  add(
    'N02',
    needing.length > 0 && without.length === 0 && unreadable.length === 0,
    `examples for ${needing.filter((t) => exampleTypes.has(t)).join(', ')}${without.length ? `; none for ${without.join(', ')}` : ''}${unreadable.length ? `; unreadable ${unreadable.join(', ')}` : ''}`,
  );

  // D01: 6 dependencies or fewer (the Flow Library's 95th percentile in 2021).
  const deps = Object.keys(pkg.dependencies ?? {});
  add('D01', deps.length <= 6, `${deps.length} dependencies`);

  // D02: no known-bad package anywhere in the production dependency tree (from the lockfile).
  const prod = Object.entries(f.lock).filter(([k, v]) => k.startsWith('node_modules/') && !v.dev && !v.devOptional);
  const bad = prod
    .map(([k, v]) => ({ name: k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length), version: v.version ?? '' }))
    .filter((p) => BAD_PACKAGES[p.name] !== undefined && sv.satisfies(p.version, BAD_PACKAGES[p.name]))
    .map((p) => `${p.name}@${p.version}`);
  add('D02', bad.length === 0, bad.length ? `bad: ${bad.join(', ')}` : `${prod.length} production packages, none known bad`, 'narrowed offline');

  // D03: production dependencies up to date. The tool asks the registry for "latest"; offline,
  // each range must admit the version the lockfile installs (so `npm ci` gets what package.json says).
  const stale = deps.filter((d) => {
    const locked = f.lock[`node_modules/${d}`]?.version;
    return !locked || !sv.satisfies(locked, pkg.dependencies![d]);
  });
  add(
    'D03',
    stale.length === 0,
    deps.map((d) => `${d} ${pkg.dependencies![d]} -> ${f.lock[`node_modules/${d}`]?.version ?? 'not locked'}`).join(', '),
    'narrowed offline',
  );

  return results;
}
