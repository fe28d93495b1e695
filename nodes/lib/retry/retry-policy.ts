// Repeating a read costs nothing, repeating a send may send twice: each kind of call has its own
// policy (nodes/lib/sender/send-attempts.ts for SMS), and all of them share the kinds that halt.
import type { ErrorKind, ThingSpaceError } from '../client/errors';
import { Backoff } from './backoff';

export type RetryDecision =
  /** Never again with this configuration: the caller stops until it is rebuilt. */
  { action: 'halt' } | { action: 'retry'; inMs: number };

const HALT: RetryDecision = { action: 'halt' };

/** Five failed logins lock the Verizon user (docs/thingspace-api.md, "Session"), so one rejection
 *  stops every caller; a bad configuration cannot start working by itself. */
const HALTING: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['credentials_rejected', 'bad_config']);

/** Kinds that fail in transport, without an answer from ThingSpace. */
export const TRANSPORT_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['network', 'tls', 'timeout']);

/** The request may have reached ThingSpace and been acted on, and we never read its answer:
 *  written then reset, cut or timed out, or a 5xx or an unreadable body. */
export function answerLost(error: ThingSpaceError): boolean {
  if (error.kind === 'server' || error.kind === 'bad_response') return true;
  return error.status === undefined && error.requestSent !== false && TRANSPORT_KINDS.has(error.kind);
}

export function halts(error: ThingSpaceError): boolean {
  return HALTING.has(error.kind);
}

/** Everything that does not halt is retried: a refused token was dropped (the next attempt starts
 *  fresh), an operator may fix a TLS certificate while we wait. Callers check 'aborted' first. */
export class IdempotentRetryPolicy extends Backoff {
  decide(error: ThingSpaceError): RetryDecision {
    return halts(error) ? HALT : { action: 'retry', inMs: this.next(error.retryAfterMs) };
  }
}
