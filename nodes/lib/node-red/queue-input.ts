// What sms-queue-in does with an input message, in the order docs/nodes.md gives ("Input
// messages"): a routed-back message acknowledges its SMS, a ThingSpace callback body is an
// SMS pushed to us, anything else triggers a poll.
import type { NodeMessageInFlow } from 'node-red';
import type { QueueConsumer } from '../consumer/queue-consumer';
import { looksLikeCallbackBody } from '../message/callback-body';
import { looksLikeDeliveryNotice } from '../message/delivery-notice';
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
