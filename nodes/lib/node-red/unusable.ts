// What every node using a config node starts with: its status line, labelled with the account it names, and its
// one bad-configuration path: a node that cannot work says why on its status and to Catch, and refuses every input.
import type { Node, NodeAPI, NodeMessageInFlow, NodeStatus } from 'node-red';
import { accountKey } from '../client/account';
import type { ThingSpaceConfigNode, UsableConfig } from './config-node';
import { NodeError, errorMessage, shortText, toNodeError } from './report';
import { StatusLine } from './status';

/** `prefix`: the node's status texts in the catalog; `labels`: more labels for its status line. */
export function userNode(RED: NodeAPI, node: Node, def: { thingspace: string; accountName?: string }, prefix: string, ...labels: Array<() => string>) {
  const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
  // The account the node names itself, else the config node's.
  const named = typeof def.accountName === 'string' ? def.accountName.trim() : '';
  const accountName = named || (config?.accountName ?? '');
  const status = new StatusLine(node, (key, vars) => RED._(key, vars), prefix, [() => named, ...labels]);
  /** Leaves the node idle with `err`: its status shows `statusText`, else the reason. */
  const idle = (err: unknown, statusText?: string): void => {
    const error = toNodeError(err);
    const shown = (): NodeStatus => ({ fill: 'red', shape: 'ring', text: statusText ?? status.t('badConfig', { reason: shortText(error.message) }) });
    status.set(shown);
    // Again on the next turn: Catch and Status nodes later in the flow may not exist yet.
    const report = setImmediate(() => {
      status.set(shown);
      node.error(error, errorMessage(accountName, 'config'));
    });
    node.on('input', function (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) {
      done(error);
    });
    node.on('close', function (_removed: boolean, done: () => void) {
      clearImmediate(report);
      status.close();
      done();
    });
  };
  return {
    status,
    /** `make(usable)`, or undefined when it (or the config node's check) threw: the node is then idle. */
    withConfig<T>(make: (usable: UsableConfig) => T): T | undefined {
      try {
        return make(usable(config, accountName));
      } catch (err) {
        idle(err);
        return undefined;
      }
    },
    idle,
  };
}

/** The config node, for the node's account, if a user node can work with it; else a BAD_CONFIG (or the config's own) error. */
function usable(config: ThingSpaceConfigNode | null, accountName: string): UsableConfig {
  if (!config) throw new NodeError('No ThingSpace account (config node) selected', 'BAD_CONFIG');
  if (config.configError) throw config.configError;
  if (!config.client) throw new NodeError('The ThingSpace account (config node) has no client', 'BAD_CONFIG');
  return {
    accountName,
    server: config.server,
    accountKey: accountKey(config.server, accountName),
    api: config.client.forAccount(accountName),
    coordinator: config.coordinator,
    sourceFilter: config.sourceFilter,
    activity: config.activity,
    callbackCredentials: () => config.callbackCredentials(),
    shared: config.shared,
  };
}
