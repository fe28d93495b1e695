// The two sizes of the reliability suite. `short` runs in `npm test` (so in CI) and must
// finish within a few minutes on a 2-core machine; `full` holds issue #5's numbers and is
// run by `npm run test:reliability`. Each runs against the lenient simulator and again,
// for the scenarios it lists, against the strict one.
import { SIM_MODES, type SimMode } from '../../../support/sim-modes';

export type ProfileName = 'short' | 'full';

export interface Profile {
  name: ProfileName;
  crash: { sms: number; kills: number };
  finalBlock: { trials: number };
  storm: { sms: number; hangs: number };
  outage: { sms: number; outageMs: number };
  /** An outage whose first request was cut after ThingSpace took it (issue #20). */
  resets: { sms: number; outageMs: number };
  /** Scenarios run again against the strict simulator (test/support/sim-modes.ts). */
  strict: 'all' | string[];
  redeploy: { sms: number; deploys: number };
  flood: { bodies: number; concurrency: number };
  badInputSms: number;
  soak: { durationMs: number; tokenTtlSec: number; sessionIdleSec: number; intervalSec: number; windowMs: number; smsPerSec: number };
  /** Three runtimes on one Redis (issue #13): failover, pause, Redis faults, push, spread. */
  coordination: { sms: number; kills: number; leaseSec: number; outageMs: number; pushes: number; accounts: number; perAccount: number };
  /** Two runtimes on a Redis Sentinel set whose primary is killed mid-drain (issue #22). */
  sentinel: { sms: number; leaseSec: number };
}

const SHORT: Profile = {
  name: 'short',
  crash: { sms: 1000, kills: 1 },
  finalBlock: { trials: 1 },
  // A hang costs the client's whole 30 s timeout: the short profile leaves it out.
  storm: { sms: 2000, hangs: 0 },
  outage: { sms: 1000, outageMs: 20_000 },
  resets: { sms: 2100, outageMs: 5000 },
  // Those where a `next` may be sent twice (a retry, a restart, another runtime's token); the
  // others read none twice, or (outage) only after a 503 that took nothing. Lockout: the same
  // in both modes.
  strict: ['crash', 'storm', 'resets', 'redeploy', 'coordination', 'sentinel'],
  redeploy: { sms: 3000, deploys: 20 },
  flood: { bodies: 2000, concurrency: 50 },
  badInputSms: 20,
  soak: { durationMs: 60_000, tokenTtlSec: 30, sessionIdleSec: 15, intervalSec: 20, windowMs: 20_000, smsPerSec: 5 },
  coordination: { sms: 1000, kills: 1, leaseSec: 3, outageMs: 5000, pushes: 1000, accounts: 12, perAccount: 100 },
  sentinel: { sms: 5000, leaseSec: 3 },
};

const FULL: Profile = {
  name: 'full',
  crash: { sms: 5000, kills: 3 },
  finalBlock: { trials: 3 },
  storm: { sms: 10_000, hangs: 2 },
  outage: { sms: 5000, outageMs: 120_000 },
  resets: { sms: 2100, outageMs: 60_000 },
  strict: 'all',
  redeploy: { sms: 10_000, deploys: 20 },
  flood: { bodies: 10_000, concurrency: 50 },
  badInputSms: 100,
  // The session idles out between two polls (interval > session idle): every poll renews it.
  soak: { durationMs: 30 * 60_000, tokenTtlSec: 60, sessionIdleSec: 30, intervalSec: 35, windowMs: 5 * 60_000, smsPerSec: 2 },
  coordination: { sms: 5000, kills: 3, leaseSec: 3, outageMs: 60_000, pushes: 10_000, accounts: 60, perAccount: 500 },
  sentinel: { sms: 5000, leaseSec: 3 },
};

export const PROFILE: Profile = process.env.RELIABILITY_PROFILE === 'full' ? FULL : SHORT;

/** The simulator modes to run: RELIABILITY_SIM=lenient or strict; both when unset. */
export function simModes(): SimMode[] {
  const only = process.env.RELIABILITY_SIM;
  return SIM_MODES.filter((m) => !only || m.name === only.trim());
}

/** Whether a scenario runs in this mode: every one in lenient mode (or when strict alone is
 *  asked for), the profile's list in strict mode. */
export function inMode(scenario: string, mode: SimMode): boolean {
  if (mode.name === 'lenient' || process.env.RELIABILITY_SIM === 'strict') return true;
  return PROFILE.strict === 'all' || PROFILE.strict.includes(scenario);
}

/** Scenarios to run, comma-separated (RELIABILITY_ONLY=crash,outage); all when unset. */
export function selected(scenario: string): boolean {
  const only = process.env.RELIABILITY_ONLY;
  return (
    !only ||
    only
      .split(',')
      .map((s) => s.trim())
      .includes(scenario)
  );
}
