// A send has no idempotency key (docs/thingspace-api.md, "Sending SMS"), so it is repeated only when
// it certainly did not reach ThingSpace, or ThingSpace said to try again; the rest is the flow's.
import type { ThingSpaceError } from '../client/errors';
import { Backoff, type BackoffOptions } from './backoff';
import { TRANSPORT_KINDS, halts, type RetryDecision, type RetryPolicy } from './retry-policy';

interface SendRetryOptions extends BackoffOptions {
  /** Default 6: about a minute of backoff at most, before Retry-After. */
  maxRetries?: number;
}

/** Written, and no answer says what became of it: never repeated, the flow learns SEND_UNCERTAIN. */
export function isUncertain(error: ThingSpaceError): boolean {
  return error.status === undefined && error.requestSent === true && TRANSPORT_KINDS.has(error.kind);
}

/** ThingSpace, or the network, said nothing was done. */
export function safeToRepeat(error: ThingSpaceError): boolean {
  if (error.kind === 'rate_limited') return true;
  if (error.kind === 'server' && error.status === 503) return true;
  return error.requestSent === false && TRANSPORT_KINDS.has(error.kind);
}

/** One per send: it counts that send's retries. */
export class SendRetryPolicy implements RetryPolicy {
  private readonly backoff: Backoff;
  private readonly maxRetries: number;
  private retries = 0;

  constructor(opts: SendRetryOptions = {}) {
    this.backoff = new Backoff(opts);
    this.maxRetries = opts.maxRetries ?? 6;
  }

  decide(error: ThingSpaceError): RetryDecision {
    if (halts(error) || !safeToRepeat(error) || this.retries >= this.maxRetries) return { action: 'halt' };
    this.retries++;
    return { action: 'retry', inMs: this.backoff.next(error.retryAfterMs) };
  }

  succeeded(): void {
    this.retries = 0;
    this.backoff.reset();
  }
}
