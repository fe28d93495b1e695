// start-callbacks: PUT /sms/{accountName}/startCallbacks, so ThingSpace replays the queue to the registered
// listener, optionally registering that listener first (the work: nodes/lib/node-red/callback-starter.ts).
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { checkCallbackUrl, undeliverablePort } from './lib/client/callback-url';
import { CallbackStarter } from './lib/node-red/callback-starter';
import { NodeError, shortText } from './lib/node-red/report';
import { userNode } from './lib/node-red/unusable';

interface StartCallbacksDef extends NodeDef {
  thingspace: string;
  /** The billing account this node uses (one of the config node's user); empty: the config node's. */
  accountName?: string;
  callbackUrl: string;
  onDeploy: boolean | string;
  /** Also register the SMSDeliveryConfirmation listener (for sms-out), at deliveryUrl or callbackUrl. */
  deliveryNotices?: boolean | string;
  deliveryUrl?: string;
}

/** An optional listener URL property: undefined when empty; throws BAD_CONFIG when malformed. */
function listenerUrl(value: string | undefined): string | undefined {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  const url = checkCallbackUrl(text);
  if (!url.ok) throw new NodeError(`${url.reason}: "${shortText(text)}"`, 'BAD_CONFIG');
  return url.url;
}

module.exports = function (RED: NodeAPI): void {
  function StartCallbacks(this: Node, def: StartCallbacksDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { status, withConfig } = userNode(RED, node, def, 'start-callbacks.status.');
    const starter = withConfig((usable) => {
      const url = listenerUrl(def.callbackUrl);
      const notices = def.deliveryNotices === true || def.deliveryNotices === 'true';
      const deliveryUrl = notices ? (listenerUrl(def.deliveryUrl) ?? url) : undefined;
      if (notices && !deliveryUrl) throw new NodeError('Delivery notices need a listener URL (Listener URL or Notices URL)', 'BAD_CONFIG');
      const made = new CallbackStarter(usable, url, status, deliveryUrl);
      // A warning, not a refusal: the port list is Verizon's (docs/thingspace-api.md, "Callback listeners").
      for (const port of new Set([url, deliveryUrl].map((u) => u && undeliverablePort(u, usable.server)))) {
        if (port) node.warn(`Verizon's ThingSpace does not call listeners on port ${port}: use 80, 443, 9001-9006, 50551-50559 or 28200-28220`);
      }
      return made;
    });
    if (!starter) return;

    node.on('input', function (msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: (err?: Error) => void) {
      starter.handle(msg, send, done);
    });

    // Once when the flow starts, as an inject node's "inject once" does: the result goes out, an error to Catch.
    const onDeploy = def.onDeploy === true || def.onDeploy === 'true' ? setImmediate(() => node.receive({ payload: undefined })) : undefined;

    node.on('close', function (_removed: boolean, done: () => void) {
      if (onDeploy) clearImmediate(onDeploy);
      starter.close();
      status.close();
      done();
    });
  }

  RED.nodes.registerType('start-callbacks', StartCallbacks as unknown as (this: Node, def: NodeDef) => void);
};
