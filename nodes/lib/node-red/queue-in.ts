// The runtime behind an sms-queue-in node: its queue consumer (nodes/lib/consumer), the flow messages it emits,
// its status line and its input messages. The node file reads the properties and hands Node-RED's calls to this.
import { randomBytes } from 'node:crypto';
import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ThingSpaceError } from '../client/errors';
import { QueueConsumer } from '../consumer/queue-consumer';
import { looksLikeCallbackBody, parseCallbackBody, redactCallbackBody, type CallbackParseResult } from '../message/callback-body';
import { looksLikeDeliveryNotice } from '../message/delivery-notice';
import type { ConsumerBlock, ConsumerItem, ConsumerState } from '../consumer/types';
import { toBatchMessage, toSingleMessage, type SingleContext } from '../message/output';
import { compileTopic, type TopicFunction } from '../message/topic';
import { timedHistory, type AccountFeed } from './activity';
import type { UsableConfig } from './config-node';
import { contextStore, type NodeContextStore } from './context-store';
import type { CoordinatedReader } from './coordinated-reader';
import { answerHttp } from './http-reply';
import { answerModeFor, type AnswerMode } from './http-wiring';
import { interceptCallback } from './notice-input';
import type { ListenerRequest } from './push-listener';
import { showConsumerState, type Counts } from './queue-status';
import type { Settings } from './queue-settings';
import { NodeError, errorMessage, toNodeError } from './report';
import type { StatusLine } from './status';

type Send = (msg: NodeMessage) => void;
type Done = (err?: Error) => void;

export class QueueIn {
  private readonly consumer: QueueConsumer;
  private readonly store: NodeContextStore;
  private readonly accountName: string;
  private readonly topic: TopicFunction;
  private readonly counts: Counts = { received: 0, pushed: 0 };
  private readonly feed: AccountFeed;
  private readonly onRejected = (err: ThingSpaceError): void => {
    this.status.rejected(err);
    this.feed.credentialsRejected(err.code);
  };
  /** Who answers an http in request, by route: read from the flow's wiring after every deploy (http-wiring.ts). */
  answerModes: ReadonlyMap<string, AnswerMode> = new Map();
  private anotherReaderSaid = false;
  private closed = false;

  constructor(
    private readonly node: Node,
    private readonly config: UsableConfig,
    private readonly settings: Settings,
    private readonly status: StatusLine,
    private readonly coordinated?: CoordinatedReader,
  ) {
    this.accountName = config.accountName;
    this.topic = compileTopic(settings.topic);
    this.feed = config.activity.account(config.accountKey, coordinated?.runtime, true);
    this.store = contextStore(node, config, (err) => this.fail(new NodeError(`Context store: ${err.message}`, 'ERROR'), 'context'));
    this.consumer = new QueueConsumer({
      api: timedHistory(config.api, this.feed),
      intervalMs: settings.intervalMs,
      ackMode: settings.ackMode,
      ackTimeoutMs: settings.ackTimeoutMs,
      dedupe: settings.dedupe,
      store: coordinated?.reader.store ?? this.store,
      gate: coordinated?.reader.lease,
    });
    this.feed.watch(this, this.consumer);
    this.consumer.on('suspect', () => this.anotherReader());
    this.consumer.on('block', (block) => this.emitBlock(block));
    this.consumer.on('state', (s: ConsumerState) => showConsumerState(status, s, this.counts));
    this.consumer.on('error', (err: ThingSpaceError) => this.fail(err, err.operation ?? 'history'));
    // Another node on the same config was told the credentials are wrong: say so here too;
    // the consumer will not try again either (the client refuses every call from now on).
    config.api.on('rejected', this.onRejected);
    if (config.api.credentialsRejected) this.onRejected(config.api.credentialsRejected);
  }

  start(): void {
    this.consumer.start().catch((err: unknown) => this.fail(err, 'start'));
    this.coordinated?.attach(this.consumer, this.status, this.feed);
  }

