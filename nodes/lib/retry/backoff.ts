// Exponential backoff with full jitter, bounded. Full jitter (a uniform delay between 0 and
// the exponential cap) spreads the retries of many nodes that failed together, so an outage
// never turns into a synchronised request storm; the cap bounds the wait for the user.

export interface BackoffOptions {
  /** Cap of the first retry, default 1 s. */
  initialMs?: number;
  /** Largest cap, default 60 s: at most one request a minute in an outage, and a drain resumes within a minute of its end. */
  maxMs?: number;
  /** Jitter source in [0, 1), default Math.random. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = Math.max(1, opts.initialMs ?? 1000);
    this.maxMs = Math.max(this.initialMs, opts.maxMs ?? 60_000);
    this.random = opts.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /**
   * The delay before the next retry. Never shorter than `retryAfterMs` (the server's
   * Retry-After, docs/thingspace-api.md, "Rate limits and retries"), even when that is longer than `maxMs`: the server knows best.
   */
  next(retryAfterMs?: number): number {
    // 2^attempt overflows nothing here: the cap is reached long before.
    const cap = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const jittered = Math.floor(this.random() * cap);
    return retryAfterMs !== undefined && retryAfterMs > jittered ? Math.ceil(retryAfterMs) : jittered;
  }

  /** After a success: the next failure starts from `initialMs` again. */
  reset(): void {
    this.attempt = 0;
  }
}
