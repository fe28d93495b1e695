// The one error type of coordination; messages name the Redis address, never a password.

/** With Sentinel, what the statuses name: the primary lost or moved, the master name unknown, or no sentinel answering. */
export type SentinelFault = 'failover' | 'unknown-master' | 'no-sentinel';

export class CoordinationError extends Error {
  constructor(
    message: string,
    readonly code: 'COORDINATION_UNAVAILABLE' | 'BAD_CONFIG' = 'COORDINATION_UNAVAILABLE',
    readonly sentinelFault?: SentinelFault,
  ) {
    super(message);
    this.name = 'CoordinationError';
    // No stack: it may reach Catch nodes and logs, and says all there is to say.
    this.stack = undefined;
  }
}
