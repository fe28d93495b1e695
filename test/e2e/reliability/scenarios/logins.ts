// Issue #20, "logins are the user's": Node-RED from the packed tarball against the simulator
// (which locks a user after 5 failed logins, docs/thingspace-api.md, "Session"). Six config
// nodes of one user with a refused password through deploys and restarts; then three
// coordinated runtimes (a real redis-server) given two refused passwords in turn, one runtime
// after another, while the lease moves between them. A refused password is tried once.
import type { NodeRed, SimulatorProcess } from '../../harness';
import { countingSink, queueNode, readSink, sinkEndpoint, tab } from '../../harness';
import { RedisServer, redisAvailable } from '../../../support/redis-server';
import { CREDS, relUserDir, sleep, startRed, startSim, stopAll, type RelUserDir } from '../support/env';
import { clearCollected, endpoints, observers, readCollected, relConfig } from '../support/flows';
import { Figures } from '../support/results';
import { until } from '../support/wait';

type N = Record<string, unknown>;
const ACCOUNTS = Array.from({ length: 6 }, (_, i) => `0000123456-${String(i + 1).padStart(5, '0')}`);
const REFUSED = `${CREDS.username}: login refused`;

/** Six config nodes (one per account, all the same user), an sms-queue-in each, the observers. */
function sixAccountsFlow(server: string, password: string): N[] {
  const nodes: N[] = [tab()];
  ACCOUNTS.forEach((account, i) => {
    nodes.push({ ...relConfig(server, { password }), id: `lg-cfg${i}`, name: account, accountName: account });
    nodes.push(queueNode(['e2e-count'], { id: `lg-q${i}`, thingspace: `lg-cfg${i}`, y: 60 * (i + 1) }));
  });
  return [...nodes, countingSink('e2e-count'), ...sinkEndpoint(), ...observers(), ...endpoints()];
}

/** The ids of the nodes whose latest status names the refused user. */
async function showingRefusal(red: NodeRed): Promise<Set<string>> {
  const latest = new Map<string, string>();
  for (const s of await readCollected(red, 'statuses')) latest.set(s.status?.source?.id ?? '?', s.status?.text ?? '');
  return new Set([...latest].filter(([, text]) => text.includes(REFUSED)).map(([id]) => id));
}