  /** In the order docs/nodes.md gives ("Input messages"): a routed-back message acknowledges its SMS, a ThingSpace
   *  callback body (or a delivery notice, for notice-input.ts) is an SMS pushed to us, anything else triggers a poll. */
  input(msg: NodeMessageInFlow, send: Send, done: Done): void {
    const ts = (msg as { thingspace?: unknown }).thingspace;
    if (typeof ts === 'object' && ts !== null && 'source' in ts) {
      const refused = this.acknowledge(ts as Record<string, unknown>);
      if (!refused) this.coordinated?.acked(msg);
      done(refused);
    } else if (msg.req !== undefined || looksLikeCallbackBody(msg.payload) || looksLikeDeliveryNotice(msg.payload)) {
      this.answered(msg, answerModeFor(this.answerModes, msg), send, done, true);
    } else {
      this.consumer.poll();
      done();
    }
  }

  /** A callback to the node's own listener: answered here, after the SMS is handed on. */
  listen({ req, res, body }: ListenerRequest): void {
    const msg = { _msgid: randomBytes(8).toString('hex'), payload: body, req, res: { _res: res } } as unknown as NodeMessageInFlow;
    if (this.closed) {
      answerHttp(msg, 503);
      return;
    }
    const done: Done = (err) => {
      if (err) this.node.error(err, { _msgid: msg._msgid, payload: body });
    };
    this.answered(msg, 'all', (out) => this.node.send(out), done, false);
  }

  /** Pushes a callback with the answers `mode` leaves to this node (http-wiring.ts). */
  private answered(msg: NodeMessageInFlow, mode: AnswerMode, send: Send, done: Done, keepReq: boolean): void {
    if (mode !== 'all') {
      // 'none': answered beside the node, which must not answer too, so it never sees the response.
      const own = { ...msg };
      if (mode === 'none') delete own.res;
      this.callback(own, send, done);
      return;
    }
    const sendOn: Send = (out) => {
      delete out.res;
      if (!keepReq) delete out.req;
      send(out);
    };
    // Called once the SMS was handed on (or refused and answered already: answerHttp skips it).
    this.callback(msg, sendOn, (err) => {
      answerHttp(msg, err ? 500 : 200);
      done(err);
    });
  }

  /** A routed-back message: undefined when it acknowledged its SMS (or needs nothing: auto mode acknowledged it), else why not. */
  private acknowledge(ref: Record<string, unknown>): NodeError | undefined {
    if (this.settings.ackMode !== 'manual') return undefined;
    if (ref.accountName !== this.accountName || typeof ref.block !== 'string' || typeof ref.index !== 'number') {
      return new NodeError('msg.thingspace is not an acknowledgement from this node (account, block or index missing or foreign)', 'BAD_INPUT');
    }
    if (this.consumer.ack({ block: ref.block, index: ref.index })) return undefined;
    return new NodeError(
      `Acknowledgement for an SMS this node no longer waits for (block ${ref.block}): it was acknowledged already, or re-read after ackTimeout`,
      'BAD_INPUT',
    );
  }

  private callback(msg: NodeMessageInFlow, send: Send, done: Done): void {
    // A source the account does not allow (403), or a delivery notice for sms-out.
    if (interceptCallback(this.node, msg, this.config, done, true)) return;
    const receivedAt = new Date();
    const parsed = parseCallbackBody(msg.payload, { receivedAt, expected: this.config.callbackCredentials() });
    // With coordination, a readable SMS is first checked against the other replicas.
    if (this.coordinated && parsed.ok) {
      this.coordinated.pushIsNew(msg, parsed.sms).then(
        (isNew) => (isNew ? this.push(msg, parsed, receivedAt, send, done) : done()),
        () => this.push(msg, parsed, receivedAt, send, done),
      );
    } else {
      this.push(msg, parsed, receivedAt, send, done);
    }
  }

