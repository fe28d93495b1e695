// Waiting that measures instead of throwing: a scenario still reports its figure when the
// target is missed.
import fs from 'node:fs';

/** True once cond holds, false at the deadline. */
export async function until(cond: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return true;
    } catch {
      // a process restarting, an endpoint not deployed yet: ask again
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The lines of a file written by a `file` node: how many, how many distinct. */
export function fileTally(file: string): { lines: number; unique: number } {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { lines: 0, unique: 0 };
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  return { lines: lines.length, unique: new Set(lines).size };
}
