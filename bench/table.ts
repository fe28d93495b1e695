// The one table `npm run bench` prints: each target as a ratio measured in the same run.
import { holdsCell } from './load';

export interface Row {
  id: string;
  what: string;
  /** The figures behind the ratio, short. */
  measured: string;
  /** The ratio the target is about, as printed (e.g. "1.03"). */
  ratio: string;
  target: string;
  holds: boolean | undefined;
  /** How the ratio varied over the counted rounds, e.g. "median of 3: 0.71, spread 0.69-0.73". */
  spread?: string;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A markdown table, readable in a terminal and pasteable into the README as is. Unless
 *  `judged`, every row's holds cell says `n/a (load)` (bench/load.ts). */
export function formatTable(rows: Row[], judged = true): string {
  const head = ['#', 'what', 'measured', 'ratio', 'spread', 'target', 'holds'];
  const cells = rows.map((r) => [r.id, r.what, r.measured, r.ratio, r.spread ?? '-', r.target, holdsCell(r.holds, judged)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => pad(x, widths[i])).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

export const fmt = {
  ms: (x: number): string => `${Math.round(x)} ms`,
  s: (x: number): string => `${(x / 1000).toFixed(1)} s`,
  rate: (x: number): string => (x >= 10_000 ? `${Math.round(x / 1000)}k/s` : `${Math.round(x)}/s`),
  mb: (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`,
  ratio: (x: number): string => x.toFixed(2),
  n: (x: number): string => x.toLocaleString('en-US'),
};
