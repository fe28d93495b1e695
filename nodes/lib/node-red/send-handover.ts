// What a closing sms-out leaves to the node that replaces it in this runtime (handovers.ts): its
// waiting sends (the original messages, in order), the sends that ended while it closed, and its
// pending correlations. What none takes by the time the flows have started, or when Node-RED
// stops them, is cancelled by its owner (one Catch error per message, each named in the log).
import type { EventEmitter } from 'node:events';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import type { BookState } from '../sender/correlations';
import { Handovers, type HandoverEnd } from './handovers';

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
/** Completes "not sent: ..." for what no successor took. */
const NOT_TAKEN: Record<HandoverEnd, string> = {
  timeout: `no sms-out node took it over within ${HANDOVER_MS / 1000} s`,
  deploy: 'no sms-out node took it over after the deploy',
  stop: 'Node-RED stopped the flows',
};

/** A runtime's sms-out hand-overs: what no successor took is cancelled by its owner. */
export class SendHandovers extends Handovers<Handover> {
  constructor(private readonly runtime: EventEmitter) {
    super(HANDOVER_MS, (h, why) => h.cancel(NOT_TAKEN[why]), runtime);
  }

  /** Settles once the flows being started have started (their Catch nodes and wires exist). */
  flowsStarted(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.runtime.off('flows:started', done);
        resolve();
      };
      const timer = setTimeout(done, START_WAIT_MS);
      this.runtime.on('flows:started', done);
    });
  }
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
