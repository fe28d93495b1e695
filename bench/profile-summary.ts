// `node dist/bench/profile-summary.js <file.cpuprofile> [top] [callersOfFunction]`: where a Node-RED process spent
// its CPU (a profile written by `npm run bench -- --profile`): self time per function, and
// per package (ours, axios, Node-RED, Node's own), so a hot path shows at a glance.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function owner(url: string): string {
  if (url === '') return '(native/gc/idle)';
  if (url.includes('node-red-contrib-thingspace-sms')) return 'ours';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node';
  return path.basename(url);
}

const OURS = 'node-red-contrib-thingspace-sms';
/** The bench flows' counting function node (bench/flows.ts, sink). */
const SINK = 'Function node:bench-sink';

export function summarise(file: string, top = 40, callersOf?: string): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  // Only the drain: from the first to the last sample taken inside our code or the bench's
  // sink (the runtime-alone profile runs none of ours), so start-up (module loading) and
  // shutdown do not drown the hot path.
  const inOurs = new Map<number, boolean>();
  const byNodeId = new Map(p.nodes.map((n) => [n.id, n]));
  const isInOurs = (id: number): boolean => {
    let v = inOurs.get(id);
    if (v === undefined) {
      const n = byNodeId.get(id)!;
      const up = parent.get(id);
      const { url, functionName } = n.callFrame;
      // Named functions only: a module's top level (anonymous) is start-up, not the drain.
      v = (url.includes(OURS) && functionName !== '') || url.includes(SINK) || (up !== undefined && isInOurs(up.id));
      inOurs.set(id, v);
    }
    return v;
  };
  let from = p.samples.findIndex((id) => isInOurs(id));
  let to = p.samples.length - 1;
  while (to > from && !isInOurs(p.samples[to])) to--;
  if (from < 0) from = 0;
  // Self time from the sample stream (timeDeltas are µs between samples).
  const selfUs = new Map<number, number>();
  for (let i = from; i <= to; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const key = `${functionName || '(anonymous)'}  ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '')}:${lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const o = functionName === '(garbage collector)' ? '(gc)' : owner(url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
  }
  // Inclusive time of our own functions (and the runtime's send path): a node's subtree,
  // counted once per function even when it recurses.
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  const walk = (n: ProfileNode, open: Set<string>): number => {
    let us = selfUs.get(n.id) ?? 0;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    const mine = url.includes(OURS) || /Node\.js$|Flow\.js$/.test(url);
    const first = mine && !open.has(key);
    if (first) open.add(key);
    for (const c of n.children ?? []) us += walk(byId.get(c)!, open);
    if (first) {
      open.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
    return us;
  };
  walk(p.nodes[0], new Set());
  const pct = (us: number): string => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms busy in the drain (idle excluded)`, '', 'by package:'];
  for (const [o, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(us)}  ${o}`);
  lines.push('', `top ${top} functions (self time):`);
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  if (callersOf) {
    // Who calls a function: its callers nine levels up, by time.
    const chains = new Map<string, number>();
    for (const n of p.nodes) {
      const us = selfUs.get(n.id) ?? 0;
      if (us === 0 || n.callFrame.functionName !== callersOf) continue;
      const chain: string[] = [];
      for (let up = parent.get(n.id); up && chain.length < 9; up = parent.get(up.id)) {
        chain.push(`${up.callFrame.functionName || '(anon)'}@${path.basename(up.callFrame.url)}:${up.callFrame.lineNumber + 1}`);
      }
      const key = chain.join(' < ');
      chains.set(key, (chains.get(key) ?? 0) + us);
    }
    lines.push('', `callers of ${callersOf}:`);
    for (const [k, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(us)}  ${k}`);
  }
  lines.push('', 'inclusive time, ours and the runtime send path (top 25):');
  for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`  ${pct(us)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top, callers] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [callersOfFunction]');
    process.exit(2);
  }
  console.log(summarise(file, top ? Number(top) : 40, callers));
}
