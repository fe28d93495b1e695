// Whether a run's targets are judged at all. The rows are ratios of two figures measured in
// the same run, so they travel across machines; they do not survive a machine that was
// already busy when the run began (another process takes turns with one side of a ratio and
// not the other). A 1-minute load average above the number of cores at the start means
// runnable work was waiting for a core: the figures are printed, the verdicts are not.

export interface LoadVerdict {
  /** True when yes/NO are printed; false when every row says `n/a (load)`. */
  judged: boolean;
  /** The line printed under the table when the verdicts are withheld. */
  note?: string;
}

export function judgeLoad(load1: number, cores: number): LoadVerdict {
  if (!Number.isFinite(load1) || cores < 1 || load1 <= cores) return { judged: true };
  return {
    judged: false,
    note:
      `Not judged: the 1-minute load average was ${load1.toFixed(2)} at the start, above the ${cores} cores of this machine, ` +
      'so other work shared the cores with the measurements; every row says n/a (load). Run again on a quiet machine.',
  };
}

/** The `holds` cell of a row. */
export function holdsCell(holds: boolean | undefined, judged: boolean): string {
  if (!judged) return 'n/a (load)';
  return holds === undefined ? 'n/a' : holds ? 'yes' : 'NO';
}
