// One SMS send with its retries. A send has no idempotency key (docs/thingspace-api.md, "Sending SMS"), so it is
// repeated only when it certainly did not reach ThingSpace, or ThingSpace said to try again: a second SMS is worse than an error.
import { setTimeout as delay } from 'node:timers/promises';
import type { SmsSendApi } from '../client/api';
import { ThingSpaceError, unexpected } from '../client/errors';
import type { SmsSendRequest, SmsSendResponse } from '../types';
import { Backoff, type BackoffOptions } from '../retry/backoff';
import { TRANSPORT_KINDS } from '../retry/retry-policy';

interface AttemptOptions extends BackoffOptions {
  signal?: AbortSignal;
  /** A retry is due in `inMs` after `error` (for the status line). */
  onRetry?: (error: ThingSpaceError, inMs: number) => void;
  /** Default 6: about a minute of backoff at most, before Retry-After. */
  maxRetries?: number;
}

/** ThingSpace, or the network, said nothing was done. */
export function safeToRepeat(error: ThingSpaceError): boolean {
  if (error.kind === 'rate_limited') return true;
  if (error.kind === 'server' && error.status === 503) return true;
  return error.requestSent === false && TRANSPORT_KINDS.has(error.kind);
}

/** The requestId ThingSpace gave the SMS, or the failure that ended the send (a ThingSpaceError). */
export async function sendWithRetries(api: SmsSendApi, request: Omit<SmsSendRequest, 'accountName'>, opts: AttemptOptions = {}): Promise<SmsSendResponse> {
  const backoff = new Backoff(opts);
  for (let retries = 0; ; retries++) {
    try {
      return await api.sendSms(request, { signal: opts.signal });
    } catch (err) {
      const error = unexpected(err, 'sendSms', 'Internal error while sending the SMS');
      if (error.kind === 'aborted' || !safeToRepeat(error) || retries >= (opts.maxRetries ?? 6)) throw error;
      const inMs = backoff.next(error.retryAfterMs);
      opts.onRetry?.(error, inMs);
      try {
        await delay(inMs, undefined, { signal: opts.signal });
      } catch {
        throw new ThingSpaceError({ kind: 'aborted', message: 'the SMS send request was cancelled', operation: 'sendSms', requestSent: false });
      }
    }
  }
}

/** What the flow is told when a send ends without a requestId; whether to check and send again is the flow's call. */
export function sendFailure(error: ThingSpaceError): { code: string; message: string } {
  const api = error.errorMessage && !error.message.includes(error.errorMessage) ? `: ${error.errorMessage}` : '';
  // Written, and no answer says what became of it: never repeated.
  if (error.status === undefined && error.requestSent === true && TRANSPORT_KINDS.has(error.kind)) {
    return {
      code: 'SEND_UNCERTAIN',
      message: `ThingSpace may or may not have queued this SMS (${error.message}); it was not sent again: check before sending it once more`,
    };
  }
  // A server error other than 503, or a 2xx we could not read: ThingSpace may have queued it.
  const maybeQueued = (error.kind === 'server' && error.status !== 503) || error.kind === 'bad_response';
  const note = maybeQueued ? ' (not sent again: ThingSpace may have queued it)' : '';
  return { code: error.code, message: `${error.message}${api}${note}` };
}
