// A node that cannot work (a bad property, no config node, an unusable account): it says why
// on its status and to Catch nodes, refuses every input with the same error, and does
// nothing else. Shared by the node files.
import type { Node, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { NodeError } from './report';
import type { StatusTarget } from './status';

/** `shown`: where the status goes, when not straight to the node (a labelled status: status.ts). */
export function idleWithError(node: Node, error: NodeError, status: NodeStatus, catchMsg: NodeMessage, shown: StatusTarget = node): void {
  shown.status(status);
  // Reported again on the next turn: Catch and Status nodes later in the flow may not exist
  // yet (a status set while the flow starts reaches the editor, not a Status node).
  const report = setImmediate(() => {
    shown.status(status);
    node.error(error, catchMsg);
  });
  node.on('input', function (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) {
    done(error);
  });
  node.on('close', function (_removed: boolean, done: () => void) {
    clearImmediate(report);
    node.status({});
    done();
  });
}
