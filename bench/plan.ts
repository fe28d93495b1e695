// How big each scenario is. Both profiles warm up alike and take the median of their rounds,
// so they measure the same thing; the full one has more rounds (a narrower spread). A round
// of P2, P3 and P9 is the same size in both. The latency-bound drains (P1, P7, P8, C3) take
// 10,000 SMS a round in a quick run and 20,000 in a full one: their ratios are per block
// (every block costs a round trip in ours and in the floor alike), so 100 blocks measure what
// 200 do, in half the time. --quick prints the whole table in about four minutes on a
// 2-core machine (P3's three rounds of a million SMS are most of it).

export interface Plan {
  quick: boolean;
  /** P1, P7 and P8: SMS drained per round by ours, the peer flow and the bare client. */
  drainCount: number;
  latencyMs: number;
  /** P1, P7 and P8: SMS drained by each before the counted rounds (JIT, sockets, TLS). */
  warmupCount: number;
  /** P2: the CPU-bound drain, per round. */
  cpuCount: number;
  /** P2: uncounted rounds first. Our drain keeps getting faster over its first ~400,000
   *  SMS in a fresh Node-RED (the JIT: 19 -> 14.5 µs per SMS here, no deopt loop, not the
   *  young generation's size), the runtime alone over ~300,000 (12.9 -> 11.4 µs); a
   *  Node-RED that runs for months spends its life after that. */
  cpuWarmupRounds: number;
  /** Counted rounds of the timed drains P1, P2, P7 and P9 (median of them). */
  rounds: number;
  /** P3: the memory drain, and the slow consumer's share. */
  memCount: number;
  /** P3: rounds (each a fresh Node-RED for ours and for the runtime alone; median). */
  memRounds: number;
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
  /** P9: accounts (a config node and an sms-queue-in each), SMS per account, latency. */
  accounts: number;
  perAccount: number;
  accountsLatencyMs: number;
  /** Counted repetitions of P6, S1, C3 and P8, the slow ones (median of them). */
  reps: number;
  /** CPU-profile the Node-RED process of our drains. */
  profile: boolean;
}

export function makePlan(argv: string[]): { plan: Plan; only: Set<string> | undefined } {
  const quick = argv.includes('--quick');
  const profile = argv.includes('--profile');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice('--only='.length).toUpperCase().split(',')) : undefined;
  // What a round is: the same in both profiles.
  const round = {
    latencyMs: 20,
    warmupCount: 2_000,
    cpuCount: 100_000,
    cpuWarmupRounds: 4,
    memCount: 1_000_000,
    memRounds: 3,
    slowMsPerSms: 5,
    pushSenders: 50,
    sendInFlight: 4,
    accounts: 40,
    perAccount: 300,
    accountsLatencyMs: 30,
  };
  const plan: Plan = quick
    ? {
        quick,
        ...round,
        drainCount: 10_000,
        rounds: 3,
        slowCount: 500,
        idleMs: 60_000,
        idlePollSec: 1,
        tokenTtlSec: 20,
        sessionIdleSec: 5,
        startReps: 3,
        pushCount: 5_000,
        sendCount: 1_000,
        reps: 1,
        profile,
      }
    : {
        quick,
        ...round,
        drainCount: 20_000,
        rounds: 5,
        slowCount: 2_000,
        idleMs: 600_000,
        idlePollSec: 2,
        tokenTtlSec: 60,
        sessionIdleSec: 10,
        startReps: 5,
        pushCount: 20_000,
        sendCount: 5_000,
        reps: 3,
        profile,
      };
  return { plan, only };
}
