// An in-memory ThingSpace for the fast consumer tests: a real ThingSpaceApi without HTTP.
// It serves the queue in blocks with `next` tokens as the API does (a request carrying
// `next` acknowledges the block that token came with), fails requests on demand, and can
// hold requests until released or aborted, so a test sees the consumer mid-request.
import type { CallOptions, ConnectionCheck, HistoryBlock, ThingSpaceApi } from '../../../nodes/lib/client/api';
import { ThingSpaceError, type ThingSpaceErrorInit } from '../../../nodes/lib/client/errors';
import { SMS_CALLBACK_SERVICE, type CallbackActionResult, type CallbackListener, type SmsMessage } from '../../../nodes/lib/types';

export interface FakeThingSpaceOptions {
  /** SMS per block, default 100 as the API. */
  blockSize?: number;
  /** The final block (200, no `next`): taken off the queue when delivered, or kept and sent again. */
  finalBlock?: 'ack-on-delivery' | 'redeliver';
  /** A token issued before but no longer outstanding: ignored (served from the head), or
   *  refused as the simulator's `staleNext: refuse` does. */
  staleNext?: 'ignore' | 'refuse';
}

const UNEXPECTED = 'UnifiedWebService.REQUEST_FAILED.UnexpectedError';

export class FakeThingSpace implements ThingSpaceApi {
  readonly accountName = '0000123456-00001';
  credentialsRejected: ThingSpaceError | undefined;
  /** The `next` each history request carried, in order. */
  readonly calls: Array<string | undefined> = [];
  /** SMS the server counts as delivered. */
  acknowledged = 0;
  inFlight = 0;
  maxInFlight = 0;

  /** Everything ever queued; the server still holds those from `head` on. */
  private readonly queue: SmsMessage[] = [];
  private head = 0;
  private readonly blockSize: number;
  private readonly finalBlock: 'ack-on-delivery' | 'redeliver';
  /** The token of the block last served and how many SMS it acknowledges; older tokens are spent. */
  private outstanding: { token: string; count: number } | undefined;
  private tokenSeq = 0;
  private readonly failures: ThingSpaceError[] = [];
  /** Failures that come after the request was served (its acknowledgement made): lost answers. */
  private readonly lostAnswers: ThingSpaceError[] = [];
  private readonly staleNext: 'ignore' | 'refuse';
  private held = false;
  private readonly waiting: Array<() => void> = [];
  private readonly listeners = new Map<string, CallbackListener>();

  constructor(opts: FakeThingSpaceOptions = {}) {
    this.blockSize = opts.blockSize ?? 100;
    this.finalBlock = opts.finalBlock ?? 'ack-on-delivery';
    this.staleNext = opts.staleNext ?? 'ignore';
  }

  enqueue(...sms: SmsMessage[]): void {
    for (const s of sms) this.queue.push(s);
  }

  /** How many SMS the server still holds. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** The next `times` history requests fail with this error, before the server reads them. */
  failNext(init: ThingSpaceErrorInit, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(new ThingSpaceError({ operation: 'history', ...init }));
  }

  /** The next `times` history requests are served (a `next` they carry acknowledges its block),
   *  then fail with this error: the answer is lost on the way back. */
  loseNextAnswer(init: ThingSpaceErrorInit, times = 1): void {
    for (let i = 0; i < times; i++) this.lostAnswers.push(new ThingSpaceError({ operation: 'history', ...init }));
  }

  /** From now on requests wait until release() (or their abort). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const go of this.waiting.splice(0)) go();
  }

  async history(next?: string, opts: CallOptions = {}): Promise<HistoryBlock> {
    this.calls.push(next);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate(opts.signal);
      if (this.credentialsRejected) throw this.credentialsRejected;
      const failure = this.failures.shift();
      if (failure) {
        // The real client refuses every later call without a request once this happened.
        if (failure.kind === 'credentials_rejected') this.credentialsRejected = failure;
        throw failure;
      }
      if (next !== undefined && next === this.outstanding?.token) {
        this.head += this.outstanding.count;
        this.acknowledged += this.outstanding.count;
        this.outstanding = undefined;
      } else if (next !== undefined && this.staleNext === 'refuse') {
        throw new ThingSpaceError({ kind: 'api', status: 400, errorCode: UNEXPECTED, message: 'The next token was used already.', operation: 'history' });
      }
      const served = this.serve();
      const lost = this.lostAnswers.shift();
      if (lost) throw lost;
      return served;
    } finally {
      this.inFlight--;
    }
  }

  private serve(): HistoryBlock {
    const messages = this.queue.slice(this.head, this.head + this.blockSize);
    if (this.queued > this.blockSize) {
      const token = `token-${++this.tokenSeq}`;
      this.outstanding = { token, count: messages.length };
      return { status: 202, hasMoreData: true, messages, next: token };
    }
    this.outstanding = undefined;
    if (this.finalBlock === 'ack-on-delivery') {
      this.head += messages.length;
      this.acknowledged += messages.length;
    }
    return { status: 200, hasMoreData: false, messages };
  }

  async startCallbacks(opts: CallOptions = {}): Promise<{ success: boolean }> {
    await this.gate(opts.signal);
    return { success: true };
  }

  async registerCallback(url: string, creds: { username?: string; password?: string } = {}, opts: CallOptions = {}): Promise<CallbackActionResult> {
    await this.gate(opts.signal);
    this.listeners.set(SMS_CALLBACK_SERVICE, { accountName: this.accountName, serviceName: SMS_CALLBACK_SERVICE, url, ...creds });
    return { accountName: this.accountName, serviceName: SMS_CALLBACK_SERVICE };
  }

  async listCallbacks(opts: CallOptions = {}): Promise<CallbackListener[]> {
    await this.gate(opts.signal);
    return [...this.listeners.values()];
  }

  async deleteCallback(serviceName: string, opts: CallOptions = {}): Promise<CallbackActionResult> {
    await this.gate(opts.signal);
    this.listeners.delete(serviceName);
    return { accountName: this.accountName, serviceName };
  }

  async testConnection(opts: CallOptions = {}): Promise<ConnectionCheck> {
    await this.gate(opts.signal);
    return { token: { ok: true }, login: { ok: true } };
  }

  private gate(signal: AbortSignal | undefined): Promise<void> {
    const aborted = (): ThingSpaceError => new ThingSpaceError({ kind: 'aborted', message: 'the call was cancelled', operation: 'history' });
    if (signal?.aborted) return Promise.reject(aborted());
    if (!this.held) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      signal?.addEventListener('abort', () => reject(aborted()), { once: true });
    });
  }
}
