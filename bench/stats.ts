// Medians and spreads of repeated measurements. Every timed row takes the median of its
// counted rounds (the best of them would favour a lucky round, and the more rounds a run has
// the luckier its best: a quick run and a full one would not measure the same thing) and
// prints the lowest and highest beside it, so a reader sees how far to trust the figure.

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  return { n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** "median of 3: 0.71, spread 0.69-0.73"; one round: "1 round: 0.71". */
export function describeSpread(s: Spread, format: (x: number) => string): string {
  if (s.n <= 1) return `1 round: ${format(s.median)}`;
  return `median of ${s.n}: ${format(s.median)}, spread ${format(s.min)}-${format(s.max)}`;
}
