// What sms-queue-in does with an input message, in the order docs/nodes.md gives ("Input
// messages"): a routed-back message acknowledges its SMS, a ThingSpace callback body is an
// SMS pushed to us, anything else triggers a poll.
import type { NodeMessage, NodeMessageInFlow } from 'node-red';
import type { QueueConsumer } from '../consumer/queue-consumer';
import { looksLikeCallbackBody, parseCallbackBody, redactCallbackBody, type CallbackCredentials, type CallbackParseResult } from '../message/callback-body';
import { looksLikeDeliveryNotice } from '../message/delivery-notice';
import { toBatchMessage, toSingleMessage } from '../message/output';
import type { TopicFunction } from '../message/topic';
import { answerHttp } from './http-reply';
import type { Settings } from './queue-settings';
import { NodeError } from './report';

export type InputKind = 'ack' | 'push' | 'poll';

export function inputKind(msg: NodeMessageInFlow): InputKind {
  const ts = (msg as { thingspace?: unknown }).thingspace;
  if (ts !== undefined && ts !== null && typeof ts === 'object' && 'source' in ts) return 'ack';
  // A delivery notice of a sent SMS is a callback too (notice-input.ts takes it from there).
  if (msg.req !== undefined || looksLikeCallbackBody(msg.payload) || looksLikeDeliveryNotice(msg.payload)) return 'push';
  return 'poll';
}

/** A routed-back message: undefined when it acknowledged its SMS (or needs nothing), else why not. */
export function acknowledge(msg: NodeMessageInFlow, consumer: QueueConsumer, settings: Settings, accountName: string): NodeError | undefined {
  // Auto mode acknowledged it already; a routed-back message needs nothing.
  if (settings.ackMode !== 'manual') return undefined;
  const ref = (msg as unknown as { thingspace: { accountName?: unknown; block?: unknown; index?: unknown } }).thingspace;
  if (ref.accountName !== accountName || typeof ref.block !== 'string' || typeof ref.index !== 'number') {
    return new NodeError('msg.thingspace is not an acknowledgement from this node (account, block or index missing or foreign)', 'BAD_INPUT');
  }
  if (!consumer.ack({ block: ref.block, index: ref.index })) {
    return new NodeError(
      `Acknowledgement for an SMS this node no longer waits for (block ${ref.block}): it was acknowledged already, or re-read after ackTimeout`,
      'BAD_INPUT',
    );
  }
  return undefined;
}

export interface PushContext {
  consumer: QueueConsumer;
  settings: Settings;
  accountName: string;
  topic: TopicFunction;
}

export type PushOutcome =
  | { kind: 'emit'; out: NodeMessage }
  /** Already delivered: ThingSpace got its 200, the flow gets nothing. */
  | { kind: 'duplicate' }
  /** Unreadable or unauthorised: answered 400/401; Catch gets `shown` (credentials masked). */
  | { kind: 'refused'; error: NodeError; shown: NodeMessage };

/** A ThingSpace callback body (push mode), read once: coordination checks the SMS it carries
 *  (coordinated-reader.ts) before `acceptPush` takes it. */
export interface PushedBody {
  parsed: CallbackParseResult;
  receivedAt: Date;
}

export function readPush(msg: NodeMessageInFlow, expected: CallbackCredentials | undefined): PushedBody {
  const receivedAt = new Date();
  return { parsed: parseCallbackBody(msg.payload, { receivedAt, expected }), receivedAt };
}

/** A pushed body, through the consumer's dedupe. */
export function acceptPush(msg: NodeMessageInFlow, { parsed, receivedAt }: PushedBody, ctx: PushContext): PushOutcome {
  if (!parsed.ok) {
    answerHttp(msg, parsed.code === 'CALLBACK_UNAUTHORIZED' ? 401 : 400);
    // The whole message, so the user can see and report the body, with the callback
    // credentials masked and without the http in request/response objects.
    const shown: NodeMessage = { ...msg, payload: redactCallbackBody(msg.payload) };
    delete shown.req;
    delete shown.res;
    return { kind: 'refused', error: new NodeError(parsed.reason, parsed.code), shown };
  }
  const item = ctx.consumer.pushed(parsed.sms);
  if (!item) {
    // ThingSpace gets its 2xx so it stops retrying the push.
    answerHttp(msg, 200);
    return { kind: 'duplicate' };
  }
  const { accountName, topic } = ctx;
  const out: NodeMessage =
    ctx.settings.output === 'batch'
      ? toBatchMessage([item], { accountName, source: 'callback', topic, block: item.ref.block })
      : toSingleMessage(item.sms, {
          accountName,
          source: 'callback',
          topic,
          block: item.ref.block,
          index: item.ref.index,
          key: item.key,
          receivedAt: receivedAt.toISOString(),
          timestampLocal: parsed.timestampLocal,
        });
  // A batch of one callback SMS acknowledges that SMS: its ref, not a whole block.
  if (ctx.settings.output === 'batch') (out.thingspace as { index: number }).index = item.ref.index;
  // Keep the http in request/response so an http response node downstream can answer.
  out._msgid = msg._msgid;
  if (msg.req !== undefined) {
    // http in keeps the parsed body on req: mask the callback credentials there too, or a
    // debug node showing the whole message would print them. Nothing downstream needs them:
    // they were checked above.
    const req = msg.req as { body?: unknown };
    if (req.body !== undefined) req.body = redactCallbackBody(req.body);
    out.req = msg.req;
  }
  if (msg.res !== undefined) out.res = msg.res;
  return { kind: 'emit', out };
}
