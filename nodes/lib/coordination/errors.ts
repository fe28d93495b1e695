// The one error type of coordination; messages name the Redis address, never a password.

export type CoordinationCode = 'COORDINATION_UNAVAILABLE' | 'BAD_CONFIG';
/** With Sentinel, what the statuses name: the master name unknown, or no sentinel answering. */
export type SentinelFault = 'unknown-master' | 'no-sentinel';

export class CoordinationError extends Error {
  readonly code: CoordinationCode;
  /** The Sentinel set's primary was lost or moved: a failover, for statuses. */
  readonly failover: boolean;
  readonly sentinelFault: SentinelFault | undefined;

  constructor(message: string, code: CoordinationCode = 'COORDINATION_UNAVAILABLE', failover = false, sentinelFault?: SentinelFault) {
    super(message);
    this.name = 'CoordinationError';
    this.code = code;
    this.failover = failover;
    this.sentinelFault = sentinelFault;
    // No stack: it may reach Catch nodes and logs, and says all there is to say.
    this.stack = undefined;
  }
}
