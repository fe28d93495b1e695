// What a closing sms-out leaves to the node that replaces it in this runtime (handovers.ts): its
// waiting sends (the original messages, in order), the sends that ended while it closed, and its
// pending correlations. What none takes by the time the flows have started, or when Node-RED
// stops them, is cancelled by its owner (one Catch error per message, each named in the log).
import type { EventEmitter } from 'node:events';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import type { BookState } from '../sender/correlations';
import { Handovers } from './handovers';

export interface EndedAtClose {
  msg: NodeMessageInFlow;
  /** Undefined: ThingSpace accepted it (the message has its requestId). */
  error?: Error;
  /** The closing node's done for it, called only when no successor takes it. */
  done: (err?: Error) => void;
}

export interface Handover {
  book: BookState;
  waiting: NodeMessageInFlow[];
  ended: EndedAtClose[];
  /** Ends what nobody took; `why` completes "not sent: ...". */
  cancel(why: string): void;
}

/** A hand-over waits this long at most for its successor (a deploy takes far less). */
const HANDOVER_MS = 60_000;
/** How long a successor waits for the flows to have started before it emits what it took. */
const START_WAIT_MS = 5_000;

// Module-level: what a closed node leaves must outlive it until its successor starts.
export const sendHandovers = new Handovers<Handover>(HANDOVER_MS, (h) => h.cancel(`no sms-out node took it over within ${HANDOVER_MS / 1000} s`));
const startWaiters = new Set<() => void>();
const watched = new WeakSet<EventEmitter>();

/** The keys a hand-over is parked and found under: the node's own id (a redeployed node), and
 *  the account it sends for (nodes/lib/client/account.ts: a node removed, another one added). */
export function handoverKeys(nodeId: string, accountKey: string): { node: string; account: string } {
  return { node: `node:${nodeId}`, account: `account:${accountKey}` };
}

function cancelAll(why: string): void {
  for (const h of sendHandovers.takeAll()) h.cancel(why);
}

/** Settles once the flows being started have started (their Catch nodes and wires exist). */
export function flowsStarted(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      startWaiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, START_WAIT_MS);
    startWaiters.add(done);
  });
}

/** Once per runtime: a deploy's end cancels what no successor took, and so does a stop of the
 *  flows outside a deploy (Node-RED shutting down, or the flows stopped from the editor). */
export function watchRuntime(events: EventEmitter): void {
  if (watched.has(events)) return;
  watched.add(events);
  events.on('flows:started', () => {
    for (const w of [...startWaiters]) w();
    cancelAll('no sms-out node took it over after the deploy');
  });
  events.on('runtime-event', (e: { id?: string; payload?: { state?: string; deploy?: boolean } }) => {
    if (e?.id === 'runtime-state' && e.payload?.state === 'stop' && !e.payload.deploy) cancelAll('Node-RED stopped the flows');
  });
}

interface FlowLike {
  handleError(node: Node, err: Error, msg: NodeMessageInFlow): boolean;
}

/** Reports `err` for a closed node to the Catch nodes of its tab as it runs now: a full deploy
 *  restarted the tab, so the node's own flow is gone. Node-RED has no public call for this: the
 *  node that replaced it reports, else the running flow of its tab (a live node's `_flow`). */
export function reportAfterClose(RED: NodeAPI, node: Node, err: Error, msg: NodeMessageInFlow): void {
  const successor = RED.nodes.getNode(node.id);
  if (successor && successor !== node) return successor.error(err, msg);
  let flow: FlowLike | undefined;
  RED.nodes.eachNode((n) => {
    const live = flow || n.z !== node.z ? undefined : (RED.nodes.getNode(n.id) as (Node & { _flow?: FlowLike }) | null);
    if (live?._flow && typeof live._flow.handleError === 'function') flow = live._flow;
  });
  if (!flow || !flow.handleError(node, err, msg)) node.error(err, msg);
}
