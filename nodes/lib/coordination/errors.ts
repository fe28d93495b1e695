// The one error type of coordination; messages name the Redis address, never a password.

type CoordinationCode = 'COORDINATION_UNAVAILABLE' | 'BAD_CONFIG';

export class CoordinationError extends Error {
  readonly code: CoordinationCode;
  /** The Sentinel set's primary was lost or moved: a failover, for statuses. */
  readonly failover: boolean;

  constructor(message: string, code: CoordinationCode = 'COORDINATION_UNAVAILABLE', failover = false) {
    super(message);
    this.name = 'CoordinationError';
    this.code = code;
    this.failover = failover;
    // No stack: it may reach Catch nodes and logs, and says all there is to say.
    this.stack = undefined;
  }
}
