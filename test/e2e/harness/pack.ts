// The package as a user gets it: `npm pack`, then the tarball installed into a Node-RED
// user dir. The install is done once per tarball into a template dir and copied per test.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, e2ePath } from './paths';

let packed: string | undefined;

/** `npm pack` of the built tree (scripts ignored: `npm test` has built it, and a rebuild
 *  would replace the running tests' own files). Returns the tarball path. */
export function packPackage(): string {
  if (packed && fs.existsSync(packed)) return packed;
  const dest = e2ePath('pack', 'x');
  fs.rmSync(path.dirname(dest), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', path.dirname(dest)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const info = JSON.parse(out) as Array<{ filename: string }>;
  packed = path.join(path.dirname(dest), info[0].filename);
  return packed;
}

/** The files npm would publish, and the tarball's size: what `npm pack --dry-run` reports. */
export function packContents(): { files: string[]; size: number; unpackedSize: number } {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
  const info = JSON.parse(out) as Array<{ files: Array<{ path: string }>; size: number; unpackedSize: number }>;
  return { files: info[0].files.map((f) => f.path), size: info[0].size, unpackedSize: info[0].unpackedSize };
}

function sha(file: string): string {
  return crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex').slice(0, 12);
}

/** A template user dir with the tarball installed (npm install, production deps only). */
export function installedTemplate(tarball = packPackage()): string {
  const dir = e2ePath('templates', sha(tarball));
  if (fs.existsSync(path.join(dir, '.installed'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(path.join(dir, '.installed'), tarball);
  return dir;
}
