// The simulator's random choices for sent SMS, seedable so a test can replay a run
// (mulberry32: small, fast, good enough for jitter and failure rates).
export function randomSource(seed: number): () => number {
  if (seed === 0) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
