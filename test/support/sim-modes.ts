// The answers the API leaves open (docs/thingspace-api.md, "Open questions"), as the simulator
// plays them: the lenient ones (its defaults) and the strictest plausible ones. The node tests
// and the reliability suite run in both. The lockout after 5 failed logins per user is
// documented, not open: both modes have it. The final block is chosen per test, both ways.
import type { SimulatorOptions } from '../../simulator/options';

export interface SimMode {
  name: 'lenient' | 'strict';
  /** For ThingSpaceSimulator.start(). */
  options: Partial<SimulatorOptions>;
  /** The same, as command-line flags of the simulator. */
  args: string[];
}

export const LENIENT: SimMode = {
  name: 'lenient',
  options: { staleNext: 'ignore', lockoutAfter: 5 },
  args: ['--stale-next', 'ignore', '--lockout-after', '5'],
};
/** A spent `next` refused (400 UnexpectedError) rather than taken as a harmless repeat. */
export const STRICT: SimMode = { name: 'strict', options: { staleNext: 'refuse', lockoutAfter: 5 }, args: ['--stale-next', 'refuse', '--lockout-after', '5'] };

export const SIM_MODES: readonly SimMode[] = [LENIENT, STRICT];
