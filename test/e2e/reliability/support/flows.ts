// Flow fragments of the reliability suite, beside the harness's drain flow: collectors for
// statuses and Catch errors, an endpoint that reads them back, and one that answers the
// runtime's active handle count.
import type { NodeRed } from '../../harness';
import { ACCOUNT, TAB, configNode, countingSink, queueNode, sinkEndpoint, tab } from '../../harness';
import { CREDS, getJson } from './env';

type N = Record<string, unknown>;

export function relConfig(server: string, extraCreds: Record<string, string> = {}, extra: N = {}): N {
  return configNode(server, { ...CREDS, ...extraCreds }, extra);
}

/** A function node that appends a summary of each message to global `rel:<key>` (memory store `e2e`). */
export function collector(id: string, key: string, wires: string[] = []): N {
  return {
    id,
    type: 'function',
    z: TAB,
    name: `collect ${key}`,
    func: `const k = 'rel:${key}';
let a = global.get(k, 'e2e');
if (!a) { a = []; global.set(k, a, 'e2e'); }
let raw;
try { raw = JSON.stringify(msg, (name, v) => (name === 'req' || name === 'res') ? undefined : v); } catch (e) { raw = String(e); }
a.push({ at: Date.now(), status: msg.status, code: msg.error && msg.error.code, message: msg.error && msg.error.message,
  source: (msg.error && msg.error.source && msg.error.source.type) || (msg.status && msg.status.source && msg.status.source.type),
  raw: raw.length > 20000 ? raw.slice(0, 20000) : raw });
if (a.length > 20000) a.splice(0, 10000);
return null;`,
    outputs: 1,
    wires: [wires],
  };
}

/** Status of every node on the tab -> collector `statuses`; Catch of every node -> `errors`. */
export function observers(): N[] {
  return [
    { id: 'rel-status', type: 'status', z: TAB, name: '', scope: null, wires: [['rel-status-c']] },
    collector('rel-status-c', 'statuses'),
    { id: 'rel-catch', type: 'catch', z: TAB, name: '', scope: null, uncaught: false, wires: [['rel-catch-c']] },
    collector('rel-catch-c', 'errors'),
  ];
}

/** GET /rel/get?key=K answers the array collected under K; GET /rel/handles the handle counts. */
export function endpoints(): N[] {
  return [
    { id: 'rel-get-in', type: 'http in', z: TAB, name: '', url: '/rel/get', method: 'get', upload: false, swaggerDoc: '', wires: [['rel-get-fn']] },
    {
      id: 'rel-get-fn',
      type: 'function',
      z: TAB,
      name: 'read collected',
      func: `msg.payload = global.get('rel:' + msg.req.query.key, 'e2e') || [];
if (msg.req.query.clear) global.set('rel:' + msg.req.query.key, [], 'e2e');
return msg;`,
      outputs: 1,
      wires: [['rel-out']],
    },
    { id: 'rel-handles-in', type: 'http in', z: TAB, name: '', url: '/rel/handles', method: 'get', upload: false, swaggerDoc: '', wires: [['rel-handles-fn']] },
    {
      id: 'rel-handles-fn',
      type: 'function',
      z: TAB,
      name: 'active handles',
      // process comes from functionGlobalContext (support/env.ts).
      func: `const p = global.get('process', 'e2e');
const byType = {};
for (const r of p.getActiveResourcesInfo()) byType[r] = (byType[r] || 0) + 1;
msg.payload = { handles: p._getActiveHandles().length, requests: p._getActiveRequests().length, byType, rss: p.memoryUsage().rss };
return msg;`,
      outputs: 1,
      wires: [['rel-out']],
    },
    { id: 'rel-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

export interface Collected {
  at: number;
  status?: { fill?: string; shape?: string; text?: string; source?: { id?: string; type?: string } };
  code?: string;
  message?: string;
  source?: string;
  raw: string;
}

export function readCollected(red: NodeRed, key: 'statuses' | 'errors' | string, clear = false): Promise<Collected[]> {
  return getJson<Collected[]>(`${red.url}/rel/get?key=${encodeURIComponent(key)}${clear ? '&clear=1' : ''}`);
}

/** Empties a collector; before the first deploy there is nothing to empty. */
export async function clearCollected(red: NodeRed, key: string): Promise<void> {
  try {
    await getJsonOnceOrFail(`${red.url}/rel/get?key=${encodeURIComponent(key)}&clear=1`);
  } catch {
    // no flow yet
  }
}

async function getJsonOnceOrFail(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(String(res.status));
  return res.json();
}

export interface Handles {
  handles: number;
  requests: number;
  byType: Record<string, number>;
  rss: number;
}

export function readHandles(red: NodeRed): Promise<Handles> {
  return getJson<Handles>(`${red.url}/rel/handles`);
}

/** The harness's drain flow plus observers and endpoints, credentials ours. */
export function observedDrainFlow(server: string, queueProps: N = {}, extraCreds: Record<string, string> = {}): N[] {
  return [
    tab(),
    relConfig(server, extraCreds),
    queueNode(['e2e-count'], queueProps),
    countingSink('e2e-count'),
    ...sinkEndpoint(),
    ...observers(),
    ...endpoints(),
  ];
}

export { ACCOUNT, TAB };