export function loginScenarios(): void {
  describe("logins are the user's: a refused password is tried once", function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    let redis: RedisServer | undefined;
    const replicas: NodeRed[] = [];
    after(async () => {
      await stopAll(red, ...replicas, sim);
      await redis?.close();
    });

    it('six config nodes of one user: deployed twice and restarted four times with a refused password, one failed login; the right one drains all six', async () => {
      const f = new Figures('logins, six config nodes of one user');
      // The final block acknowledged on delivery: a drained queue is an empty one.
      sim = await startSim(['--lockout-after', '5', '--final-block', 'ack-on-delivery']);
      await sim.configure({ accounts: ACCOUNTS });
      const dir: RelUserDir = relUserDir('logins-six');
      red = await startRed(dir);
      const wrong = sixAccountsFlow(sim.url, `${CREDS.password}-old`);
      const allNodes = ACCOUNTS.map((_, i) => `lg-q${i}`);
      const rounds: string[] = [];
      const everyNodeShows = async (what: string): Promise<void> => {
        const r = red!;
        const ok = await until(async () => (await showingRefusal(r)).size === allNodes.length, 20_000, 200);
        rounds.push(`${what}: ${(await showingRefusal(r)).size}/6 nodes, ${(await sim!.counters()).loginsFailed} failed`);
        if (!ok) f.check(`${what}: the refusal on every node`, '6 of 6', false);
      };
      for (let d = 1; d <= 2; d++) {
        await clearCollected(red, 'statuses');
        await red.deploy(wrong.map((n) => (n.type === 'sms-queue-in' ? { ...n, name: `deploy ${d}` } : n)));
        await everyNodeShows(`deploy ${d}`);
      }
      for (let k = 1; k <= 4; k++) {
        await red.stop();
        red = await startRed(dir);
        await everyNodeShows(`restart ${k}`);
      }
      const errors = (await readCollected(red, 'errors')).filter((e) => (e.message ?? '').includes(`"${CREDS.username}"`));
      const c = await sim.counters();
      f.info(rounds.join('; '));
      f.check(`failed logins for the refused password: ${c.loginsFailed}`, 'at most 1', c.loginsFailed <= 1);
      f.check(`user locked: ${c.locked}`, 'false', c.locked === false);
      f.check(
        `Catch errors after the last restart naming the user and the lockout: ${errors.length}`,
        '6 (one per node)',
        errors.length === 6 && errors.every((e) => /locks the user after 5/.test(e.message ?? '')),
      );

      for (const account of ACCOUNTS) await sim.generate(50, account);
      await red.deploy(sixAccountsFlow(sim.url, CREDS.password));
      const drained = await until(async () => (await readSink(red!)).unique >= 300, 60_000, 200);
      const left: number[] = [];
      for (const account of ACCOUNTS) left.push((await sim.control<{ queued: number }>('GET', `queue?account=${account}&limit=0`)).queued);
      const after = await sim.counters();
      f.check(
        `the right password: ${(await readSink(red)).unique} of 300 SMS received, left in the queues ${left.join(', ')}`,
        'all 300, every queue empty',
        drained && left.every((n) => n === 0),
      );
      f.check(`logins for the six accounts: ${after.loginsOk}`, '1', after.loginsOk === 1);
      f.assertAll();
    });

    it('three coordinated runtimes, two refused passwords deployed one runtime after another: one failed login per password', async function () {
      if (!redisAvailable()) {
        console.log('      skipped: redis-server is not installed');
        this.skip();
      }
      const f = new Figures('logins, three coordinated runtimes');
      await stopAll(red, sim);
      red = undefined;
      redis = await RedisServer.start();
      sim = await startSim(['--lockout-after', '5', '--generate', '20']);
      const names = ['lg-a', 'lg-b', 'lg-c'];
      const dirs = names.map((name) => relUserDir(`logins-${name}`));
      for (const [i, name] of names.entries()) replicas.push(await startRed(dirs[i], { env: { TS_RUNTIME: name } }));
      const flow = (password: string): N[] => [
        tab(),
        relConfig(sim!.url, { password }, { coordination: 'redis', redisUrl: redis!.url, redisPrefix: 'rel20:', leaseTime: 2, instanceName: '${TS_RUNTIME}' }),
        queueNode([], { interval: '1' }),
        ...observers(),
        ...endpoints(),
      ];
      const holder = async (): Promise<string> => {
        const keys = (await redis!.command('KEYS', 'rel20:*:lease')) as string[];
        const v = keys.length ? await redis!.command('GET', keys[0]) : undefined;
        return typeof v === 'string' ? v.split('|')[2] : 'none';
      };
      const steps: string[] = [];
      const holders = new Set<string>();
      const note = async (what: string): Promise<void> => {
        // Long enough for the lease (2 s) to move and for a new holder to log in.
        await sleep(5000);
        const h = await holder();
        holders.add(h);
        steps.push(`${what}: lease ${h}, failed logins ${(await sim!.counters()).loginsFailed}`);
      };
      const first = `${CREDS.password}-first`;
      const second = `${CREDS.password}-second`;
      for (const [i, r] of replicas.entries()) {
        await r.deploy(flow(first));
        await note(`password 1 deployed on ${names[i]}`);
      }
      // A rolling update to the second password, the lease holder first: each runtime stops
      // (the lease moves to one still holding the first password), comes back and is deployed.
      const lead = names.indexOf(await holder());
      const order = [lead, ...names.keys()].filter((i, k, all) => i >= 0 && all.indexOf(i) === k);
      for (const i of order) {
        await replicas[i].stop();
        await note(`${names[i]} stopped`);
        replicas[i] = await startRed(dirs[i], { env: { TS_RUNTIME: names[i] } });
        await replicas[i].deploy(flow(second));
        await note(`password 2 deployed on ${names[i]}`);
      }
      const c = await sim.counters();
      f.info(steps.join('; '));
      f.check(`runtimes that held the lease: ${[...holders].sort().join(', ')}`, 'more than one (the lease moved)', holders.size > 1);
      f.check(`failed logins for two refused passwords: ${c.loginsFailed}`, 'at most 2 (one per password)', c.loginsFailed <= 2);
      f.check(`user locked: ${c.locked}`, 'false', c.locked === false);
      f.assertAll();
    });
  });
}
