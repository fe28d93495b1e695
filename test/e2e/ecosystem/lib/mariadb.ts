// Debian's MariaDB as the test's database: a private datadir initialised by the test, the
// server on a free loopback port plus a socket, root reachable only through that socket,
// and one password user for Node-RED, as an operator would set it up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../harness';
import { findBinary, stopChild, waitForPort } from './processes';

const run = promisify(execFile);

export interface MariaDbBinaries {
  server: string;
  installDb: string;
  client: string;
}

export function findMariaDb(): MariaDbBinaries | undefined {
  const server = findBinary(['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/local/sbin/mariadbd']);
  const installDb = findBinary(['/usr/bin/mariadb-install-db', '/usr/local/bin/mariadb-install-db']);
  const client = findBinary(['/usr/bin/mariadb', '/usr/local/bin/mariadb']);
  return server && installDb && client ? { server, installDb, client } : undefined;
}

/** Small files and buffers: the test needs a few thousand rows, not production sizing. */
const SIZING = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=32M', '--innodb-data-file-path=ibdata1:4M:autoextend'];

/** mariadbd refuses to run as root unless told to (CI runs as root). */
function asRoot(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

export interface DbUser {
  database: string;
  user: string;
  password: string;
}

export class MariaDb {
  private proc: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly bin: MariaDbBinaries,
    readonly dir: string,
    readonly port: number,
  ) {}

  get socket(): string {
    return path.join(this.dir, 'mariadb.sock');
  }

  /** Initialises a fresh datadir in `dir` and starts the server on a free port. */
  static async start(bin: MariaDbBinaries, dir: string): Promise<MariaDb> {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const db = new MariaDb(bin, dir, await freePort());
    await run(
      bin.installDb,
      ['--no-defaults', `--datadir=${db.datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...asRoot(), ...SIZING],
      { maxBuffer: 10 * 1024 * 1024 },
    );
    await db.launch();
    return db;
  }

  /** Starts the server on the initialised datadir, port and socket (again after stop()). */
  async launch(): Promise<void> {
    const proc = spawn(
      this.bin.server,
      [
        '--no-defaults',
        `--datadir=${this.datadir}`,
        `--socket=${this.socket}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${path.join(this.dir, 'mariadb.pid')}`,
        '--skip-name-resolve',
        '--skip-log-bin',
        ...asRoot(),
        ...SIZING,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (c: Buffer) => (this.output = (this.output + c.toString()).slice(-50_000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.proc = proc;
    await waitForPort(this.port, proc, 30_000, () => this.output);
  }

  private get datadir(): string {
    return path.join(this.dir, 'data');
  }

  log(): string {
    return this.output;
  }

  /** Runs SQL as root over the socket; returns the rows tab-separated, without headers. */
  async sql(statements: string): Promise<string> {
    const { stdout } = await run(this.bin.client, [
      '--no-defaults',
      `--socket=${this.socket}`,
      '--user=root',
      '--batch',
      '--skip-column-names',
      '-e',
      statements,
    ]);
    return stdout.trim();
  }

  /** The first column of the first row, as a number. */
  async number(query: string): Promise<number> {
    const out = await this.sql(query);
    return Number(out.split('\n')[0].split('\t').pop());
  }

  /**
   * Holds a write lock on `table` from a root session until the returned function is
   * called: INSERTs from other sessions wait, as they would on a slow or busy database.
   */
  async lockTable(table: string): Promise<() => Promise<void>> {
    const client = spawn(this.bin.client, ['--no-defaults', `--socket=${this.socket}`, '--user=root', '--batch', '--skip-column-names', '--unbuffered'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    client.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      client.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('locked')) resolve();
      });
      client.once('exit', (code) => reject(new Error(`lock session exited (${code}): ${out}`)));
      client.stdin?.write(`LOCK TABLES ${table} WRITE; SELECT 'locked';\n`);
    });
    return async () => {
      const exited = new Promise<void>((resolve) => client.once('exit', () => resolve()));
      client.stdin?.end('UNLOCK TABLES;\n');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      await stopChild(client); // the session's end releases the lock in any case
    };
  }

  /** A database and a user allowed into it from 127.0.0.1 with a password. */
  async createUser(u: DbUser): Promise<void> {
    await this.sql(
      `CREATE DATABASE \`${u.database}\` CHARACTER SET utf8mb4;` +
        `CREATE USER '${u.user}'@'127.0.0.1' IDENTIFIED BY '${u.password}';` +
        `GRANT ALL PRIVILEGES ON \`${u.database}\`.* TO '${u.user}'@'127.0.0.1';`,
    );
  }

  async stop(): Promise<void> {
    await stopChild(this.proc, 'SIGTERM', 20_000);
  }
}
