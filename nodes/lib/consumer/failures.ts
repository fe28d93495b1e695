// What follows a failed request or hand-on, and its report: once per distinct error in a streak
// of failures, while each retry still shows on the consumer's state.
import type { ThingSpaceError } from '../client/errors';
import { IdempotentRetryPolicy, type RetryDecision, type RetryPolicy } from '../retry/retry-policy';

export class Failures {
  private readonly policy: RetryPolicy;
  /** Signature of the last error reported in the current streak. */
  private streak: string | undefined;

  constructor(
    opts: { backoff?: { initialMs?: number; maxMs?: number }; random?: () => number },
    private readonly emit: (error: ThingSpaceError) => void,
  ) {
    this.policy = new IdempotentRetryPolicy({ ...opts.backoff, random: opts.random });
  }

  decide(error: ThingSpaceError): RetryDecision {
    return this.policy.decide(error);
  }

  report(error: ThingSpaceError): void {
    const signature = `${error.kind}|${error.code}|${error.status ?? ''}`;
    if (signature === this.streak) return;
    this.streak = signature;
    this.emit(error);
  }

  recovered(): void {
    this.policy.succeeded();
    this.streak = undefined;
  }
}
