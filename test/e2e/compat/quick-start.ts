// The quick-start example as shipped in the installed package, pointed at the simulator, with
// two additions beside it: a counting sink on the SMS wire, and a status node that records every
// status text the nodes show (to see that they are translated, not raw catalog keys).
import fs from 'node:fs';
import path from 'node:path';
import { SIM_CREDENTIALS, countingSink, sinkEndpoint, type NodeRed } from '../harness';
import { MODULE } from './served';

type N = Record<string, unknown>;

export const QUICK_START = '01 Quick start - SMS to debug.json';

/** The example file as the installed package holds it. */
export function installedExample(userDir: string, file = QUICK_START): N[] {
  return JSON.parse(fs.readFileSync(path.join(userDir, 'node_modules', MODULE, 'examples', file), 'utf8')) as N[];
}

function statusRecorder(tabId: string): N[] {
  return [
    { id: 'compat-status', type: 'status', z: tabId, name: '', scope: null, x: 100, y: 400, wires: [['compat-status-keep']] },
    {
      id: 'compat-status-keep',
      type: 'function',
      z: tabId,
      name: 'keep status',
      func: `const all = global.get('statuses', 'e2e') || [];
if (all.length < 1000) all.push({ source: msg.status.source && msg.status.source.type, text: msg.status.text || '', fill: msg.status.fill || '' });
global.set('statuses', all, 'e2e');
return null;`,
      outputs: 1,
      wires: [[]],
    },
    {
      id: 'compat-status-in',
      type: 'http in',
      z: tabId,
      name: '',
      url: '/compat/statuses',
      method: 'get',
      upload: false,
      swaggerDoc: '',
      wires: [['compat-status-read']],
    },
    {
      id: 'compat-status-read',
      type: 'function',
      z: tabId,
      name: 'read statuses',
      func: `msg.payload = global.get('statuses', 'e2e') || [];\nreturn msg;`,
      outputs: 1,
      wires: [['compat-status-out']],
    },
    { id: 'compat-status-out', type: 'http response', z: tabId, name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

/** The example with the simulator's address and credentials filled in, plus sink and recorder. */
export function quickStartFlow(userDir: string, simUrl: string): N[] {
  const example = installedExample(userDir);
  const q = example.find((n) => n.type === 'sms-queue-in');
  if (!q) throw new Error('the quick-start example has no sms-queue-in');
  const tabId = q.z as string;
  for (const n of example) {
    if (n.type === 'thingspace-config') Object.assign(n, { server: simUrl, credentials: SIM_CREDENTIALS });
  }
  (q.wires as string[][])[0].push('e2e-count');
  const extra = [countingSink('e2e-count'), ...sinkEndpoint()].map((n) => ({ ...n, z: tabId }));
  return [...example, ...extra, ...statusRecorder(tabId)];
}

export interface StatusSeen {
  source: string;
  text: string;
  fill: string;
}

export async function statuses(red: NodeRed): Promise<StatusSeen[]> {
  const res = await fetch(`${red.url}/compat/statuses`);
  if (!res.ok) throw new Error(`statuses: ${res.status}`);
  return (await res.json()) as StatusSeen[];
}
