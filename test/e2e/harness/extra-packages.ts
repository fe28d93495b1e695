// A template user dir with the packed tarball and other Node-RED packages installed side
// by side, as a user who installed them from the palette has them. Cached per tarball and
// package list under .e2e/templates/, like installedTemplate().
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { e2ePath } from './paths';
import { packPackage } from './pack';

/** `packages` are npm specs, e.g. ['node-red-node-mysql@3.0.4']. */
export function installedTemplateWith(packages: string[], tarball = packPackage()): string {
  const id = crypto.createHash('sha1').update(fs.readFileSync(tarball)).update(packages.join('\n')).digest('hex').slice(0, 12);
  const dir = e2ePath('templates', `with-${id}`);
  if (fs.existsSync(path.join(dir, '.installed'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', tarball, ...packages], { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(path.join(dir, '.installed'), [tarball, ...packages].join('\n'));
  return dir;
}
