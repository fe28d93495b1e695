// A node that cannot work says why on its status and to Catch nodes, and refuses every input with that error.
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { accountOf, namedAccount, usableConfig, type ThingSpaceConfigNode, type UsableConfig } from './config-node';
import { errorMessage, shortText, toNodeError, type NodeError } from './report';
import { StatusLine, labelledStatus, type StatusTarget } from './status';

/** `shown`: where the status goes (a labelled status: status.ts). */
function idleWithError(node: Node, error: NodeError, status: NodeStatus, catchMsg: NodeMessage, shown: StatusTarget): void {
  shown.status(status);
  // Again on the next turn: Catch and Status nodes later in the flow may not exist yet.
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

interface UserNode {
  status: StatusLine;
  /** `make(usable)`, or undefined when it (or the config node's check) threw: the node is then idle. */
  withConfig<T>(make: (usable: UsableConfig) => T): T | undefined;
  /** Leaves the node idle with `err`: its status shows `statusText`, else the reason. */
  idle(err: unknown, statusText?: string): void;
}

/** What every node using a config node starts with: its status line (texts under `prefix`) and its one path for a
 *  bad configuration. */
export function userNode(
  RED: NodeAPI,
  node: Node,
  def: { thingspace: string; accountName?: string },
  prefix: string,
  ...labels: Array<() => string>
): UserNode {
  const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
  const named = namedAccount(def.accountName);
  const shown = labelledStatus(node, () => named, ...labels);
  const status = new StatusLine(shown, (key, vars) => RED._(key, vars), prefix);
  const idle = (err: unknown, statusText?: string): void => {
    const r = toNodeError(err);
    const text = statusText ?? status.t('badConfig', { reason: shortText(r.message) });
    idleWithError(node, r, { fill: 'red', shape: 'ring', text }, errorMessage(accountOf(config, def.accountName), 'config'), shown);
  };
  return {
    status,
    withConfig: (make) => {
      try {
        return make(usableConfig(config, def.accountName));
      } catch (err) {
        idle(err);
        return undefined;
      }
    },
    idle,
  };
}
