// Flow fragments for end-to-end runs: the config node pointed at a simulator, an
// sms-queue-in, and a counting sink whose tallies the test reads over HTTP.
import type { NodeRed } from './node-red';

export const ACCOUNT = '0000123456-00001';
export const TAB = 'e2e-tab';
export const SIM_CREDENTIALS = {
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  username: 'sim-user',
  password: 'sim-password',
};

type N = Record<string, unknown>;

export function tab(id = TAB): N {
  return { id, type: 'tab', label: 'e2e' };
}

export function configNode(server: string, credentials: Record<string, string> = SIM_CREDENTIALS, extra: N = {}): N {
  return { id: 'e2e-cfg', type: 'thingspace-config', name: 'sim', accountName: ACCOUNT, server, credentials, ...extra };
}

export function queueNode(wires: string[], extra: N = {}): N {
  return {
    id: 'e2e-q',
    type: 'sms-queue-in',
    z: TAB,
    name: '',
    thingspace: 'e2e-cfg',
    interval: '1',
    ackMode: 'auto',
    ackTimeout: '30',
    output: 'single',
    dedupe: true,
    topic: '',
    x: 200,
    y: 100,
    wires: [wires],
    ...extra,
  };
}

/** Counts every SMS it sees (single or batch messages) by text, and passes the message on. */
export function countingSink(id: string, wires: string[] = []): N {
  return {
    id,
    type: 'function',
    z: TAB,
    name: 'count',
    func: `let s = global.get('e2e', 'e2e');
if (!s) { s = { count: 0, dups: 0, seen: new Set(), first: Date.now(), last: 0 }; global.set('e2e', s, 'e2e'); }
const texts = Array.isArray(msg.payload) && msg.thingspace && msg.thingspace.index === -1 ? msg.payload.map((p) => p.payload) : [msg.payload];
for (const t of texts) { s.count++; if (s.seen.has(t)) s.dups++; else s.seen.add(t); }
s.last = Date.now();
return msg;`,
    outputs: 1,
    wires: [wires],
  };
}

/** GET /e2e/sink answers {count, dups, unique, first, last}. */
export function sinkEndpoint(): N[] {
  return [
    { id: 'e2e-sink-in', type: 'http in', z: TAB, name: '', url: '/e2e/sink', method: 'get', upload: false, swaggerDoc: '', wires: [['e2e-sink-read']] },
    {
      id: 'e2e-sink-read',
      type: 'function',
      z: TAB,
      name: 'read',
      func: `const s = global.get('e2e', 'e2e');
msg.payload = s ? { count: s.count, dups: s.dups, unique: s.seen.size, first: s.first, last: s.last } : { count: 0, dups: 0, unique: 0, first: 0, last: 0 };
return msg;`,
      outputs: 1,
      wires: [['e2e-sink-out']],
    },
    { id: 'e2e-sink-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

export interface SinkTally {
  count: number;
  dups: number;
  unique: number;
  first: number;
  last: number;
}

export async function readSink(red: NodeRed): Promise<SinkTally> {
  const res = await fetch(`${red.url}/e2e/sink`);
  if (!res.ok) throw new Error(`sink: ${res.status}`);
  return (await res.json()) as SinkTally;
}

/** A simple drain flow: sms-queue-in -> counting sink, plus the sink endpoint. */
export function drainFlow(server: string, queueProps: N = {}): N[] {
  return [tab(), configNode(server), queueNode(['e2e-count'], queueProps), countingSink('e2e-count'), ...sinkEndpoint()];
}

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      last = err; // e.g. an endpoint of a flow still starting: try again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
