// What goes wrong with coordination: the one error type the layer throws and reports.
// Messages name the Redis address (never a password) and say what to check.

export type CoordinationCode = 'COORDINATION_UNAVAILABLE' | 'BAD_CONFIG';

export class CoordinationError extends Error {
  readonly code: CoordinationCode;

  constructor(message: string, code: CoordinationCode = 'COORDINATION_UNAVAILABLE') {
    super(message);
    this.name = 'CoordinationError';
    this.code = code;
    // No stack: it may reach Catch nodes and logs, and says all there is to say.
    this.stack = undefined;
  }
}
