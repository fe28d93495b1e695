// What a running Node-RED serves the editor for this package, read back over the admin API:
// the node sets, the message catalogs, the node HTML (templates + help) and the examples.
import type { NodeRed } from '../harness';

export const MODULE = 'node-red-contrib-thingspace-sms';
export const TYPES = ['thingspace-config', 'sms-queue-in', 'start-callbacks', 'sms-out'] as const;
export const LANGS = ['en-US', 'de'] as const;

export interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
  version?: string;
}

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

export async function nodeSets(red: NodeRed): Promise<NodeSet[]> {
  const res = await ok(await red.api('GET', '/nodes', undefined, { Accept: 'application/json' }), 'GET /nodes');
  return (await res.json()) as NodeSet[];
}

/** GET /nodes/messages: every node set's catalog, keyed `<module>/<set>`, as the editor loads it. */
export async function catalogs(red: NodeRed, lng: string): Promise<Record<string, unknown>> {
  const res = await ok(await red.api('GET', `/nodes/messages?lng=${encodeURIComponent(lng)}`), 'GET /nodes/messages');
  return (await res.json()) as Record<string, unknown>;
}

/** Resolves a dotted key in a catalog; undefined when the editor would show the raw key. */
export function lookup(catalog: unknown, key: string): string | undefined {
  let v: unknown = catalog;
  for (const part of key.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === 'string' ? v : undefined;
}

/** GET /nodes as text/html: the HTML of every node set, the help in the requested language.
 *  Node-RED 4 picks the help language from Accept-Language (as a browser sends it), so both are given. */
export async function nodesHtml(red: NodeRed, lng: string): Promise<string> {
  const headers = { Accept: 'text/html', 'Accept-Language': lng };
  const res = await ok(await red.api('GET', `/nodes?lng=${encodeURIComponent(lng)}`, undefined, headers), 'GET /nodes html');
  return res.text();
}

/** The part of the served HTML that belongs to one of our node sets (Node-RED marks each set). */
export function setHtml(html: string, type: string): string {
  const marker = `<!-- --- [red-module:${MODULE}/${type}] --- -->`;
  const start = html.indexOf(marker);
  if (start < 0) throw new Error(`the served HTML has no section for ${MODULE}/${type}`);
  const next = html.indexOf('<!-- --- [red-module:', start + marker.length);
  return html.slice(start + marker.length, next < 0 ? undefined : next);
}

/** i18n keys the served HTML asks the editor to translate: data-i18n attributes, `._('...')` calls. */
export function keysIn(html: string): string[] {
  const keys = new Set<string>();
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of m[1].split(';')) keys.add(part.replace(/^\[[^\]]+\]/, '').trim());
  }
  for (const m of html.matchAll(/\._\(\s*['"]([^'"]+)['"]/g)) keys.add(m[1]);
  return [...keys].filter((k) => k !== '').sort();
}

/** The body of `<script type="text/html" data-help-name="<type>">`. */
export function helpOf(section: string, type: string): string | undefined {
  const re = new RegExp(`<script type="text/html" data-help-name="${type}">([\\s\\S]*?)</script>`);
  return re.exec(section)?.[1];
}

/** Text that is an untranslated catalog key of ours, e.g. `sms-queue-in.status.polling`. */
export const RAW_KEY = /\b(?:thingspace-config|sms-queue-in|start-callbacks|sms-out)\.[A-Za-z]+\.[A-Za-z.]+/;

/** GET /library/examples/flows/...: what Import > Examples lists and loads. */
export async function examples(red: NodeRed, sub = ''): Promise<unknown> {
  const p = `/library/examples/flows/${sub.split('/').map(encodeURIComponent).join('/')}`;
  const res = await ok(await red.api('GET', p), `GET ${p}`);
  const text = await res.text();
  return JSON.parse(text) as unknown;
}
