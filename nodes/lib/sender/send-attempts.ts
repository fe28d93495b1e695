// One SMS send with its retries, repeated only as send-retry-policy.ts allows: a second SMS is worse than an error.
import { setTimeout as delay } from 'node:timers/promises';
import type { SmsSendApi } from '../client/api';
import { ThingSpaceError, unexpected } from '../client/errors';
import type { SmsSendRequest, SmsSendResponse } from '../types';
import type { RetryPolicy } from '../retry/retry-policy';

interface AttemptHooks {
  signal?: AbortSignal;
  /** A retry is due in `inMs` after `error` (for the status line). */
  onRetry?: (error: ThingSpaceError, inMs: number) => void;
}

function aborted(): ThingSpaceError {
  return new ThingSpaceError({ kind: 'aborted', message: 'the SMS send request was cancelled', operation: 'sendSms', requestSent: false });
}

async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw aborted();
  }
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
