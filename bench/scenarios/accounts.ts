// P9: many accounts in one runtime. A config node and an sms-queue-in (interval 0) per
// account, all triggered together, each account holding the same backlog, ThingSpace at
// 30 ms. The accounts drain side by side, so the drain can take no less than the larger of
// two floors, both measured in the same round: the round trips of one account (the bare
// client's token, login and blocks for one account at the same latency: the accounts'
// round trips overlap, one account's cannot) and the CPU of all the SMS at the runtime's own
// rate (bench-gen carrying as many ready-made messages through the same Node-RED, as P2's
// runtime-alone ceiling). The simulator holds the accounts and generates each one's SMS as
// the coordination reliability scenario does (configure the accounts, generate per account).
import { bareDrain, type BareDrain } from '../bare-client';
import { generatorFlow, manyAccountsFlow } from '../flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from '../lab';
import type { Plan } from '../plan';
import { describeSpread, median, spread } from '../stats';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';
import type { HistoryRecord } from '../../simulator/history-log';

interface Round {
  ms: number;
  /** From the trigger to the first SMS counted. */
  firstMs: number;
  count: number;
  /** Accounts whose queue was not empty after the drain. */
  leftOver: number;
  tokenRequests: number;
  tokensMinted: number;
  logins: number;
  /** The most sessions one account's history requests carried. */
  maxSessions: number;
  connections: number;
}

export async function accountsScenario(plan: Plan): Promise<Row[]> {
  const accounts = Array.from({ length: plan.accounts }, (_, i) => `0000123456-${String(i + 1).padStart(5, '0')}`);
  const total = plan.accounts * plan.perAccount;
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  const ours: Round[] = [];
  const bares: BareDrain[] = [];
  const cpuFloors: number[] = [];
  const allBare: number[] = [];
  try {
    sim = await startSim(['--latency', String(plan.accountsLatencyMs)]);
    await sim.configure({ accounts });
    red = await startRed('accounts', { profile: plan.profile });
    const s = sim;
    const r = red;

    const drain = async (): Promise<Round> => {
      for (const account of accounts) await s.generate(plan.perAccount, account);
      await deploy(r, manyAccountsFlow(s.url, accounts));
      await s.resetCounters();
      const since = Date.now();
      const t = await runToCount(r, total, 300_000, `${plan.accounts} accounts`);
      const c = await s.counters();
      let leftOver = 0;
      for (const account of accounts) {
        if ((await s.control<{ queued: number }>('GET', `queue?account=${account}&limit=0`)).queued !== 0) leftOver++;
      }
      const sessions = new Map<string, Set<number>>();
      for (const h of (await s.control<{ requests: HistoryRecord[] }>('GET', 'history-log')).requests) {
        if (h.start < since) continue;
        const set = sessions.get(h.account) ?? new Set<number>();
        set.add(h.session);
        sessions.set(h.account, set);
      }
      return {
        ms: drainMs(t),
        firstMs: t.first - t.t0,
        count: t.count,
        leftOver,
        tokenRequests: c.requests.token ?? 0,
        tokensMinted: c.tokensIssued,
        logins: c.loginsOk,
        maxSessions: Math.max(0, ...[...sessions.values()].map((x) => x.size)),
        connections: c.connections,
      };
    };

    // Round -1 warms up (not counted): 40 clients' first requests, the JIT, the simulator.
    for (let i = -1; i < plan.rounds; i++) {
      const counted = i >= 0;
      const o = await drain();
      await s.generate(plan.perAccount, accounts[0]);
      const b = await bareDrain(s.url, { account: accounts[0] });
      if (b.messages !== plan.perAccount) throw new Error(`the bare client drained ${b.messages} of ${plan.perAccount} SMS`);
      // Not a floor, shown beside them: one bare client per account, all at once, in the
      // bench process. What the simulator (one process) and one event loop make of the
      // accounts' requests arriving together.
      for (const account of accounts) await s.generate(plan.perAccount, account);
      const a0 = performance.now();
      const all = await Promise.all(accounts.map((account) => bareDrain(s.url, { account })));
      const allMs = performance.now() - a0;
      if (all.some((x) => x.messages !== plan.perAccount)) throw new Error('a bare client did not drain its account');
      await deploy(r, generatorFlow(total));
      const g = await runToCount(r, total, 300_000, 'runtime alone');
      if (counted) {
        ours.push(o);
        bares.push(b);
        cpuFloors.push(drainMs(g));
        allBare.push(allMs);
      }
    }
  } finally {
    await stopAll(red, sim);
  }

  const roundTrip = median(bares.map((b) => b.totalMs));
  const cpu = median(cpuFloors);
  const o = median(ours.map((x) => x.ms));
  const blocks = bares[0].blocks;
  const computed = (2 + blocks) * plan.accountsLatencyMs;
  const ratios = spread(ours.map((x, i) => x.ms / Math.max(bares[i].totalMs, cpuFloors[i])));
  const last = ours[ours.length - 1];
  const complete = ours.every((x) => x.count === total && x.leftOver === 0);
  // Logins are the user's: one token and one session for all the accounts (docs/architecture.md, "Client").
  const shared = ours.every((x) => x.tokenRequests === 1 && x.logins === 1);
  return [
    {
      id: 'P9',
      what: `${plan.accounts} accounts x ${fmt.n(plan.perAccount)} SMS in one runtime, ${plan.accountsLatencyMs} ms latency, triggered together`,
      measured:
        `${fmt.ms(o)} (first SMS after ${fmt.ms(median(ours.map((x) => x.firstMs)))}) vs floors: round trips of one account ${fmt.ms(roundTrip)} measured (bare client: token, login, ${blocks} blocks; computed ${2 + blocks} x ${plan.accountsLatencyMs} ms = ${fmt.ms(computed)}), ` +
        `CPU ${fmt.ms(cpu)} (${fmt.n(total)} SMS at the runtime-alone rate, ${fmt.rate((total * 1000) / cpu)}); ` +
        `${plan.accounts} bare clients at once (not a floor) ${fmt.ms(median(allBare))}; ` +
        `for the ${plan.accounts} accounts of one user: ${last.tokenRequests} token request(s) (${last.tokensMinted} minted), ${last.logins} login(s), at most ${last.maxSessions} session(s) per account; ` +
        `${last.connections} connections to the simulator (the bench's own control calls among them); ${ours.every((x) => x.leftOver === 0) ? 'every queue empty after' : `${Math.max(...ours.map((x) => x.leftOver))} queues NOT empty after`}`,
      ratio: fmt.ratio(ratios.median),
      spread: describeSpread(ratios, fmt.ratio),
      target: '<= 2.00 of the larger floor; every queue empty; 1 token request and 1 login',
      holds: ratios.median <= 2 && complete && shared,
    },
  ];
}
