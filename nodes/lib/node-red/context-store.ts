// Node context as the queue consumer's store, writes coalesced. Without a configured context store Node-RED deletes
// a closing node's context, so the state is also handed over in memory to the node's next instance.
import type { Node } from 'node-red';
import { CoalescingWriter } from '../consumer/coalescing-writer';
import type { ConsumerStore, PersistedState } from '../consumer/types';
import type { UsableConfig } from './config-node';
import { contextCell } from './snapshot-store';

const CONTEXT_KEY = 'thingspace';

export interface NodeContextStore extends ConsumerStore {
  /** The node is closing: keep its last state for the next instance of the same node. */
  handOver(): void;
}

/** The state belongs to the node's account: a node moved to another account does not inherit the SMS kept for the old one. */
export function contextStore(node: Node, config: UsableConfig, onError: (err: Error) => void): NodeContextStore {
  const cell = contextCell<PersistedState>(node, CONTEXT_KEY, onError);
  const handovers = config.shared.states;
  const handoverKey = `${node.id}|${config.accountKey}`;
  const writer = new CoalescingWriter<PersistedState>(cell.set, onError);
  return {
    // What is stored wins over what was handed over in memory.
    load: () => cell.get(handovers.take(handoverKey).at(-1)),
    save: (state) => writer.save(state),
    handOver: () => {
      if (writer.latest === undefined) return;
      handovers.take(handoverKey);
      handovers.park(handoverKey, writer.latest);
    },
  };
}
