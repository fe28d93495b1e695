// The consumer's phase machine: the one table of changes allowed (drawn in docs/architecture.md, "Consumer").
import type { ConsumerState, Phase } from './types';

export const TRANSITIONS = {
  created: ['loading', 'standby', 'stopping'],
  loading: ['polling', 'delivering', 'listening', 'standby', 'stopping'],
  polling: ['polling', 'delivering', 'idle', 'listening', 'backing-off', 'halted', 'standby', 'stopping'],
  delivering: ['polling', 'waiting-ack', 'idle', 'listening', 'backing-off', 'standby', 'stopping'],
  'waiting-ack': ['delivering', 'polling', 'idle', 'listening', 'standby', 'stopping'],
  idle: ['polling', 'standby', 'stopping'],
  listening: ['polling', 'standby', 'stopping'],
  'backing-off': ['polling', 'delivering', 'standby', 'stopping'],
  halted: ['stopping'],
  standby: ['loading', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
} as const satisfies Record<Phase, readonly Phase[]>;

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: Phase,
    readonly to: Phase,
  ) {
    super(`queue consumer: illegal phase change ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export class PhaseMachine {
  /** Changed only by go(). */
  state: ConsumerState = { phase: 'created' };
  private bugReported = false;

  constructor(
    private readonly strict: boolean,
    private readonly changed: (state: ConsumerState) => void,
    private readonly bug: (error: IllegalTransitionError) => void,
  ) {}

  /** A change the table forbids is a bug of ours: strict mode throws; otherwise the code that asked
   *  relies on it, so it is made and reported once, after the change (a listener may stop the consumer). */
  go(to: ConsumerState): void {
    const from = this.state.phase;
    const legal = (TRANSITIONS[from] as readonly Phase[]).includes(to.phase);
    if (!legal && this.strict) throw new IllegalTransitionError(from, to.phase);
    this.state = to;
    this.changed(to);
    if (legal || this.bugReported) return;
    this.bugReported = true;
    this.bug(new IllegalTransitionError(from, to.phase));
  }
}
