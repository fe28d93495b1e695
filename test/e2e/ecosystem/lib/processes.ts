// Small helpers for the real servers the ecosystem tests start (mosquitto, mariadbd):
// find the binary, wait until a port accepts connections, stop a child for sure.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** The first of `candidates` that exists and is executable, else undefined. */
export function findBinary(candidates: string[]): string | undefined {
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here: try the next
    }
  }
  return undefined;
}

/**
 * A missing server skips the suite on a developer machine, but CI installs it
 * (.ci/run), so there a missing server is a failure, not a silent skip.
 */
export function requireOrSkip<T>(ctx: Mocha.Context, what: string, found: T | undefined): T | undefined {
  if (found) return found;
  if (process.env.CI === 'true') throw new Error(`${what} is not installed, and CI=true: .ci/run should have installed it`);
  console.log(`      (skipped: ${what} is not installed)`);
  ctx.skip();
  return undefined;
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects if `child` exits first. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before listening on ${port}:\n${output().slice(-3000)}`);
    if (await connects(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not listening on ${port} after ${timeoutMs} ms:\n${output().slice(-3000)}`);
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves when the child is gone. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
