// Node-RED and the simulator as every reliability scenario starts them: trace logging on,
// distinctive credentials (so the secrets scan can find any leak of them), and the
// evidence of each run kept for that scan.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { NodeRed, SimulatorProcess, makeUserDir, type ContextStore, type StartOptions } from '../../harness';
import { LENIENT, type SimMode } from '../../../support/sim-modes';

/** Values found nowhere but in the config node's credentials and the simulator's settings. */
export const CREDS = {
  clientId: 'rel-client-id',
  clientSecret: 'RelClientSecret-5c1f83d0',
  username: 'rel-user',
  password: 'RelUserPass-a9d2e7f4',
};
export const CALLBACK_CREDS = { callbackUsername: 'rel-cb-user', callbackPassword: 'RelCbPass-3e7b10c6' };

let mode: SimMode = LENIENT;

/** The simulator's answers to the open questions for the scenarios run from now on (suite.test.ts). */
export function useSimMode(m: SimMode): void {
  mode = m;
}

export function simMode(): SimMode {
  return mode;
}

/** The mode's flags come first: a scenario's own flags win. */
export function simArgs(extra: string[] = []): string[] {
  return [
    '--client-id',
    CREDS.clientId,
    '--client-secret',
    CREDS.clientSecret,
    '--username',
    CREDS.username,
    '--password',
    CREDS.password,
    ...mode.args,
    ...extra,
  ];
}

export function startSim(extra: string[] = [], port?: number): Promise<SimulatorProcess> {
  return SimulatorProcess.start(simArgs(extra), { port });
}

/** The simulator's flag for a seed: which requests its probability faults hit. */
export function seedArgs(seeded: { seed: number }): string[] {
  return ['--seed', String(seeded.seed)];
}

/** Every Node-RED process a scenario ran, for the secrets scan: its user dir and its log. */
export interface Evidence {
  name: string;
  userDir: string;
  logs: string[];
}
export const evidence: Evidence[] = [];

export interface RelUserDir {
  name: string;
  userDir: string;
}

/**
 * A fresh user dir with trace logging. `process` is handed to function nodes through
 * `functionGlobalContext` (the function sandbox has no `process` of its own), so a flow can
 * answer its own active handle count.
 */
export function relUserDir(name: string, contextStore: ContextStore = 'memory'): RelUserDir {
  // One dir per mode: the secrets scan reads those of both.
  const userDir = makeUserDir({ name: mode === LENIENT ? `rel-${name}` : `rel-${name}-${mode.name}`, contextStore, logLevel: 'trace' });
  fs.appendFileSync(path.join(userDir, 'settings.js'), 'module.exports.functionGlobalContext = { process };\n');
  return { name, userDir };
}

/** Starts Node-RED on a user dir; its log is kept in `evidence` across restarts. */
export async function startRed(dir: RelUserDir, opts: StartOptions = {}): Promise<NodeRed> {
  const red = await NodeRed.start(dir.userDir, opts);
  let entry = evidence.find((e) => e.userDir === dir.userDir);
  if (!entry) {
    entry = { name: dir.name, userDir: dir.userDir, logs: [] };
    evidence.push(entry);
  }
  // The harness keeps the same array it appends to: hold on to it, it survives the process.
  entry.logs.push('');
  const slot = entry.logs.length - 1;
  const e = entry;
  red.proc.stdout?.on('data', (c: Buffer) => (e.logs[slot] += c.toString('utf8')));
  red.proc.stderr?.on('data', (c: Buffer) => (e.logs[slot] += c.toString('utf8')));
  e.logs[slot] = red.log();
  return red;
}

/**
 * GET a JSON endpoint of a flow with a fresh connection (no keep-alive socket left in the
 * server). Right after a deploy the flow's http in routes may not exist yet: a 404 is asked
 * again for a few seconds.
 */
export async function getJson<T>(url: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await getJsonOnce<T>(url, timeoutMs);
    } catch (err) {
      if (!String(err).includes(': 404') || Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

function getJsonOnce<T>(url: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { Connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 200)}`));
        else {
          try {
            resolve(JSON.parse(body) as T);
          } catch (err) {
            reject(err as Error);
          }
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
  });
}

/** POST a body with a fresh connection; resolves to the status code. */
export function post(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: { 'Content-Type': 'application/json', Connection: 'close', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops whatever was started, ignoring what already exited. */
export async function stopAll(...things: Array<{ stop(): Promise<void> } | undefined>): Promise<void> {
  for (const t of things) {
    try {
      await t?.stop();
    } catch {
      // already gone
    }
  }
}
