// Full jitter spreads the retries of nodes that failed together, so an outage never turns into
// a synchronised request storm; the cap bounds the user's wait.

export interface BackoffOptions {
  /** Cap of the first retry, default 1 s. */
  initialMs?: number;
  /** Default 60 s: one request a minute in an outage, and a drain resumes within a minute of its end. */
  maxMs?: number;
  /** In [0, 1), default Math.random. */
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

  /** Never shorter than the server's Retry-After, even beyond `maxMs`: the server knows best
   *  (docs/thingspace-api.md, "Rate limits and retries"). */
  next(retryAfterMs?: number): number {
    const cap = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const jittered = Math.floor(this.random() * cap);
    return retryAfterMs !== undefined && retryAfterMs > jittered ? Math.ceil(retryAfterMs) : jittered;
  }

  reset(): void {
    this.attempt = 0;
  }
}
