// What every scenario needs: a Node-RED from the packed tarball in a fresh user dir (with the
// bench-gen node beside it), a simulator in its own process, a trigger and the sink's tallies.
import fs from 'node:fs';
import path from 'node:path';
import { NodeRed, ROOT, SimulatorProcess, e2ePath, makeUserDir, waitFor, type StartOptions } from '../test/e2e/harness';
import { TRIGGER, type N, type Tally } from './flows';
import { installGenerator } from './generator-node';

export interface LabOptions {
  /** Write a CPU profile of the Node-RED process into .bench/profiles/. */
  profile?: boolean;
  /** Install the packed package (default) or start a plain Node-RED. */
  withPackage?: boolean;
  nodeArgs?: string[];
  /** Extra settings.js properties. */
  settings?: Record<string, unknown>;
}

let runs = 0;

export async function startRed(name: string, opts: LabOptions = {}, start: StartOptions = {}): Promise<NodeRed> {
  const template = opts.withPackage === false ? plainTemplate() : undefined;
  const dir = makeUserDir({ name: `bench-${name}`, template, logLevel: 'info', settings: opts.settings });
  installGenerator(dir);
  const nodeArgs = [...(opts.nodeArgs ?? [])];
  if (opts.profile) {
    const profDir = path.join(ROOT, '.bench', 'profiles');
    fs.mkdirSync(profDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}-${Date.now()}-${++runs}.cpuprofile`);
  }
  return NodeRed.start(dir, { ...start, nodeArgs });
}

/** A user dir template without our package: Node-RED's own nodes only. */
export function plainTemplate(): string {
  const dir = e2ePath('templates', 'bench-plain');
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
  }
  return dir;
}

export async function startSim(args: string[] = []): Promise<SimulatorProcess> {
  return SimulatorProcess.start(['--final-block', 'ack-on-delivery', ...args]);
}

export async function deploy(red: NodeRed, flows: N[]): Promise<void> {
  await red.deploy(flows);
  // The tally endpoint answers once the new flows run.
  await waitFor(async () => (await fetch(`${red.url}/bench/tally`)).ok, 20_000, 'the bench flow to start');
}

export async function tally(red: NodeRed): Promise<Tally> {
  const res = await fetch(`${red.url}/bench/tally`);
  if (!res.ok) throw new Error(`tally: ${res.status}`);
  return (await res.json()) as Tally;
}

export async function fire(red: NodeRed): Promise<void> {
  const res = await red.api('POST', `/inject/${TRIGGER}`);
  if (!res.ok) throw new Error(`inject: ${res.status} ${await res.text()}`);
}

/** Fires the trigger and waits until the sink has counted `count`; returns the final tallies. */
export async function runToCount(red: NodeRed, count: number, timeoutMs: number, what: string): Promise<Tally> {
  await fire(red);
  let last: Tally | undefined;
  await waitFor(
    async () => {
      last = await tally(red);
      return last.t0 > 0 && last.count >= count;
    },
    timeoutMs,
    `${what}: ${count} SMS at the sink`,
    50,
  );
  // Anything beyond `count` would be a duplicate: give it a moment to show.
  await new Promise((r) => setTimeout(r, 200));
  return tally(red);
}

/** Drain time: from the trigger to the last SMS counted, in the Node-RED process's clock. */
export function drainMs(t: Tally): number {
  return t.last - t.t0;
}

/** Peak resident set size (VmHWM) of a process, bytes. */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Resets VmHWM to the current RSS (Linux: `echo 5 > /proc/pid/clear_refs`). False if refused. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export async function stopAll(...things: Array<{ stop(): Promise<void> } | undefined>): Promise<void> {
  for (const t of things) {
    try {
      await t?.stop();
    } catch {
      // already gone
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { median } from './stats';
