// What a closing node leaves in memory for the node that replaces it in this runtime (Node-RED closes the old
// nodes before it creates the new ones): parked under a key (its node id, or its account) until its successor
// takes it, or until it ends and `ended` gets it back. sms-out's (SendHandovers) is cancelled by its owner.
import type { EventEmitter } from 'node:events';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import type { BookState } from '../sender/correlations';

/** Nobody took it: in time, by the end of the deploy, or before the flows stopped outside one. */
export type HandoverEnd = 'timeout' | 'deploy' | 'stop';

type RuntimeEvent = { id?: string; payload?: { state?: string; deploy?: boolean } } | undefined;

export class Handovers<T> {
  private readonly parked = new Map<string, Array<{ value: T; timer: NodeJS.Timeout }>>();
  private listening = false;
  private readonly onStarted = (): void => this.endAll('deploy');
  private readonly onState = (e: RuntimeEvent): void => {
    if (e?.id === 'runtime-state' && e.payload?.state === 'stop' && !e.payload.deploy) this.endAll('stop');
  };

  /** With the runtime's `events`, a deploy's end or a stop of the flows also ends what is parked. */
  constructor(
    private readonly timeoutMs: number,
    private readonly ended: (value: T, why: HandoverEnd) => void = () => undefined,
    private readonly events?: EventEmitter,
  ) {}

  park(key: string, value: T): void {
    const entry = { value, timer: setTimeout(() => this.expire(key, entry), this.timeoutMs) };
    entry.timer.unref();
    this.parked.set(key, [...(this.parked.get(key) ?? []), entry]);
    this.listen();
  }

  /** What was parked under `key`, oldest first, now the caller's. */
  take(key: string): T[] {
    const entries = this.parked.get(key) ?? [];
    this.parked.delete(key);
    for (const e of entries) clearTimeout(e.timer);
    this.listen();
    return entries.map((e) => e.value);
  }

  private endAll(why: HandoverEnd): void {
    for (const key of [...this.parked.keys()]) for (const value of this.take(key)) this.ended(value, why);
  }

  private expire(key: string, entry: { value: T }): void {
    const left = (this.parked.get(key) ?? []).filter((e) => e !== entry);
    if (left.length > 0) this.parked.set(key, left);
    else this.parked.delete(key);
    this.listen();
    this.ended(entry.value, 'timeout');
  }

  /** Listens to the runtime only while it holds something. */
  private listen(): void {
    const on = this.parked.size > 0;
    if (!this.events || on === this.listening) return;
    this.listening = on;
    const fn = on ? 'on' : 'off';
    this.events[fn]('flows:started', this.onStarted);
    this.events[fn]('runtime-event', this.onState);
  }
}

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

type FlowLike = { handleError(node: Node, err: Error, msg: NodeMessageInFlow): boolean };

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
