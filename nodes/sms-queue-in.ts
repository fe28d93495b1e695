// sms-queue-in: drains the account's SMS queue, takes callback bodies and acknowledgements on its input.
// The work is done by QueueIn (nodes/lib/node-red/queue-in.ts); this file reads the properties and wires Node-RED to it.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { QueueIn } from './lib/node-red/queue-in';
import { CoordinatedReader } from './lib/node-red/coordinated-reader';
import { readSettings, type SmsQueueInDef } from './lib/node-red/queue-settings';
import { NodeError, errorMessage, shortText, toNodeError } from './lib/node-red/report';
import { userNode } from './lib/node-red/unusable';
import { answerModes, type FlowNodeConfig } from './lib/node-red/http-wiring';
import { PushListener, samePath, type HttpNodeApp } from './lib/node-red/push-listener';

module.exports = function (RED: NodeAPI): void {
  function SmsQueueIn(this: Node, def: SmsQueueInDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let coordinated: CoordinatedReader | undefined;
    // With coordination, statuses also name the runtime that reads.
    const { status, withConfig, idle } = userNode(RED, node, def, 'sms-queue-in.status.', () => coordinated?.label ?? '');
    const made = withConfig((usable) => {
      const settings = readSettings(def);
      if (settings.listen && RED.settings.httpNodeRoot === false) {
        throw new NodeError(`Cannot listen on ${settings.listen}: Node-RED's HTTP node server is off (httpNodeRoot: false)`, 'BAD_CONFIG');
      }
      return { settings, usable };
    });
    if (!made) return;
    const { settings, usable } = made;
    const { accountKey, accountName } = usable;

    const holder = usable.shared.claimReader(accountKey, node.id);
    if (holder !== undefined) {
      idle(
        new NodeError(`Another sms-queue-in node (${holder}) already reads account ${accountName}; this one stays idle`, 'BAD_CONFIG'),
        status.t('duplicateReader'),
      );
      return;
    }

    if (usable.coordinator) {
      coordinated = new CoordinatedReader({
        node,
        coordinator: usable.coordinator,
        account: accountKey,
        intervalMs: settings.intervalMs,
        manual: settings.ackMode === 'manual',
        report: (err, operation) => node.error(err, errorMessage(accountName, operation)),
      });
    }
    const queue = new QueueIn(node, usable, settings, status, coordinated);
    const middleware = [RED.settings.httpNodeMiddleware].flat().filter((m) => typeof m === 'function');
    const listener = settings.listen
      ? new PushListener(RED.httpNode as unknown as HttpNodeApp, settings.listen, (r) => queue.listen(r), middleware)
      : undefined;
    let refused: NodeError | undefined;
    // Once every node of the deploy exists (a message to a node not yet created is dropped, and a kept block
    // is emitted at start) and every http in node has its route (the listen path is checked then).
    const start = (flow: FlowNodeConfig[]): void => {
      try {
        listener?.open(httpInOn(flow, listener.path, node.id));
      } catch (err) {
        // Never thrown out of an event handler: that would stop Node-RED.
        refused = toNodeError(err);
        status.set(() => ({ fill: 'red', shape: 'ring', text: status.t('badConfig', { reason: shortText(refused!.message) }) }));
        node.error(refused, errorMessage(accountName, 'config'));
        return;
      }
      queue.start();
    };
    // One listener: the wiring is read again after every deploy; the node starts after the first.
    let started = false;
    const onFlowsStarted = (): void => {
      const flow: FlowNodeConfig[] = [];
      RED.nodes.eachNode((n: object) => void flow.push(n as FlowNodeConfig));
      queue.answerModes = answerModes(flow, node.id);
      if (!started) start(flow);
      started = true;
    };
    RED.events.on('flows:started', onFlowsStarted);

    node.on('input', function (msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: (err?: Error) => void) {
      if (refused) done(refused);
      else queue.input(msg, send, done);
    });

    node.on('close', function (_removed: boolean, done: () => void) {
      RED.events.off('flows:started', onFlowsStarted);
      listener?.close();
      status.close();
      const finish = (): void => {
        usable.shared.releaseReader(accountKey, node.id);
        done();
      };
      queue.close().then(finish, finish);
    });
  }

  /** The http in node (or sms-queue-in) serving POST `path`, named for the error. */
  function httpInOn(flow: FlowNodeConfig[], path: string, selfId: string): string | undefined {
    const by = flow.find((c) => {
      const url = c.type === 'http in' && c.method === 'post' ? c.url : c.type === 'sms-queue-in' ? c.listen : undefined;
      return c.id !== selfId && url !== undefined && samePath(`/${url.trim().replace(/^\//, '')}`, path);
    });
    return by && `${by.type} node ${by.name ? `"${by.name}" ` : ''}(${by.id})`;
  }

  RED.nodes.registerType('sms-queue-in', SmsQueueIn as unknown as (this: Node, def: NodeDef) => void);
};
