// Node-RED started the way a user runs it: its own process, a fresh user dir holding the
// installed tarball, flows deployed through the admin HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, e2ePath } from './paths';
import { installedTemplate } from './pack';

export type ContextStore = 'memory' | 'file' | 'file-nocache';
export type DeployType = 'full' | 'nodes' | 'flows';

export interface UserDirOptions {
  /** A name for the folder under .e2e/userdirs/. */
  name: string;
  contextStore?: ContextStore;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Extra settings.js properties (JSON-serialisable). */
  settings?: Record<string, unknown>;
  /** A user dir with the tarball installed; defaults to the packed package. */
  template?: string;
}

export const CREDENTIAL_SECRET = 'e2e-credential-secret';

/** A fresh user dir: the installed template copied, a settings.js written. */
export function makeUserDir(opts: UserDirOptions): string {
  const dir = e2ePath('userdirs', opts.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(opts.template ?? installedTemplate(), dir, { recursive: true, verbatimSymlinks: true });
  const store = opts.contextStore ?? 'memory';
  // `e2e` is a memory store of the harness's own (the counting sink keeps its tallies there).
  const contextStorage =
    store === 'memory'
      ? { default: { module: 'memory' }, e2e: { module: 'memory' } }
      : { default: { module: 'localfilesystem', config: store === 'file-nocache' ? { cache: false } : {} }, e2e: { module: 'memory' } };
  const settings = {
    flowFile: 'flows.json',
    credentialSecret: CREDENTIAL_SECRET,
    uiHost: '127.0.0.1',
    contextStorage,
    logging: { console: { level: opts.logLevel ?? 'info', metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    ...opts.settings,
  };
  fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  port?: number;
  /** The node binary (Node-RED 5 needs Node >= 22.9). */
  nodeBinary?: string;
  /** Node-RED's red.js; defaults to the repository's dev dependency. */
  redJs?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  timeoutMs?: number;
  /** What answers once Node-RED is up (default the admin API's /settings; with httpAdminRoot false, a path of the HTTP node server). */
  readyPath?: string;
}

export class NodeRed {
  readonly logs: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly userDir: string,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    const keep = (chunk: Buffer) => {
      this.logs.push(chunk.toString('utf8'));
      if (this.logs.length > 20_000) this.logs.splice(0, 10_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  static async start(userDir: string, opts: StartOptions = {}): Promise<NodeRed> {
    const port = opts.port ?? (await freePort());
    const redJs = opts.redJs ?? require.resolve('node-red/red.js', { paths: [ROOT] });
    const proc = spawn(
      opts.nodeBinary ?? process.execPath,
      [...(opts.nodeArgs ?? []), redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js'), '--port', String(port)],
      { cwd: userDir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const red = new NodeRed(proc, userDir, port);
    await red.ready(opts.timeoutMs ?? 60_000, opts.readyPath ?? '/settings');
    return red;
  }

  /** Resolves once the admin API answers; rejects if the process exits first. */
  private async ready(timeoutMs: number, readyPath: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`Node-RED exited during start:\n${this.log().slice(-4000)}`);
      try {
        const res = await fetch(`${this.url}${readyPath}`);
        // 401 on /settings: adminAuth is on, the admin API answers.
        const answers = readyPath === '/settings' ? res.ok || res.status === 401 : res.status !== 404;
        if (answers && this.log().includes('Started flows')) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Node-RED did not start within ${timeoutMs} ms:\n${this.log().slice(-4000)}`);
  }

  log(): string {
    return this.logs.join('');
  }

  async api(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}${p}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** POST /flows (admin API v2). Config nodes may carry `credentials`. `token`: an admin
   *  API access token, when adminAuth is on. */
  async deploy(flows: unknown[], type: DeployType = 'full', token?: string): Promise<void> {
    const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const current = await (await this.api('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2', ...auth })).json();
    const res = await this.api(
      'POST',
      '/flows',
      { flows, rev: (current as { rev?: string }).rev },
      {
        'Node-RED-API-Version': 'v2',
        'Node-RED-Deployment-Type': type,
        ...auth,
      },
    );
    if (!res.ok) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
  }

  /** The flows as the editor would export them. */
  async flows(): Promise<unknown[]> {
    return (await (await this.api('GET', '/flows')).json()) as unknown[];
  }

  /** Resident set size of the Node-RED process, in bytes (Linux). */
  rss(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  }

  /** CPU time used so far (user + system), in ms (Linux). */
  cpuMs(): number {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  }

  /** SIGKILL: a crash, nothing flushed. */
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGINT, as Ctrl-C (or SIGTERM, as a service manager): Node-RED closes its nodes and exits. */
  async stop(timeoutMs = 15_000, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }
}
