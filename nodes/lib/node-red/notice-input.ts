// A delivery notice arriving as a flow message, checked like any callback body and handed to the sms-out node that
// sent the SMS. ThingSpace gets its answer here, since the notice goes no further; a refused one reaches Catch.
import type { Node, NodeMessageInFlow } from 'node-red';
import { SMS_DELIVERY_SERVICE } from '../types';
import { isObject } from '../client/json-values';
import { callbackCredentialsFailure, decodeCallbackBody, redactCallbackBody } from '../message/callback-body';
import { looksLikeDeliveryNotice, parseDeliveryNotice } from '../message/delivery-notice';
import type { UsableConfig } from './config-node';
import { answerHttp } from './http-reply';
import { NodeError, configError, toNodeError } from './report';

export type Done = (err?: Error) => void;

/** The decoded body, if the message carries a delivery notice. Strings and Buffers only from http in. */
export function noticeBody(msg: NodeMessageInFlow): unknown {
  const p = msg.payload;
  if (isObject(p)) return looksLikeDeliveryNotice(p) ? p : undefined;
  if (msg.req === undefined || (typeof p !== 'string' && !Buffer.isBuffer(p))) return undefined;
  const decoded = decodeCallbackBody(p);
  return decoded.ok && looksLikeDeliveryNotice(decoded.value) ? decoded.value : undefined;
}

async function acceptNotice(node: Node, msg: NodeMessageInFlow, body: unknown, config: UsableConfig): Promise<void> {
  const refuse = (status: number, error: NodeError): void => {
    answerHttp(msg, status);
    // Catch nodes get it with credentials masked, without the http objects.
    const { req, res, ...shown } = msg; // eslint-disable-line @typescript-eslint/no-unused-vars
    node.error(error, { ...shown, payload: redactCallbackBody(body) });
  };
  const denied = callbackCredentialsFailure(body, config.callbackCredentials());
  if (denied) return refuse(401, new NodeError(denied.reason, denied.code));
  const parsed = parseDeliveryNotice(body, new Date());
  if (!parsed.ok) return refuse(400, new NodeError(parsed.reason, 'BAD_INPUT'));
  // 200 either way: sending it again would not give the account an sms-out node.
  if (await config.shared.routeNotice(config.accountKey, parsed.notice)) return answerHttp(msg, 200);
  const text = `A delivery notice (requestId ${parsed.notice.requestId}, ${parsed.notice.thingspaceStatus}) arrived for account ${config.accountName}, but no sms-out node uses that account: add one to receive outcomes, or stop registering ${SMS_DELIVERY_SERVICE}`;
  refuse(200, configError(text));
}

/** True when the message needs nothing more (done called here): a refused source, or a notice handed on.
 *  `sourceFirst` for sms-queue-in; sms-out checks sources only for notices, as its input also takes messages to send. */
export function interceptCallback(node: Node, msg: NodeMessageInFlow, config: UsableConfig, done: Done, sourceFirst: boolean): boolean {
  const body = noticeBody(msg);
  if (body === undefined && !sourceFirst) return false;
  if (config.sourceFilter?.refuse(node, msg)) {
    done();
    return true;
  }
  if (body === undefined) return false;
  acceptNotice(node, msg, body, config).then(
    () => done(),
    (err: unknown) => done(toNodeError(err, (e) => config.api.unexpected(e, 'notice'))),
  );
  return true;
}
