// How big each scenario is: the full run follows the figures, --quick shrinks them
// so the whole table prints in under two minutes.

export interface Plan {
  quick: boolean;
  /** P1 and P7: SMS drained by ours and by the peer flow. */
  drainCount: number;
  latencyMs: number;
  /** P2: the CPU-bound drain. */
  cpuCount: number;
  /** P3: the memory drain, and the slow consumer's share. */
  memCount: number;
  slowCount: number;
  slowMsPerSms: number;
  /** P4: idle window and compressed lifetimes. */
  idleMs: number;
  idlePollSec: number;
  tokenTtlSec: number;
  sessionIdleSec: number;
  /** P5: starts with and without the package (each). */
  startReps: number;
  /** P6: callbacks posted, and by how many concurrent senders. */
  pushCount: number;
  pushSenders: number;
  /** S1: SMS sent by sms-out and by the bare flow, and how many in flight. */
  sendCount: number;
  sendInFlight: number;
  /** Repetitions of each timed drain (P2, P6, P7); the best of them counts. */
  reps: number;
  /** CPU-profile the Node-RED process of our drains. */
  profile: boolean;
}

export function makePlan(argv: string[]): { plan: Plan; only: Set<string> | undefined } {
  const quick = argv.includes('--quick');
  const profile = argv.includes('--profile');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice('--only='.length).toUpperCase().split(',')) : undefined;
  const plan: Plan = quick
    ? {
        quick,
        drainCount: 20_000,
        latencyMs: 20,
        cpuCount: 50_000,
        memCount: 200_000,
        slowCount: 500,
        slowMsPerSms: 5,
        idleMs: 60_000,
        idlePollSec: 1,
        tokenTtlSec: 20,
        sessionIdleSec: 5,
        startReps: 3,
        pushCount: 5_000,
        pushSenders: 50,
        sendCount: 1_000,
        sendInFlight: 4,
        reps: 1,
        profile,
      }
    : {
        quick,
        drainCount: 20_000,
        latencyMs: 20,
        cpuCount: 200_000,
        memCount: 1_000_000,
        slowCount: 2_000,
        slowMsPerSms: 5,
        idleMs: 600_000,
        idlePollSec: 2,
        tokenTtlSec: 60,
        sessionIdleSec: 10,
        startReps: 5,
        pushCount: 20_000,
        pushSenders: 50,
        sendCount: 5_000,
        sendInFlight: 4,
        reps: 3,
        profile,
      };
  return { plan, only };
}
