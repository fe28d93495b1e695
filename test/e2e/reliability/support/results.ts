// What each reliability test measured, and the report generated from it. Tests record every
// figure (passing or not) before they assert, so a failing figure is in the report too.
// The table is written from these records only: never typed by hand.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../harness';
import { PROFILE } from './profile';
import { seedFromEnv, type Seeded } from '../../../support/seed';
import { LENIENT } from '../../../support/sim-modes';
import { simMode } from './env';

export interface ResultRow {
  scenario: string;
  /** What was measured, with its value, e.g. "lost 0 of 5000". */
  figure: string;
  target: string;
  /** null: informational, no target to meet. */
  pass: boolean | null;
  profile: string;
  at: string;
}

const rows: ResultRow[] = [];

/** Records one figure; returns whether it met its target. */
export function record(scenario: string, figure: string, target: string, pass: boolean | null): boolean | null {
  rows.push({ scenario, figure, target, pass, profile: PROFILE.name, at: new Date().toISOString() });
  console.log(`      [${pass === null ? 'info' : pass ? 'pass' : 'FAIL'}] ${scenario}: ${figure} (target ${target})`);
  return pass;
}

/** A measured figure against a target: recorded, then collected for one assertion at the end. */
export class Figures {
  private failed: string[] = [];
  readonly scenario: string;

  /** Against the strict simulator, the scenario's figures are its own rows: `outage [strict]`. */
  constructor(scenario: string) {
    const mode = simMode();
    this.scenario = mode === LENIENT ? scenario : `${scenario} [${mode.name}]`;
  }

  check(figure: string, target: string, pass: boolean): void {
    record(this.scenario, figure, target, pass);
    if (!pass) this.failed.push(`${figure} (target ${target})`);
  }

  info(figure: string, note = 'reported'): void {
    record(this.scenario, figure, note, null);
  }

  /** The seeded randomness of the scenario (`name` for TEST_SEED_<NAME>); its seed is printed and goes in the report. */
  seed(name: string): Seeded {
    const seeded = seedFromEnv(name, false);
    this.info(seeded.replay, 'replay');
    return seeded;
  }

  /** Throws if any figure missed its target. */
  assertAll(): void {
    if (this.failed.length > 0) throw new Error(`${this.scenario}: ${this.failed.join('; ')}`);
  }
}

function machine(): string {
  const cpus = os.cpus();
  const mem = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${cpus.length} cores, ${mem} GiB memory, ${cpus[0]?.model ?? 'unknown CPU'} (${os.platform()} ${os.release()})`;
}

function nodeRedVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'node-red', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Full runs go to docs/ (committed); short runs (CI) to .e2e/, so `npm test` never dirties
 * the work tree. The JSON keeps earlier rows of scenarios not run this time, so the full
 * profile can be run scenario by scenario (RELIABILITY_ONLY) into one table.
 */
function paths(): { json: string; md: string } {
  if (PROFILE.name === 'full') return { json: path.join(ROOT, 'docs', 'reliability-results.json'), md: path.join(ROOT, 'docs', 'RELIABILITY.md') };
  return { json: path.join(ROOT, '.e2e', 'reliability-results-short.json'), md: path.join(ROOT, '.e2e', 'RELIABILITY-short.md') };
}

/** When the run began and what HEAD was then (work in progress of others may be newer). */
const STARTED = { at: new Date().toISOString(), commit: commit() };

interface Saved {
  runs: Record<string, { at: string; machine: string; node: string; nodeRed: string; commit: string; profile: string }>;
  rows: ResultRow[];
}

export function writeReport(): string | undefined {
  if (rows.length === 0) return undefined;
  const { json, md } = paths();
  fs.mkdirSync(path.dirname(json), { recursive: true });
  let saved: Saved = { runs: {}, rows: [] };
  try {
    saved = JSON.parse(fs.readFileSync(json, 'utf8')) as Saved;
  } catch {
    // first run
  }
  const ran = new Set(rows.map((r) => r.scenario));
  const run = { at: STARTED.at, machine: machine(), node: process.version, nodeRed: nodeRedVersion(), commit: STARTED.commit, profile: PROFILE.name };
  for (const s of ran) saved.runs[s] = run;
  saved.rows = [...saved.rows.filter((r) => !ran.has(r.scenario)), ...rows];
  fs.writeFileSync(json, `${JSON.stringify(saved, null, 2)}\n`);
  fs.writeFileSync(md, markdown(saved));
  return md;
}

const ORDER = ['crash', 'final block', 'fault storm', 'outage', 'redeploy', 'push flood', 'forged push', 'lockout', 'bad input', 'secrets', 'soak'];

function markdown(saved: Saved): string {
  const rank = (s: string): number => {
    const i = ORDER.findIndex((o) => s.startsWith(o));
    return i < 0 ? ORDER.length : i;
  };
  const list = [...saved.rows].sort((a, b) => rank(a.scenario) - rank(b.scenario));
  const mark = (p: boolean | null): string => (p === null ? 'info' : p ? 'pass' : '**FAIL**');
  const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const runs = new Map<string, string[]>();
  for (const [scenario, r] of Object.entries(saved.runs)) {
    const key = `started ${r.at.slice(0, 16).replace('T', ' ')} UTC, profile \`${r.profile}\`, HEAD ${r.commit} at the start; ${r.machine}; Node ${r.node}; Node-RED ${r.nodeRed}`;
    runs.set(key, [...(runs.get(key) ?? []), scenario]);
  }
  const failing = list.filter((r) => r.pass === false).length;
  return [
    '# Reliability',
    '',
    'Generated by the end-to-end reliability suite (`test/e2e/reliability/`); do not edit by hand.',
    'Each row is a figure one test measured against Node-RED started from the packed tarball',
    '(its own process, flows deployed through the admin API) and the ThingSpace simulator (its',
    'own process). Re-run with `npm run test:reliability` (profile `full`); `npm test` runs the',
    'short profile and writes `.e2e/RELIABILITY-short.md` instead.',
    '',
    'Runs:',
    '',
    ...[...runs.entries()].map(([k, s]) => `- ${k}: ${s.join('; ')}`),
    '',
    `Figures: ${list.length}, failing: ${failing}.`,
    '',
    '| Scenario | Figure | Target | Pass |',
    '| --- | --- | --- | --- |',
    ...list.map((r) => `| ${esc(r.scenario)} | ${esc(r.figure)} | ${esc(r.target)} | ${mark(r.pass)} |`),
    '',
  ].join('\n');
}
