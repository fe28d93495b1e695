// The consumer's history requests: the `next` each carries, which acknowledges what was handed on,
// and with a ReaderGate (coordination) a confirmation before each (see ReaderGate in ./types.ts).
import type { HistoryBlock } from '../client/api';
import { isThingSpaceError } from '../client/errors';
import { answerLost } from '../retry/retry-policy';
import type { HistoryApi, ReaderGate } from './types';

/** How long stop() waits for the answer to a request in flight (Node-RED allows 15 s to close). */
const DEFAULT_STOP_GRACE_MS = 2_000;

export class GatedHistory {
  /** The `next` for the following request. */
  private carry: string | undefined;
  /** `carry` came from the store (another reader's, perhaps spent), not from our last answer. */
  private carryLoaded = false;
  /** The `next` of a request whose answer we never read: the server may have spent it, so its refusal is ours. */
  private lost: string | undefined;
  private sent: string | undefined;
  /** The confirmation sent beside the last request, for the next one. Used once. */
  private ahead: Promise<boolean> | undefined;
  private requests = new AbortController();
  private pending: Promise<HistoryBlock> | undefined;

  constructor(
    private readonly api: HistoryApi,
    private readonly gate: ReaderGate | undefined,
    private readonly stopGraceMs = DEFAULT_STOP_GRACE_MS,
  ) {}

  get acknowledging(): boolean {
    return this.sent !== undefined;
  }

  /** A new lease (lead()): fresh requests, carrying the `next` the store holds from the last reader. */
  begin(next: string | undefined): void {
    this.requests = new AbortController();
    this.ahead = undefined;
    this.carry = next;
    this.carryLoaded = next !== undefined;
  }

  /** Aborts the request in flight, after up to the stop grace for its answer; a later begin()'s requests are not touched. */
  async abort(): Promise<void> {
    const requests = this.requests;
    if (this.pending && this.stopGraceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.pending.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, this.stopGraceMs)))]);
      clearTimeout(timer);
    }
    requests.abort();
  }

  /** With a gate, before each request. The confirmation sent beside the previous request serves if it said
   *  yes and the gate is still fresh; else this one waits for its own. False (or a failure to ask): stand by. */
  async confirm(): Promise<boolean> {
    const ahead = this.ahead;
    this.ahead = undefined;
    try {
      return (ahead !== undefined && (await ahead) && this.gate!.fresh()) || (await this.gate!.confirm(this.carry));
    } catch {
      return false;
    }
  }

  request(): Promise<HistoryBlock> {
    const sent = (this.sent = this.carry);
    const call = this.api.history(sent, { signal: this.requests.signal });
    this.pending = call;
    const gate = this.gate;
    // A gate that throws says no, as one that rejects.
    if (gate) this.ahead = (async () => gate.confirm(sent))().catch(() => false);
    return call.finally(() => (this.pending = undefined));
  }

  /** After a failed request: 'again' to read at once without `next`, 'suspect' if another reader may have spent it. */
  failed(e: unknown): 'again' | 'suspect' | undefined {
    const sent = this.sent;
    if (isThingSpaceError(e) && e.kind === 'api') {
      // A refused `next`: a token from the store may be spent (its reader stopped after sending it), and so
      // may ours if its answer was lost. Otherwise only another reader acknowledging makes the server forget it.
      const explained = this.carryLoaded || (sent !== undefined && sent === this.lost);
      this.carry = undefined;
      this.carryLoaded = false;
      this.lost = undefined;
      if (explained) return 'again';
      return sent !== undefined && e.errorCode?.endsWith('.UnexpectedError') ? 'suspect' : undefined;
    }
    // Otherwise `carry` stays: what it acknowledges was handed on, so the retry carries it again.
    if (sent !== undefined && isThingSpaceError(e) && answerLost(e)) this.lost = sent;
    return undefined;
  }

  /** An answer was read. False if more is waiting but no `next` came: the server took ours for nothing. */
  answered(more: boolean, next: string | undefined): boolean {
    const takenForNothing = more && !next;
    this.carryLoaded = false;
    this.lost = takenForNothing ? this.sent : undefined;
    return !takenForNothing;
  }

  handedOn(next: string | undefined): void {
    this.carry = next;
  }
}
