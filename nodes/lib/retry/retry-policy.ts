// Whether a failed ThingSpace call is tried again, and after how long: decided here, from
// the error's kind, for every caller. The kinds themselves are decided in classify.ts.
//
// A policy answers one question per failure. Policies differ in what a repeat may cost:
// repeating a read costs nothing, repeating a send may send twice. So each kind of call
// gets its own policy beside this one (a policy for non-idempotent calls such as sending an
// SMS would retry only when the request certainly never reached the server, or on 429/503),
// and all of them share the kinds that halt.
import type { ErrorKind, ThingSpaceError } from '../client/errors';
import { Backoff, type BackoffOptions } from './backoff';

export type RetryDecision =
  /** Never again with this configuration: the caller stops until it is rebuilt. */
  | { action: 'halt' }
  /** Try again after `inMs` (Retry-After honoured). */
  | { action: 'retry'; inMs: number };

export interface RetryPolicy {
  /** What to do after this failure; counts it towards the backoff if retried. */
  decide(error: ThingSpaceError): RetryDecision;
  /** A call succeeded: the next failure waits the shortest delay again. */
  succeeded(): void;
}

const HALT: RetryDecision = { action: 'halt' };

/**
 * Kinds no policy retries. Rejected credentials: five failed logins lock the Verizon account
 * (docs/thingspace-api.md, "Session"), so one rejection stops every caller until the user fixes them. A bad
 * configuration (account name, server URL, missing credential) cannot start working by
 * itself.
 */
const HALTING: Readonly<Record<ErrorKind, boolean>> = {
  credentials_rejected: true,
  bad_config: true,
  bearer_expired: false,
  session_expired: false,
  rate_limited: false,
  server: false,
  network: false,
  tls: false,
  timeout: false,
  bad_response: false,
  api: false,
  internal: false,
  aborted: false,
};

/** Kinds that fail in transport, without an answer from ThingSpace. */
export const TRANSPORT_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['network', 'tls', 'timeout']);

/**
 * True when the request may have reached ThingSpace, and been acted on, without our reading
 * what it answered: written and then reset, cut or timed out, or answered by a 5xx (a gateway
 * may have passed it on) or with a body we could not read.
 */
export function answerLost(error: ThingSpaceError): boolean {
  if (error.kind === 'server' || error.kind === 'bad_response') return true;
  return error.status === undefined && error.requestSent !== false && TRANSPORT_KINDS.has(error.kind);
}

/** True when no policy may try this failure again. */
export function halts(error: ThingSpaceError): boolean {
  return HALTING[error.kind];
}

/**
 * For idempotent calls (reading the SMS history, listing callbacks): everything that does
 * not halt is retried with exponential backoff and full jitter, never sooner than the
 * server's Retry-After. That includes expired bearer or session tokens refused again after
 * the client's own renewal (the client dropped them, so the next attempt starts afresh with
 * at most one login), a TLS certificate not trusted (an operator may fix it while we wait),
 * and 'internal' failures (our bug or a flow listener that threw: the call itself is fine).
 * 'aborted' is the caller's own doing: it checks for that before asking.
 */
export class IdempotentRetryPolicy implements RetryPolicy {
  private readonly backoff: Backoff;

  constructor(opts: BackoffOptions = {}) {
    this.backoff = new Backoff(opts);
  }

  decide(error: ThingSpaceError): RetryDecision {
    if (halts(error)) return HALT;
    return { action: 'retry', inMs: this.backoff.next(error.retryAfterMs) };
  }

  succeeded(): void {
    this.backoff.reset();
  }
}
