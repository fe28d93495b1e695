// P4: the idle cost. An empty queue polled for a while with compressed token and session
// lifetimes: one HTTP request per poll, token and login requests only at expiry, and the
// Node-RED process's CPU per poll beside a core http request node polling as often.
// Runs beside the other scenarios: its processes are idle.
import { idleFlow, idleReferenceFlow } from '../flows';
import { deploy, sleep, startRed, startSim, stopAll, tally } from '../lab';
import type { Plan } from '../plan';
import { fmt, type Row } from '../table';
import type { NodeRed, SimulatorProcess } from '../../test/e2e/harness';
import type { SimulatorCounters } from '../../simulator/options';

interface Reading {
  at: number;
  cpuMs: number;
  polls: number;
  counters: SimulatorCounters;
}

/** Reads between two polls: well after one finished, well before the next (by the time the
 *  last one finished, so the reading itself costs the runtime two small requests). */
async function quietReading(red: NodeRed, sim: SimulatorProcess, pollSec: number): Promise<Reading> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await tally(red);
    const quietAt = before.last + pollSec * 400;
    if (Date.now() > quietAt) {
      await sleep(pollSec * 300);
      continue;
    }
    await sleep(quietAt - Date.now());
    const at = Date.now();
    const cpuMs = red.cpuMs();
    const counters = await sim.counters();
    const polls = (await tally(red)).statuses;
    if (polls === before.statuses) return { at, cpuMs, polls, counters };
  }
  throw new Error('no quiet moment between two polls');
}

const delta = (a: Record<string, number>, b: Record<string, number>, k: string): number => (b[k] ?? 0) - (a[k] ?? 0);

export async function idleScenario(plan: Plan): Promise<Row[]> {
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  let ref: NodeRed | undefined;
  let refSim: SimulatorProcess | undefined;
  try {
    sim = await startSim(['--token-ttl', String(plan.tokenTtlSec), '--session-idle', String(plan.sessionIdleSec)]);
    red = await startRed('idle');
    ref = await startRed('idle-ref', { withPackage: false });
    await deploy(red, idleFlow(sim.url, plan.idlePollSec));
    // Its own simulator: the reference's requests must not count as ours.
    refSim = await startSim();
    await ref.deploy(idleReferenceFlow(refSim.url, plan.idlePollSec));
    await sleep(plan.idlePollSec * 2000); // the first poll fetched token and session
    const a = await quietReading(red, sim, plan.idlePollSec);
    const refA = { at: Date.now(), cpuMs: ref.cpuMs() };
    await sleep(Math.max(0, plan.idleMs - (Date.now() - a.at) - plan.idlePollSec * 500));
    const b = await quietReading(red, sim, plan.idlePollSec);
    const refB = { at: Date.now(), cpuMs: ref.cpuMs() };
    // CPU per request of the core http request node polling as often: what any poll costs here.
    const refPerPoll = (refB.cpuMs - refA.cpuMs) / ((refB.at - refA.at) / (plan.idlePollSec * 1000));
    const polls = b.polls - a.polls;
    const history = delta(a.counters.requests, b.counters.requests, 'history');
    const tokenRequests = delta(a.counters.requests, b.counters.requests, 'token');
    const tokensMinted = b.counters.tokensIssued - a.counters.tokensIssued;
    const logins = delta(a.counters.requests, b.counters.requests, 'login');
    const loginsNeeded = 0; // the session slides: polled more often than it idles out
    const windowMs = b.at - a.at;
    const expiries = windowMs / (plan.tokenTtlSec * 1000);
    const cpuShare = (b.cpuMs - a.cpuMs) / windowMs;
    const cpuPerPoll = (b.cpuMs - a.cpuMs) / polls;
    const perPoll = history / polls;
    const tokenOk = tokenRequests === tokensMinted && Math.abs(tokenRequests - expiries) <= 1;
    return [
      {
        id: 'P4',
        what: `idle ${fmt.s(windowMs)}, poll every ${plan.idlePollSec} s, token ${plan.tokenTtlSec} s, session idle ${plan.sessionIdleSec} s`,
        measured:
          `${polls} polls, ${history} history requests; token requests ${tokenRequests} (minted ${tokensMinted}, ` +
          `${expiries.toFixed(1)} lifetimes); logins ${logins}; CPU ${Math.round(b.cpuMs - a.cpuMs)} ms = ${(cpuShare * 100).toFixed(2)}% of a core, ` +
          `${cpuPerPoll.toFixed(1)} ms per poll vs ${refPerPoll.toFixed(1)} ms per request of a core http request node polling as often`,
        ratio: `${perPoll.toFixed(2)} req/poll`,
        target: '1 req/poll; token/login at expiry only; CPU/poll <= 1.25 x core http request',
        holds: history === polls && tokenOk && logins === loginsNeeded && cpuPerPoll <= refPerPoll * 1.25,
      },
    ];
  } finally {
    await stopAll(red, ref, sim, refSim);
  }
}
