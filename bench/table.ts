// The one table `npm run bench` prints: each target as a ratio measured in the same run.

export interface Row {
  id: string;
  what: string;
  /** The figures behind the ratio, short. */
  measured: string;
  /** The ratio the target is about, as printed (e.g. "1.03"). */
  ratio: string;
  target: string;
  holds: boolean | undefined;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A markdown table, readable in a terminal and pasteable into the README as is. */
export function formatTable(rows: Row[]): string {
  const head = ['#', 'what', 'measured', 'ratio', 'target', 'holds'];
  const cells = rows.map((r) => [r.id, r.what, r.measured, r.ratio, r.target, r.holds === undefined ? 'n/a' : r.holds ? 'yes' : 'NO']);
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
