// sms-out: sends each message's payload as an SMS to devices (POST /sms), emits the message
// once ThingSpace accepted it (output 1), and later the delivery outcome its notice brings
// (output 2). The work is done by SmsOut (nodes/lib/node-red/sms-out-runtime.ts); this file
// reads the properties and wires Node-RED to it.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { accountOf, namedAccount, usableConfig, type ThingSpaceConfigNode } from './lib/node-red/config-node';
import { errorMessage, shortText, toNodeError } from './lib/node-red/report';
import { reportAfterClose, watchRuntime } from './lib/node-red/send-handover';
import { SmsOut } from './lib/node-red/sms-out-runtime';
import { readSmsOutSettings, type SmsOutDef } from './lib/node-red/sms-out-settings';
import { StatusLine, labelledStatus } from './lib/node-red/status';
import { idleWithError } from './lib/node-red/unusable';

module.exports = function (RED: NodeAPI): void {
  // Sends a closed node left that no successor took are cancelled when the deploy ends.
  watchRuntime(RED.events);

  function SmsOutNode(this: Node, def: SmsOutDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
    // Statuses name the account when the node names its own.
    const named = namedAccount(def.accountName);
    const shown = labelledStatus(node, () => named);
    const status = new StatusLine(shown, (key, vars) => RED._(key, vars), 'sms-out.status.');

    let out: SmsOut;
    try {
      out = new SmsOut(node, usableConfig(config, def.accountName), readSmsOutSettings(def), status, (err, msg) => reportAfterClose(RED, node, err, msg));
    } catch (err) {
      const r = toNodeError(err);
      const text = status.t('badConfig', { reason: shortText(r.message) });
      idleWithError(node, r, { fill: 'red', shape: 'ring', text }, errorMessage(accountOf(config, def.accountName), 'config'), shown);
      return;
    }

    node.on('input', function (msg: NodeMessageInFlow, send: (m: Array<NodeMessage | null>) => void, done: (err?: Error) => void) {
      out.input(msg, send, done);
    });

    node.on('close', function (removed: boolean, done: () => void) {
      status.close();
      out.close(removed).then(done, done);
    });
  }

  RED.nodes.registerType('sms-out', SmsOutNode as unknown as (this: Node, def: NodeDef) => void);
};