  /** A pushed body, through the consumer's dedupe: emitted, or answered here if refused (400/401) or delivered before (200). */
  private push(msg: NodeMessageInFlow, parsed: CallbackParseResult, receivedAt: Date, send: Send, done: Done): void {
    if (!parsed.ok) {
      answerHttp(msg, parsed.code === 'CALLBACK_UNAUTHORIZED' ? 401 : 400);
      // The whole message, so the user can see and report the body, with the callback
      // credentials masked and without the http in request/response objects.
      const shown: NodeMessage = { ...msg, payload: redactCallbackBody(msg.payload) };
      delete shown.req;
      delete shown.res;
      this.node.error(new NodeError(parsed.reason, parsed.code), shown);
      done();
      return;
    }
    const item = this.consumer.pushed(parsed.sms);
    if (!item) {
      // ThingSpace gets its 2xx so it stops retrying the push.
      answerHttp(msg, 200);
      done();
      return;
    }
    send(this.pushedMessage(msg, item, receivedAt.toISOString(), parsed.timestampLocal));
    this.counts.pushed++;
    this.feed.receivedSms('push', 1);
    const count = this.counts.received + this.counts.pushed;
    this.status.set(() => ({ fill: 'green', shape: 'dot', text: this.status.t('received', { count }) }), true);
    done();
  }

  /** Keeps the http in request/response so an http response node downstream can answer. */
  private pushedMessage(msg: NodeMessageInFlow, item: ConsumerItem, receivedAt: string, timestampLocal: boolean | undefined): NodeMessage {
    const { accountName, topic } = this;
    const { block, index } = item.ref;
    const out: NodeMessage =
      this.settings.output === 'batch'
        ? toBatchMessage([item], { accountName, source: 'callback', topic, block })
        : toSingleMessage(item.sms, { accountName, source: 'callback', topic, block, index, key: item.key, receivedAt, timestampLocal });
    // A batch of one callback SMS acknowledges that SMS: its ref, not a whole block.
    (out.thingspace as { index: number }).index = index;
    out._msgid = msg._msgid;
    if (msg.req !== undefined) {
      // http in keeps the parsed body on req: mask the callback credentials there too, or a
      // debug node showing the whole message would print them (they were checked already).
      const req = msg.req as { body?: unknown };
      if (req.body !== undefined) req.body = redactCallbackBody(req.body);
      out.req = msg.req;
    }
    if (msg.res !== undefined) out.res = msg.res;
    return out;
  }

  /** Stops the consumer: nothing more is emitted or acknowledged once this settles. */
  async close(): Promise<void> {
    this.closed = true;
    this.config.api.off('rejected', this.onRejected);
    await this.consumer.stop();
    this.feed.readerStopped(this);
    // Coordinated state lives in Redis; otherwise the successor takes it over in memory.
    if (this.coordinated) await this.coordinated.close();
    else this.store.handOver();
  }

  /** Without coordination, the signs of a second reader on the account: said once. */
  private anotherReader(): void {
    if (this.anotherReaderSaid) return;
    this.anotherReaderSaid = true;
    this.status.set(() => ({ fill: 'yellow', shape: 'ring', text: this.status.t('anotherReader') }));
    const text = `Another reader seems to be draining account ${this.accountName} (a next token refused, or a block served again after its acknowledgement): another Node-RED with the same flow? See docs/high-availability.md in the package's repository`;
    this.fail(new NodeError(text, 'ANOTHER_READER'), 'history');
  }

  private emitBlock(block: ConsumerBlock): void {
    const { accountName, topic } = this;
    if (this.settings.output === 'batch') {
      this.node.send(toBatchMessage(block.items, { accountName, source: 'queue', topic, block: block.id }));
      return;
    }
    // One context for the block (toSingleMessage copies it). Auto mode keeps no SMS of a block it read, so the
    // messages may share its arrays; a restored block's come from node context.
    const shareDeviceIds = this.settings.ackMode === 'auto' && !block.restored;
    const ctx: SingleContext = { accountName, source: 'queue', topic, block: block.id, index: 0, key: '', shareDeviceIds };
    for (const item of block.items) {
      ctx.index = item.ref.index;
      ctx.key = item.key;
      // One send per message: given an array, Node-RED deep-clones every message but the first (Node.prototype.send).
      this.node.send(toSingleMessage(item.sms, ctx));
    }
  }

  private fail(err: unknown, operation: string): void {
    this.node.error(
      toNodeError(err, (e) => this.config.api.unexpected(e, operation)),
      errorMessage(this.accountName, operation),
    );
  }
}
