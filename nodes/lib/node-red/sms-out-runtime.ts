// The runtime behind an sms-out node: checks each message, queues it on the account's send queue, sends it
// with its retries, and emits it on output 1 once ThingSpace accepted it (done() only then). Remembers each
// accepted send until its delivery outcome arrives (through runtime-share.ts), and emits that on output 2.
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Node, NodeMessage, NodeMessageInFlow, NodeStatusFill, NodeStatusShape } from 'node-red';
import { ThingSpaceError } from '../client/errors';
import { isObject } from '../client/json-values';
import type { DeliveryNotice } from '../message/delivery-notice';
import { sendRequest, type SendRequestBody } from '../message/send-request';
import { CorrelationBook, keepProperties, noticeOutcome, unconfirmedOutcomes, type BookState, type PendingSend } from '../sender/correlations';
import { sendFailure, sendWithRetries } from '../sender/send-attempts';
import type { SendQueue } from '../sender/send-queue';
import type { AccountFeed } from './activity';
import type { UsableConfig } from './config-node';
import { interceptCallback, type Done } from './notice-input';
import { NodeError } from './report';
import type { EndedAtClose, Handover } from './handovers';
import { CLOSE_WAIT_MS, type NoticeReceiver } from './runtime-share';
import type { SmsOutSettings } from './sms-out-settings';
import { contextSnapshots, type SnapshotStore } from './snapshot-store';
import type { StatusLine } from './status';

type Send = (msgs: Array<NodeMessage | null>) => void;

const CONTEXT_KEY = 'thingspace-out';
/** The account's queue this full shows as backpressure. */
const BACKPRESSURE = 0.8;

export class SmsOut implements NoticeReceiver {
  readonly ready: Promise<void>;
  private readonly book: CorrelationBook;
  private readonly store: SnapshotStore<BookState>;
  private readonly queue: SendQueue;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  /** Sends not yet started, in order: what a successor takes over at a redeploy. */
  private readonly waiting = new Set<{ msg: NodeMessageInFlow }>();
  /** Sends that ended while the node closed, and sends whose start a close undid. */
  private readonly ended: EndedAtClose[] = [];
  private readonly undone: NodeMessageInFlow[] = [];
  /** The flows have started: what this node took over may be emitted. */
  private readonly started: Promise<void>;
  /** notDelivered: failed, expired, or no notice in time. */
  private readonly counts = { sent: 0, delivered: 0, notDelivered: 0 };
  private readonly expiry: NodeJS.Timeout;
  private readonly feed: AccountFeed;
  private retry: { seconds: number; code: string } | undefined;
  /** The code of the last send that failed, until one succeeds. */
  private failed: string | undefined;
  private warnedKeep = false;
  private closed = false;
  private readonly onChange = (): void => this.refresh();

  constructor(
    private readonly node: Node,
    private readonly config: UsableConfig,
    private readonly settings: SmsOutSettings,
    private readonly status: StatusLine,
    /** Reports an error of this node once it is closed (reportAfterClose in handovers.ts). */
    private readonly reportLate: (err: Error, msg: NodeMessageInFlow) => void,
  ) {
    // Each send in flight or waiting for a token or a retry listens to it until it settles: not a leak.
    setMaxListeners(0, this.abort.signal);
    this.book = new CorrelationBook({ maxPending: settings.maxPending, maxAgeMs: settings.outcomeTimeoutMs });
    this.store = contextSnapshots<BookState>(node, CONTEXT_KEY, (err) => node.error(new NodeError(`Context store: ${err.message}`, 'ERROR')));
    // Node-RED deletes node context at a redeploy unless a context store is configured: the pending sends pass to the successor
    // in memory (context covers a restart), under the node's id (a redeploy) or its account (a node removed, another added).
    const owned = config.shared.sends.take(`node:${node.id}`);
    const taken = [...owned, ...config.shared.sends.take(`account:${config.accountKey}`)];
    this.started = taken.length > 0 ? config.shared.sends.flowsStarted() : Promise.resolve();
    const loaded = owned.length > 0 ? Promise.resolve() : this.store.load().then((state) => this.book.restore(state));
    this.ready = Promise.all([loaded.then(() => taken.forEach((h) => this.book.restore(h.book))), this.started]).then(() => undefined);
    this.queue = config.shared.sendQueue(config.accountKey);
    this.queue.attach(this, { concurrency: settings.concurrency, limit: settings.queueLimit });
    this.queue.on('change', this.onChange);
    this.feed = config.activity.account(config.accountKey, config.coordinator?.runtime);
    this.feed.senderStarted(this, this.queue, () => this.book.size);
    config.api.on('rejected', this.onChange);
    config.shared.addReceiver(config.accountKey, this);
    const every = Math.min(60_000, Math.max(1000, settings.outcomeTimeoutMs / 4));
    this.expiry = setInterval(() => this.expire(), every).unref();
    for (const h of taken) this.takeOver(h);
  }

