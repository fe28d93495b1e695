// Where the end-to-end harness keeps its files: .e2e/ at the project root (git-ignored).
import fs from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above this file with our package.json. */
export const ROOT = (() => {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'node-red-contrib-thingspace-sms') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
})();

export const E2E_DIR = path.join(ROOT, '.e2e');

export function e2ePath(...parts: string[]): string {
  const p = path.join(E2E_DIR, ...parts);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  return p;
}
