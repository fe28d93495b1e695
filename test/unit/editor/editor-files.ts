// Reads the editor side of the package (nodes/*.html, locales/, icons/) from the source tree.
// The compiled test runs from .build/<x>/test/unit/editor or dist/test/unit/editor, so the project root is
// found by walking up to the package.json that sits beside nodes/*.html.
import fs from 'fs';
import path from 'path';
import vm from 'vm';

export const NODE_TYPES = ['thingspace-config', 'sms-queue-in', 'start-callbacks', 'sms-out'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export const LANGS = ['en-US', 'de'] as const;
export type Lang = (typeof LANGS)[number];

function findRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'nodes', 'sms-queue-in.html'))) {
      const name = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name;
      if (name === 'node-red-contrib-thingspace-sms') return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`project root not found above ${__dirname}`);
    dir = up;
  }
}

export const ROOT = findRoot();

export function read(...parts: string[]): string {
  return fs.readFileSync(path.join(ROOT, ...parts), 'utf8');
}

export function exists(...parts: string[]): boolean {
  return fs.existsSync(path.join(ROOT, ...parts));
}

export interface ScriptBlock {
  type: string;
  attrs: string;
  body: string;
}

/** Every top-level `<script ...>...</script>` of an HTML file, with its type attribute. */
export function scriptBlocks(html: string): ScriptBlock[] {
  const blocks: ScriptBlock[] = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const type = /\btype=["']([^"']+)["']/i.exec(m[1])?.[1] ?? '';
    blocks.push({ type, attrs: m[1], body: m[2] });
  }
  return blocks;
}

export function editorScript(type: NodeType): string {
  const js = scriptBlocks(read('nodes', `${type}.html`)).filter((b) => b.type === 'text/javascript');
  if (js.length !== 1) throw new Error(`${type}.html: expected one text/javascript block, found ${js.length}`);
  return js[0].body;
}

export function editorTemplate(type: NodeType): string {
  const blocks = scriptBlocks(read('nodes', `${type}.html`)).filter(
    (b) => b.type === 'text/html' && new RegExp(`data-template-name=["']${type}["']`).test(b.attrs),
  );
  if (blocks.length !== 1) throw new Error(`${type}.html: expected one data-template-name block, found ${blocks.length}`);
  return blocks[0].body;
}

/** Catalog keys as dotted paths, e.g. `sms-queue-in.status.polling` -> its text. */
export function catalog(lang: Lang, type: NodeType): Map<string, string> {
  const flat = new Map<string, string>();
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value === 'string') {
      flat.set(prefix, value);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      throw new Error(`${lang}/${type}.json: ${prefix} is neither text nor a group`);
    }
  };
  walk(JSON.parse(read('locales', lang, `${type}.json`)), '');
  return flat;
}

/** The `__name__` interpolation variables a catalog text expects. */
export function variables(text: string): string[] {
  return [...text.matchAll(/__([A-Za-z0-9]+)__/g)].map((m) => m[1]).sort();
}

/** i18n keys an editor file refers to: data-i18n attributes and `._('...')` calls. */
export function keysUsed(type: NodeType): string[] {
  const html = read('nodes', `${type}.html`);
  const keys = new Set<string>();
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of m[1].split(';')) keys.add(part.replace(/^\[[^\]]+\]/, '').trim());
  }
  for (const m of html.matchAll(/\._\(\s*'([^']+)'/g)) keys.add(m[1]);
  return [...keys].sort();
}

/** The definition object each file registers, by running its script against a stub RED. */
export function definitions(type: NodeType): Map<string, Record<string, unknown>> {
  const defs = new Map<string, Record<string, unknown>>();
  const RED = {
    nodes: {
      registerType: (t: string, def: Record<string, unknown>) => defs.set(t, def),
      node: () => null,
    },
    validators: {
      regex: (re: RegExp) => (v: unknown) => re.test(String(v)),
    },
    _: (key: string) => key,
  };
  vm.runInNewContext(editorScript(type), { RED, URL }, { filename: `nodes/${type}.html` });
  return defs;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** Problems with tag nesting in an HTML fragment (not a full parser: enough for our templates and help). */
export function tagProblems(fragment: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/?)>/g;
  for (let m = re.exec(fragment); m; m = re.exec(fragment)) {
    const [, closing, rawName, selfClosing] = m;
    const name = rawName.toLowerCase();
    if (VOID.has(name) || selfClosing) continue;
    if (!closing) {
      stack.push(name);
    } else if (stack[stack.length - 1] === name) {
      stack.pop();
    } else {
      problems.push(`</${name}> at ${m.index} closes <${stack[stack.length - 1] ?? 'nothing'}>`);
      return problems;
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}