  input(msg: NodeMessageInFlow, send: Send, done: Done): void {
    // A delivery notice from an http in of this node's own.
    if (interceptCallback(this.node, msg, this.config, done, false)) return;
    const input = sendRequest(msg as unknown as Record<string, unknown>, this.settings.send);
    if (!input.ok) return this.refuse(done, input.reason, input.code);
    const { kept, skipped } = keepProperties(msg as unknown as Record<string, unknown>, this.settings.keep);
    if (skipped.length > 0 && !this.warnedKeep) {
      this.warnedKeep = true;
      this.node.warn(`Not kept for the delivery outcome (not JSON, or over 16 KiB): ${skipped.join(', ')} (said once)`);
    }
    const entry = { msg };
    // Closing: kept for the successor, never sent from here.
    if (this.closed) return void this.waiting.add(entry);
    const job = (): Promise<void> => {
      this.waiting.delete(entry);
      const work = this.run(msg, input.request, kept, send, done);
      this.running.add(work);
      return work.finally(() => {
        this.running.delete(work);
        this.refresh();
      });
    };
    this.waiting.add(entry);
    if (!this.queue.submit(this, job)) {
      this.waiting.delete(entry);
      const { concurrency, limit } = this.queue.current;
      this.refuse(done, `The account's send queue is full (${limit} waiting, ${concurrency} in flight): this SMS was not sent`, 'QUEUE_FULL');
    }
  }

  owns(notice: DeliveryNotice): boolean {
    return this.book.owns(notice);
  }

  accept(notice: DeliveryNotice): void {
    const settled = this.book.settle(notice);
    if (settled.kind === 'duplicate') return;
    if (settled.kind === 'correlated' && notice.final) {
      this.feed.delivery(notice.status);
      this.counts[notice.status === 'delivered' ? 'delivered' : 'notDelivered']++;
    }
    this.store.changed(() => this.book.snapshot());
    this.node.send([null, noticeOutcome(this.config.accountName, notice, settled.send, settled.device)]);
    this.refresh();
  }

