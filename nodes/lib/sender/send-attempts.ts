// One SMS send with its retries: repeated only while the retry policy says the request
// certainly left nothing at ThingSpace, or ThingSpace asked for a retry (send-retry-policy.ts);
// every other failure ends the send with that error, SEND_UNCERTAIN when the request may have
// been queued. The caller's signal ends the wait between attempts too.
import type { SmsSendApi } from '../client/api';
import { ThingSpaceError, unexpected } from '../client/errors';
import type { SmsSendRequest, SmsSendResponse } from '../types';
import type { RetryPolicy } from '../retry/retry-policy';

export interface AttemptHooks {
  signal?: AbortSignal;
  /** A retry is due in `inMs` after `error` (for the status line). */
  onRetry?: (error: ThingSpaceError, inMs: number) => void;
}

function aborted(): ThingSpaceError {
  return new ThingSpaceError({ kind: 'aborted', message: 'the SMS send request was cancelled', operation: 'sendSms', requestSent: false });
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The requestId ThingSpace gave the SMS, or the failure that ended the send (a ThingSpaceError). */
export async function sendWithRetries(
  api: SmsSendApi,
  request: Omit<SmsSendRequest, 'accountName'>,
  policy: RetryPolicy,
  hooks: AttemptHooks = {},
): Promise<SmsSendResponse> {
  for (;;) {
    try {
      const result = await api.sendSms(request, { signal: hooks.signal });
      policy.succeeded();
      return result;
    } catch (err) {
      const error = unexpected(err, 'sendSms', 'Internal error while sending the SMS');
      if (error.kind === 'aborted') throw error;
      const decision = policy.decide(error);
      if (decision.action === 'halt') throw error;
      hooks.onRetry?.(error, decision.inMs);
      await wait(decision.inMs, hooks.signal);
    }
  }
}
