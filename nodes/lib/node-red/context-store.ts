// Node context as the queue consumer's store (nodes/lib/consumer/types.ts, ConsumerStore):
// works with any context store, sync or async. A save settles once a write that began after
// it has finished (for a file store without cache: on disk). Writes are coalesced, one in
// flight and one waiting: the state is one live object, so the waiting write carries every
// change made meanwhile, and a burst of acknowledgements costs two writes of the context
// file, not one each.
//
// Across a redeploy: when settings.js configures no context store, Node-RED deletes a
// node's context as the node closes (Node.close -> context.delete), so the SMS a closing node
// kept for its successor (manual mode's unacknowledged SMS, an answer that came while
// closing) would be gone. The closing node therefore also hands its state over in memory,
// keyed by node id and account, and the next instance of that node takes it if its context
// is empty and it reads the same account.
import type { Node } from 'node-red';
import type { ConsumerStore, PersistedState } from '../consumer/types';

const CONTEXT_KEY = 'thingspace';
/** A state nobody took within this long belongs to a node that was removed, not redeployed. */
const HANDOVER_MS = 60_000;

const handovers = new Map<string, { state: PersistedState; timer: NodeJS.Timeout }>();

function takeHandover(nodeId: string): PersistedState | undefined {
  const entry = handovers.get(nodeId);
  if (!entry) return undefined;
  clearTimeout(entry.timer);
  handovers.delete(nodeId);
  return entry.state;
}

export interface NodeContextStore extends ConsumerStore {
  /** The node is closing: keep its last state for the next instance of the same node. */
  handOver(): void;
}

/** `scope` names what the state belongs to (server and account): a node moved to another
 *  account does not inherit the SMS kept for the old one. */
export function contextStore(node: Node, scope: string, onError: (err: Error) => void): NodeContextStore {
  const ctx = node.context();
  const handoverKey = `${node.id}|${scope}`;
  let writing = false;
  let waiting: Array<() => void> = [];
  let latest: PersistedState | undefined;
  const write = (state: PersistedState, settle: Array<() => void>): void => {
    writing = true;
    ctx.set(CONTEXT_KEY, state, (err: Error) => {
      if (err) onError(err);
      for (const done of settle) done();
      if (waiting.length > 0) {
        const next = waiting;
        waiting = [];
        write(latest!, next);
      } else {
        writing = false;
      }
    });
  };
  return {
    load: () =>
      new Promise<PersistedState | undefined>((resolve) => {
        const handedOver = takeHandover(handoverKey);
        ctx.get(CONTEXT_KEY, (err: Error, value: unknown) => {
          if (err) onError(err);
          const stored = err ? undefined : (value as PersistedState | undefined);
          resolve(stored ?? handedOver);
        });
      }),
    save: (state) =>
      new Promise<void>((resolve) => {
        latest = state;
        if (writing) waiting.push(resolve);
        else write(state, [resolve]);
      }),
    handOver: () => {
      if (latest === undefined) return;
      takeHandover(handoverKey);
      const timer = setTimeout(() => handovers.delete(handoverKey), HANDOVER_MS);
      timer.unref();
      handovers.set(handoverKey, { state: latest, timer });
    },
  };
}