  /** Sends in flight get CLOSE_WAIT_MS to end; then the waiting sends, those ended meanwhile and
   *  the correlations are parked for the successor (handovers.ts), and written to context. */
  async close(removed: boolean): Promise<void> {
    this.closed = true;
    this.config.shared.removeReceiver(this.config.accountKey, this);
    clearInterval(this.expiry);
    this.config.api.off('rejected', this.onChange);
    this.queue.off('change', this.onChange);
    this.queue.detach(this);
    this.feed.senderStopped(this);
    await Promise.race([Promise.all([...this.running]), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
    this.abort.abort();
    await Promise.all([...this.running]);
    const h: Handover = {
      book: this.book.snapshot(),
      waiting: [...this.undone, ...[...this.waiting].map((e) => e.msg)],
      ended: [...this.ended],
      cancel: (why) => this.cancel(h, removed ? 'the sms-out node was removed' : why),
    };
    this.config.shared.sends.park(removed ? `account:${this.config.accountKey}` : `node:${this.node.id}`, h);
    await this.store.flush();
  }

  private async run(msg: NodeMessageInFlow, request: SendRequestBody, kept: Record<string, unknown>, send: Send, done: Done): Promise<void> {
    try {
      const onRetry = (e: ThingSpaceError, ms: number): void => {
        this.retry = { seconds: Math.ceil(ms / 1000), code: e.code };
        this.refresh();
      };
      const { requestId } = await sendWithRetries(this.config.api, request, { signal: this.abort.signal, onRetry });
      await this.ready;
      this.unconfirmed(this.book.add(requestId, kept, request.deviceIds), `more than ${this.settings.maxPending} sends were waiting for an outcome`);
      this.counts.sent++;
      this.feed.sent('accepted');
      this.retry = undefined;
      this.failed = undefined;
      const meta = isObject(msg.thingspace) ? msg.thingspace : {};
      msg.thingspace = { accountName: this.config.accountName, ...meta, requestId };
      // Closing: the successor emits it (handovers.ts).
      if (this.closed) return void this.ended.push({ msg, done });
      send([msg, null]);
      done();
    } catch (err) {
      this.retry = undefined;
      const error = this.config.api.unexpected(err, 'sendSms');
      const failure = error.kind === 'aborted' ? this.cutShort(msg, error) : sendFailure(error);
      if (!failure) return;
      if (this.closed) return void this.ended.push({ msg, error: new NodeError(failure.message, failure.code), done });
      this.refuse(done, failure.message, failure.code);
    }
  }

  /** A send the close cut short: uncertain when its request may have reached ThingSpace, else
   *  left to the successor (nothing was queued: a token, a login or a retry was awaited). */
  private cutShort(msg: NodeMessageInFlow, error: ThingSpaceError): ReturnType<typeof sendFailure> | undefined {
    if (error.operation === 'sendSms' && error.requestSent !== false) {
      const message = `No answer from ThingSpace within ${CLOSE_WAIT_MS / 1000} s of the node closing: it may or may not have queued this SMS; it was not sent again: check before sending it once more`;
      return { code: 'SEND_UNCERTAIN', message };
    }
    if (!this.closed) return { code: 'SEND_CANCELLED', message: "SMS not sent: the account's connection was closed before it went" };
    this.undone.push(msg);
    return undefined;
  }

  /** What a closed node left: its ended sends are emitted or reported once the flows have
   *  started, its waiting sends queued again in their order, as if they came now. */
  private takeOver(h: Handover): void {
    void this.started.then(() => {
      for (const e of h.ended) {
        if (e.error) this.node.error(e.error, e.msg);
        else this.node.send([e.msg, null]);
      }
      this.counts.sent += h.ended.filter((e) => !e.error).length;
      this.refresh();
    });
    const send: Send = (m) => this.node.send(m);
    for (const msg of h.waiting) this.input(msg, send, (err) => err && void this.started.then(() => this.node.error(err, msg)));
  }

  /** No successor took `h`: each waiting send ends with SEND_CANCELLED, and the log names
   *  every message by its _msgid (Catch nodes may be stopping with the runtime). */
  private cancel(h: Handover, why: string): void {
    if (h.waiting.length > 0) this.node.warn(`${h.waiting.length} queued SMS were not sent (${why}): _msgid ${h.waiting.map((m) => m._msgid).join(', ')}`);
    for (const msg of h.waiting) this.reportLate(new NodeError(`SMS not sent: ${why} before its turn (_msgid ${msg._msgid})`, 'SEND_CANCELLED'), msg);
    for (const e of h.ended) {
      const id = `_msgid ${e.msg._msgid}`;
      if (e.error) {
        this.node.warn(`SMS ${id} ended while the node closed: ${e.error.message}`);
        this.reportLate(e.error, e.msg);
      } else {
        const requestId = (e.msg.thingspace as { requestId?: string }).requestId;
        this.node.warn(`SMS ${id} was accepted while the node closed (requestId ${requestId}), but not emitted: ${why}`);
        e.done();
      }
    }
  }

  private refuse(done: Done, reason: string, code: string): void {
    this.failed = code;
    this.feed.sent(code);
    this.refresh();
    done(new NodeError(reason, code));
  }

  private expire(): void {
    const expired = this.book.expire();
    if (expired.length > 0) this.unconfirmed(expired, `no delivery notice within ${Math.round(this.settings.outcomeTimeoutMs / 1000)} s`);
  }

  /** After the book changed: each device of `sends` (given up) gets its `unconfirmed` outcome. */
  private unconfirmed(sends: PendingSend[], reason: string): void {
    this.store.changed(() => this.book.snapshot());
    for (const send of sends) {
      for (const out of unconfirmedOutcomes(this.config.accountName, send, reason)) {
        this.counts.notDelivered++;
        this.feed.delivery('unconfirmed');
        this.node.send([null, out]);
      }
    }
    if (sends.length > 0) this.refresh();
  }

  /** The status line, the most urgent first. */
  private refresh(): void {
    if (this.closed) return;
    this.feed.sendsChanged();
    const rejected = this.config.api.credentialsRejected;
    if (rejected) {
      this.feed.credentialsRejected(rejected.code);
      return this.status.rejected(rejected);
    }
    const { queued, current } = this.queue;
    const own = { inFlight: this.running.size, queued: this.waiting.size };
    const { sent, delivered, notDelivered } = this.counts;
    const lines: Array<[boolean, NodeStatusFill, NodeStatusShape, string, Record<string, string | number>]> = [
      [queued >= current.limit * BACKPRESSURE, 'yellow', 'ring', 'queueFull', { queued, limit: current.limit }],
      [this.retry !== undefined, 'yellow', 'ring', 'retrying', { ...this.retry }],
      [own.inFlight + own.queued > 0, 'blue', 'dot', 'sending', own],
      [this.failed !== undefined, 'red', 'ring', 'failed', { code: this.failed ?? '' }],
      [true, 'green', 'dot', 'idle', { sent, delivered, failed: notDelivered }],
    ];
    const [, fill, shape, key, vars] = lines.find(([applies]) => applies)!;
    this.status.set(() => ({ fill, shape, text: this.status.t(key, vars) }), true);
  }
}
