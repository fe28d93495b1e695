// sms-out: sends each message's payload as an SMS (POST /sms); the work is done by SmsOut
// (nodes/lib/node-red/sms-out-runtime.ts), this file wires Node-RED to it.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { reportAfterClose } from './lib/node-red/handovers';
import { SmsOut } from './lib/node-red/sms-out-runtime';
import { readSmsOutSettings, type SmsOutDef } from './lib/node-red/sms-out-settings';
import { userNode } from './lib/node-red/unusable';

module.exports = function (RED: NodeAPI): void {
  function SmsOutNode(this: Node, def: SmsOutDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { status, withConfig } = userNode(RED, node, def, 'sms-out.status.');
    const out = withConfig((usable) => new SmsOut(node, usable, readSmsOutSettings(def), status, (err, msg) => reportAfterClose(RED, node, err, msg)));
    if (!out) return;

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
