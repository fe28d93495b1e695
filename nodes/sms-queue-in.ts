// sms-queue-in: polls, drains and acknowledges the account's SMS queue and emits one message
// per SMS (or per block); also takes ThingSpace callback bodies (push mode) and routed-back
// acknowledgements on its input. The work is done by QueueIn (nodes/lib/node-red/queue-in.ts)
// over the queue consumer; this file reads the properties and wires Node-RED to it.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { accountOf, namedAccount, usableConfig, type ThingSpaceConfigNode, type UsableConfig } from './lib/node-red/config-node';
import { QueueIn } from './lib/node-red/queue-in';
import { CoordinatedReader } from './lib/node-red/coordinated-reader';
import { readSettings, type Settings, type SmsQueueInDef } from './lib/node-red/queue-settings';
import { claimReader, releaseReader } from './lib/node-red/readers';
import { ReportedError, errorMessage, shortText, toReported } from './lib/node-red/report';
import { StatusLine, labelledStatus } from './lib/node-red/status';
import { idleWithError } from './lib/node-red/unusable';

module.exports = function (RED: NodeAPI): void {
  function SmsQueueIn(this: Node, def: SmsQueueInDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
    let coordinated: CoordinatedReader | undefined;
    // Statuses name the account the node names itself and, with coordination, the runtime that reads.
    const named = namedAccount(def.accountName);
    const shown = labelledStatus(node, () => named, () => coordinated?.label ?? '');
    const status = new StatusLine(shown, (key, vars) => RED._(key, vars), 'sms-queue-in.status.');

    let settings: Settings;
    let usable: UsableConfig;
    try {
      settings = readSettings(def);
      usable = usableConfig(config, def.accountName);
    } catch (err) {
      const r = toReported(err);
      const text = status.t('badConfig', { reason: shortText(r.message) });
      idleWithError(node, r, { fill: 'red', shape: 'ring', text }, errorMessage(accountOf(config, def.accountName), 'config'), shown);
      return;
    }
    const { accountKey, accountName } = usable;

    // One reader per account in this runtime: two would race for the same queue's blocks.
    const holder = claimReader(accountKey, node.id);
    if (holder !== undefined) {
      const r = new ReportedError(`Another sms-queue-in node (${holder}) already reads account ${accountName}; this one stays idle`, 'BAD_CONFIG');
      idleWithError(node, r, { fill: 'red', shape: 'ring', text: status.t('duplicateReader') }, errorMessage(accountName, 'config'), shown);
      return;
    }

    if (usable.coordinator) {
      const report = (err: ReportedError, operation: string): void => node.error(err, errorMessage(accountName, operation));
      coordinated = new CoordinatedReader({ node, coordinator: usable.coordinator, account: accountKey, intervalMs: settings.intervalMs, manual: settings.ackMode === 'manual', report });
    }
    const queue = new QueueIn(node, usable, settings, status, coordinated);
    // Not before every node of the deploy exists: Node-RED creates them one by one, and a
    // message sent to a node not yet created is dropped (a kept block is emitted at start).
    const start = (): void => queue.start();
    RED.events.once('flows:started', start);

    node.on('input', function (msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: (err?: Error) => void) {
      queue.input(msg, send, done);
    });

    node.on('close', function (_removed: boolean, done: () => void) {
      RED.events.off('flows:started', start);
      status.close();
      const finish = (): void => {
        releaseReader(accountKey, node.id);
        done();
      };
      queue.close().then(finish, finish);
    });
  }

  RED.nodes.registerType('sms-queue-in', SmsQueueIn as unknown as (this: Node, def: NodeDef) => void);
};
