// The runtime behind an sms-out node: checks each message, queues it on the account's send
// queue, sends it with its retries, and emits it on output 1 once ThingSpace accepted it
// (done() only then). Remembers each accepted send until its delivery outcome arrives, and
// emits that on output 2 (notices reach it through notice-router.ts). The node file only reads
// the properties and hands Node-RED's input and close to this.
import { setMaxListeners } from 'node:events';
import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ThingSpaceError } from '../client/errors';
import { isObject } from '../client/json-values';
import type { DeliveryNotice } from '../message/delivery-notice';
import { sendRequest, type SendRequestBody } from '../message/send-request';
import { SendRetryPolicy } from '../retry/send-retry-policy';
import { CorrelationBook, type BookState, type PendingSend } from '../sender/correlations';
import { keepProperties, noticeOutcome, unconfirmedOutcomes } from '../sender/outcome-message';
import { sendWithRetries } from '../sender/send-attempts';
import { sendFailure } from '../sender/send-failure';
import type { SendQueue } from '../sender/send-queue';
import type { UsableConfig } from './config-node';
import { interceptCallback } from './notice-input';
import { addReceiver, removeReceiver, type NoticeReceiver } from './notice-router';
import { ReportedError } from './report';
import { sendQueueFor } from './send-queues';
import { showSendState, type SendActivity, type SendCounts } from './sms-out-status';
import type { SmsOutSettings } from './sms-out-settings';
import { contextSnapshots, type SnapshotStore } from './snapshot-store';
import type { StatusLine } from './status';

