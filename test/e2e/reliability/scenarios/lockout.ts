// Lockout: a wrong password costs one failed login in all (never a loop, never again at a
// redeploy: the refusal is remembered), every node that uses the config says why, naming the
// user, and the simulator's user (locked after 5 failures, docs/thingspace-api.md, "Session") is never locked.
import type { NodeRed, SimulatorProcess } from '../../harness';
import { TAB, queueNode, tab } from '../../harness';
import { CREDS, sleep, startRed, relUserDir, startSim, stopAll } from '../support/env';
import { clearCollected, endpoints, observers, readCollected, relConfig } from '../support/flows';
import { Figures } from '../support/results';
import { until } from '../support/wait';

const DEPLOYS = 3;

export function lockoutScenario(): void {
  describe('a wrong password', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it('costs one failed login whatever the deploys, shows on every node, and never locks the user', async () => {
      const f = new Figures('lockout');
      sim = await startSim(['--lockout-after', '5', '--generate', '10']);
      red = await startRed(relUserDir('lockout'));
      const flows = [
        tab(),
        relConfig(sim.url, { password: `${CREDS.password}-wrong` }),
        queueNode([], { interval: '1' }),
        { id: 'rel-sc', type: 'start-callbacks', z: TAB, name: '', thingspace: 'e2e-cfg', callbackUrl: '', onDeploy: true, wires: [[]] },
        ...observers(),
        ...endpoints(),
      ];
      const failed: number[] = [];
      const rejectedOn = new Set<string>();
      for (let d = 0; d < DEPLOYS; d++) {
        await clearCollected(red, 'statuses');
        await red.deploy(
          flows.map((n) => (n.type === 'sms-queue-in' ? { ...n, name: `q${d}` } : n)),
          'full',
        );
        const r = red;
        const shown = new Set<string>();
        const showRejection = async (): Promise<boolean> => {
          for (const s of await readCollected(r, 'statuses')) {
            if ((s.status?.text ?? '').includes(`${CREDS.username}: login refused`)) shown.add(s.status?.source?.type ?? '?');
          }
          return shown.has('sms-queue-in') && shown.has('start-callbacks');
        };
        // The rejection first (both nodes say it), then long enough for a loop to show: the
        // node polls every second, so a loop would log in again within three.
        await until(showRejection, 15_000, 100);
        await sleep(3000);
        failed.push((await sim.counters()).loginsFailed);
        await showRejection();
        for (const type of shown) rejectedOn.add(type);
      }
      const c = await sim.counters();
      const errors = (await readCollected(red, 'errors')).filter((e) => e.code === 'CREDENTIALS_REJECTED' || (e.code ?? '').includes('Password.Invalid'));
      f.check(
        `failed logins after each of ${DEPLOYS} deploys: ${failed.join(', ')}`,
        `1, 1, 1 (the refusal remembered)`,
        failed.every((v) => v === 1),
      );
      f.check(`user locked: ${c.locked}`, 'false', c.locked === false);
      f.check(
        `nodes showing "${CREDS.username}: login refused": ${[...rejectedOn].sort().join(', ') || 'none'}`,
        'sms-queue-in and start-callbacks',
        rejectedOn.has('sms-queue-in') && rejectedOn.has('start-callbacks'),
      );
      f.check(`Catch errors naming the rejection: ${errors.length}`, '>= 1 per deploy', errors.length >= DEPLOYS);
      f.assertAll();
    });
  });
}
