import assert from 'assert';
import fs from 'fs';
import path from 'path';
import { ERROR_CODES } from '../../nodes/lib/client/errors';
import { ROOT } from './editor/editor-files';

// The README stays a five-minute read and the rest lives in docs/: every relative link
// between them must land on a file and a heading, and every error code must be documented.

const read = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), 'utf8');

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(rel);
    return e.name.endsWith('.md') ? [rel] : [];
  });
}

const withoutCode = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Set<string>();
  for (const m of withoutCode(text).matchAll(/^#+\s+(.+)$/gm)) {
    const slug = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    let name = slug;
    for (let i = 1; seen.has(name); i++) name = `${slug}-${i}`;
    seen.add(name);
  }
  return seen;
}

function relativeLinks(text: string): string[] {
  return [...withoutCode(text).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/i.test(t));
}

// Upper-case literals in nodes/ that are not error codes: a Node.js error code and a Redis event.
const NOT_OURS = new Set(['ERR_REQUIRE_ESM', 'MASTER_CHANGE']);

function codesRaised(dir: string): Set<string> {
  const codes = new Set<string>(Object.values(ERROR_CODES).filter((c) => c !== 'ABORTED'));
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) codesRaised(rel).forEach((c) => codes.add(c));
    else if (e.name.endsWith('.ts')) {
      for (const m of read(rel).matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) if (!NOT_OURS.has(m[1])) codes.add(m[1]);
    }
  }
  return codes;
}

describe('docs: the README and docs/', () => {
  const files = ['README.md', 'simulator/README.md', ...markdownFiles('docs')];

  it('keeps the README under 1,500 words (wc -w)', () => {
    const words = read('README.md').split(/\s+/).filter(Boolean).length;
    assert.ok(words <= 1500, `README.md has ${words} words`);
  });

  it('keeps the set-up commands CI and the quick start rely on', () => {
    const readme = read('README.md');
    assert.match(readme, /^npm install && npm start\b/m);
    assert.match(readme, /^npm install && npm test\b/m);
  });

  for (const file of files) {
    it(`${file}: every relative link names a file that exists, and a heading in it`, () => {
      const broken: string[] = [];
      for (const link of relativeLinks(read(file))) {
        const [target, anchor] = link.split('#');
        const rel = target ? path.posix.normalize(path.posix.join(path.posix.dirname(file), target)) : file;
        if (!fs.existsSync(path.join(ROOT, rel))) broken.push(`${link}: no file ${rel}`);
        else if (anchor && rel.endsWith('.md') && !anchors(read(rel)).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${rel}`);
      }
      assert.deepStrictEqual(broken, []);
    });
  }

  it('points the editor help at docs that exist, with their headings', () => {
    const repo = 'https://github.com/thingspace-sms/node-red-contrib-thingspace-sms';
    const broken: string[] = [];
    let seen = 0;
    for (const lang of fs.readdirSync(path.join(ROOT, 'locales'))) {
      for (const name of fs.readdirSync(path.join(ROOT, 'locales', lang))) {
        const text = read(`locales/${lang}/${name}`);
        for (const m of text.matchAll(/https:\/\/github\.com\/thingspace-sms\/node-red-contrib-thingspace-sms(?:\/blob\/main\/([^"#\s]+))?(?:#([\w-]+))?/g)) {
          seen++;
          const [file, anchor] = [m[1] ?? 'README.md', m[2] === 'readme' && !m[1] ? undefined : m[2]];
          if (!fs.existsSync(path.join(ROOT, file))) broken.push(`locales/${lang}/${name}: ${m[0]}`);
          else if (anchor && !anchors(read(file)).has(anchor)) broken.push(`locales/${lang}/${name}: ${m[0]}`);
        }
      }
    }
    assert.ok(seen > 0, `no link to ${repo} in locales/`);
    assert.deepStrictEqual(broken, []);
  });

  it('lists every error code the nodes raise in docs/errors.md, and names each in the README', () => {
    const table = new Set([...read('docs/errors.md').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    const readme = read('README.md');
    const raised = [...codesRaised('nodes')];
    assert.ok(raised.length >= 17, `only ${raised.length} codes found in nodes/`);
    assert.deepStrictEqual(
      raised.filter((c) => !table.has(c)),
      [],
      'raised but not in the docs/errors.md table',
    );
    assert.deepStrictEqual(
      [...table].filter((c) => !raised.includes(c)),
      [],
      'in docs/errors.md but raised nowhere',
    );
    assert.deepStrictEqual(
      [...table].filter((c) => !readme.includes(`\`${c}\``)),
      [],
      'not named in the README',
    );
  });
});
