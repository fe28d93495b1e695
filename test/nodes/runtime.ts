// Node tests run our nodes in a real Node-RED runtime (node-red-node-test-helper) against
// the simulator over real HTTP. This file builds flows and waits on what they do.
import path from 'node:path';
import type { ThingSpaceSimulator } from '../../simulator/server';

// The helper ships no types; this is the part of it the tests use. It spies the methods
// of Node.prototype, so a spy's calls are every node's: filter on thisValue.
export interface SpiedMethod {
  (...a: unknown[]): void;
  getCalls(): Array<{ thisValue: { id: string }; args: unknown[] }>;
}
export interface TestNode {
  id: string;
  on(event: string, fn: (...args: never[]) => void): void;
  receive(msg: Record<string, unknown>): void;
  status: SpiedMethod;
  error: SpiedMethod;
  warn: SpiedMethod;
  log: SpiedMethod;
  debug: SpiedMethod;
}
export interface Helper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown[], flow: unknown[], creds?: Record<string, unknown>): Promise<void>;
  setFlows(flow: unknown[], type: 'full' | 'flows' | 'nodes', creds?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  /** Stops the flows, as Node-RED does at a shutdown (the spies stay). */
  clearFlows(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): { post(url: string): { send(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> } };
  log(): { args: unknown[][] };
  settings(s: Record<string, unknown>): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper: Helper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));

const built = path.resolve(__dirname, '..', '..', 'nodes');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const configNode = require(path.join(built, 'thingspace-config.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const queueNode = require(path.join(built, 'sms-queue-in.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const callbacksNode = require(path.join(built, 'start-callbacks.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const outNode = require(path.join(built, 'sms-out.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const completeNode = require('@node-red/nodes/core/common/24-complete.js');
export const ALL_NODES = [configNode, queueNode, callbacksNode, outNode, catchNode, completeNode];

export const ACCOUNT = '0000123456-00001';
export const TAB = 'tab1';
export const SIM_CREDS = {
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  username: 'sim-user',
  password: 'sim-password',
};

export function config(sim: ThingSpaceSimulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'cfg', type: 'thingspace-config', name: 'sim', accountName: ACCOUNT, server: sim.url, ...extra };
}

export function credentials(extra: Record<string, string> = {}): Record<string, unknown> {
  return { cfg: { ...SIM_CREDS, ...extra } };
}

export function queue(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'q',
    type: 'sms-queue-in',
    z: TAB,
    thingspace: 'cfg',
    interval: '60',
    ackMode: 'auto',
    ackTimeout: '60',
    output: 'single',
    dedupe: true,
    topic: '',
    wires: [['out']],
    ...extra,
  };
}

/** A tab with the nodes, a helper node `out`, and a catch node feeding helper `caught`. */
export function flow(...nodes: Record<string, unknown>[]): Record<string, unknown>[] {
  return [
    { id: TAB, type: 'tab', label: 'test' },
    ...nodes,
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catcher', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

/**
 * Collects the payload of every message delivered to node `id`, whichever instance of it a
 * redeploy made: a node that emits as it starts (a restored block) may send before a test
 * could attach a listener to the new instance. Uses Node-RED's own message hooks; call the
 * returned stop() at the end of the test.
 */
export function collectAcrossDeploys(id: string): { payloads: unknown[]; msgs: Record<string, unknown>[]; stop(): void } {
  const hooks = (
    helper as unknown as {
      _RED: { hooks: { add(name: string, fn: (e: { destination: { id: string }; msg: Record<string, unknown> }) => void): void; remove(name: string): void } };
    }
  )._RED.hooks;
  const label = `onReceive.collect${++collectors}`;
  const payloads: unknown[] = [];
  const msgs: Record<string, unknown>[] = [];
  hooks.add(label, (e) => {
    if (e.destination.id !== id) return;
    payloads.push(e.msg.payload);
    msgs.push(e.msg);
  });
  return { payloads, msgs, stop: () => hooks.remove(label) };
}
let collectors = 0;

/** Collects every message a helper node receives. */
export function collect(id: string): Record<string, unknown>[] {
  const got: Record<string, unknown>[] = [];
  helper.getNode(id).on('input', ((msg: Record<string, unknown>) => got.push(msg)) as never);
  return got;
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every status a node has shown, as {fill, shape, text} objects. */
export function statuses(id: string): Array<{ fill?: string; shape?: string; text?: string }> {
  return calls(id, 'status').map((a) => a[0] as { fill?: string; shape?: string; text?: string });
}

/** The arguments of every call a node made to one of its spied methods. */
export function calls(id: string, method: 'status' | 'error' | 'warn' | 'log' | 'debug'): unknown[][] {
  const node = helper.getNode(id);
  return node[method]
    .getCalls()
    .filter((c) => c.thisValue && c.thisValue.id === id)
    .map((c) => c.args);
}

export function lastStatus(id: string): { fill?: string; shape?: string; text?: string } | undefined {
  const all = statuses(id);
  return all[all.length - 1];
}