type Send = (msgs: Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

const CONTEXT_KEY = 'thingspace-out';

/** What a closing node leaves to its successor in this runtime: Node-RED deletes node context
 *  at every redeploy unless settings.js configures a context store, and the pending sends must
 *  survive a redeploy either way (node context then covers a restart). By node id. */
const handover = new Map<string, BookState>();
/** Close waits this long for sends in flight (below Node-RED's 15 s) before cancelling them:
 *  a cancelled send that was written is one the flow can no longer know the fate of. */
const CLOSE_WAIT_MS = 10_000;

export class SmsOut implements NoticeReceiver {
  readonly ready: Promise<void>;
  private readonly book: CorrelationBook;
  private readonly store: SnapshotStore<BookState>;
  private readonly queue: SendQueue;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private readonly counts: SendCounts = { sent: 0, delivered: 0, notDelivered: 0 };
  private readonly expiry: NodeJS.Timeout;
  private retry: SendActivity['retry'];
  private failed: string | undefined;
  private warnedKeep = false;
  private closed = false;
  private readonly onChange = (): void => this.refresh();

  constructor(
    private readonly node: Node,
    private readonly config: UsableConfig,
    private readonly settings: SmsOutSettings,
    private readonly status: StatusLine,
  ) {
    // Every send in flight, and every one waiting for a token or a retry, listens to it for a
    // moment (and stops when it settles): not a leak however many there are.
    setMaxListeners(0, this.abort.signal);
    this.book = new CorrelationBook({ maxPending: settings.maxPending, maxAgeMs: settings.outcomeTimeoutMs });
    this.store = contextSnapshots<BookState>(node, CONTEXT_KEY, (err) => node.error(new ReportedError(`Context store: ${err.message}`, 'ERROR')));
    const carried = handover.get(node.id);
    handover.delete(node.id);
    this.ready = carried ? Promise.resolve(this.book.restore(carried)) : this.store.load().then((state) => this.book.restore(state));
    this.queue = sendQueueFor(config.accountKey);
    this.queue.attach(this, { concurrency: settings.concurrency, limit: settings.queueLimit });
    this.queue.on('change', this.onChange);
    config.api.on('rejected', this.onChange);
    addReceiver(config, this);
    const every = Math.min(60_000, Math.max(1000, settings.outcomeTimeoutMs / 4));
    this.expiry = setInterval(() => this.expire(), every);
    this.expiry.unref();
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
    const job = (): Promise<void> => this.track(this.run(msg, input.request, kept, send, done));
    if (!this.queue.submit(this, job)) {
      const { concurrency, limit } = this.queue.current;
      this.refuse(done, `The account's send queue is full (${limit} waiting, ${concurrency} in flight): this SMS was not sent`, 'QUEUE_FULL');
    }
  }

  owns(notice: DeliveryNotice): boolean {
    return this.book.knows(notice.requestId) || this.book.hasSeen(notice);
  }

  accept(notice: DeliveryNotice): void {
    const settled = this.book.settle(notice);
    if (settled.kind === 'duplicate') return;
    const correlated = settled.kind === 'correlated';
    if (correlated && notice.final) {
      if (notice.status === 'delivered') this.counts.delivered++;
      else this.counts.notDelivered++;
    }
    this.store.changed(() => this.book.snapshot());
    this.node.send([null, correlated ? noticeOutcome(this.config.accountName, notice, settled.send, settled.device) : noticeOutcome(this.config.accountName, notice)]);
    this.refresh();
  }

  /** Waiting sends are dropped (never sent: said in the log), sends in flight may finish for a
   *  while, and the correlations are handed to the next deploy (unless the node was removed)
   *  and written to node context. */
  async close(removed: boolean): Promise<void> {
    this.closed = true;
    removeReceiver(this.config, this);
    clearInterval(this.expiry);
    this.config.api.off('rejected', this.onChange);
    this.queue.off('change', this.onChange);
    const dropped = this.queue.detach(this);
    if (dropped > 0) this.node.warn(`${dropped} queued SMS were not sent: the node was stopped before their turn`);
    if (this.running.size > 0) {
      const waited = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref());
      await Promise.race([Promise.all([...this.running]), waited]);
      this.abort.abort();
      await Promise.all([...this.running]);
    }
    if (!removed) handover.set(this.node.id, this.book.snapshot());
    await this.store.flush();
  }

  private async run(msg: NodeMessageInFlow, request: SendRequestBody, kept: Record<string, unknown>, send: Send, done: Done): Promise<void> {
    try {
      const onRetry = (e: ThingSpaceError, ms: number): void => {
        this.retry = { seconds: Math.ceil(ms / 1000), code: e.code };
        this.refresh();
      };
      const { requestId } = await sendWithRetries(this.config.api, request, new SendRetryPolicy(), { signal: this.abort.signal, onRetry });
      await this.ready;
      this.unconfirmed(this.book.add(requestId, kept, request.deviceIds), `more than ${this.settings.maxPending} sends were waiting for an outcome`);
      this.store.changed(() => this.book.snapshot());
      this.counts.sent++;
      this.retry = undefined;
      this.failed = undefined;
      const meta = isObject(msg.thingspace) ? msg.thingspace : {};
      msg.thingspace = { accountName: this.config.accountName, ...meta, requestId };
      // Closing: the flow is going away, but the send is remembered for the next deploy.
      if (this.closed) this.node.log(`SMS accepted while the node was closing (requestId ${requestId}); its outcome is matched after the deploy`);
      else send([msg, null]);
      done();
    } catch (err) {
      this.retry = undefined;
      const error = err instanceof ThingSpaceError ? err : new ThingSpaceError({ kind: 'internal', message: String(err), operation: 'sendSms' });
      if (error.kind === 'aborted') return done();
      const failure = sendFailure(error);
      this.refuse(done, failure.message, failure.code);
    }
  }

  private refuse(done: Done, reason: string, code: string): void {
    this.failed = code;
    this.refresh();
    done(new ReportedError(reason, code));
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    return work.finally(() => {
      this.running.delete(work);
      this.refresh();
    });
  }

  private expire(): void {
    const seconds = Math.round(this.settings.outcomeTimeoutMs / 1000);
    const expired = this.book.expire();
    if (expired.length === 0) return;
    this.unconfirmed(expired, `no delivery notice within ${seconds} s`);
    this.store.changed(() => this.book.snapshot());
  }

  private unconfirmed(sends: PendingSend[], reason: string): void {
    for (const send of sends) {
      for (const out of unconfirmedOutcomes(this.config.accountName, send, reason)) {
        this.counts.notDelivered++;
        this.node.send([null, out]);
      }
    }
    if (sends.length > 0) this.refresh();
  }

  private refresh(): void {
    if (this.closed) return;
    const own = this.queue.countsOf(this);
    const { limit } = this.queue.current;
    const activity: SendActivity = { ...own, accountQueued: this.queue.queued, limit, retry: this.retry, failed: this.failed, rejected: this.config.api.credentialsRejected };
    showSendState(this.status, activity, this.counts);
  }
}
