// Crash on the final block: the simulator counts a `200` block as acknowledged once served
// (open question 2, `--final-block ack-on-delivery`), so after it is read the node's context
// is the only holder of those SMS. SIGKILL the moment the simulator has served it, while the
// flow still holds it; after a restart the node must emit it again (SPEC, "The final block").
import path from 'node:path';
import type { NodeRed, SimulatorProcess } from '../../e2e/harness';
import { TAB, queueNode, tab, type ContextStore } from '../../e2e/harness';
import { startRed, relUserDir, startSim, stopAll } from '../support/env';
import { collector, endpoints, observers, relConfig } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { fileTally, until } from '../support/wait';

const M = 50; // fewer than a block: the whole queue comes as one final 200 block

function holdingFlow(server: string, file: string): Record<string, unknown>[] {
  return [
    tab(),
    relConfig(server),
    queueNode(['rel-hold'], { ackMode: 'manual', ackTimeout: '60', interval: '1' }),
    {
      id: 'rel-hold',
      type: 'function',
      z: TAB,
      name: 'hold while REL_HOLD',
      // The flow "has not finished" these SMS: with REL_HOLD set they go nowhere.
      func: `if (env.get('REL_HOLD') === '1') { return [null, msg]; }\nreturn [msg, null];`,
      outputs: 2,
      wires: [['rel-file'], ['rel-seen']],
    },
    collector('rel-seen', 'seen'),
    { id: 'rel-file', type: 'file', z: TAB, name: 'write', filename: file, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [[]] },
    { id: 'rel-complete', type: 'complete', z: TAB, name: 'written', scope: ['rel-file'], uncaught: false, wires: [['e2e-q']] },
    ...observers(),
    ...endpoints(),
  ];
}

async function trial(store: ContextStore, k: number): Promise<{ lost: number; dups: number; killAfterMs: number }> {
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  try {
    sim = await startSim(['--final-block', 'ack-on-delivery']);
    const dir = relUserDir(`final-${store}-${k}`, store);
    const file = path.join(dir.userDir, 'sms-out.txt');
    red = await startRed(dir, { env: { REL_HOLD: '1' } });
    await sim.generate(M);
    const s = sim;
    await red.deploy(holdingFlow(sim.url, file));
    // Kill as soon as the simulator has served (and so dropped) the block.
    const t0 = Date.now();
    await until(async () => (await s.counters()).messagesAcked >= M, 30_000, 2);
    const servedAt = Date.now();
    await red.kill();
    const killAfterMs = Date.now() - servedAt;
    void t0;
    red = await startRed(dir);
    await until(() => fileTally(file).unique >= M, 20_000, 100);
    const tally = fileTally(file);
    return { lost: M - tally.unique, dups: tally.lines - tally.unique, killAfterMs };
  } finally {
    await stopAll(red, sim);
  }
}

export function finalBlockScenario(): void {
  describe('crash on the final block (ack-on-delivery, manual mode)', function () {
    this.timeout(0);

    it('emits the final block again after a SIGKILL with the file context store without cache', async () => {
      const f = new Figures('final block, file store without cache');
      let lost = 0;
      const kills: number[] = [];
      for (let k = 0; k < PROFILE.finalBlock.trials; k++) {
        const r = await trial('file-nocache', k);
        lost += r.lost;
        kills.push(r.killAfterMs);
      }
      const total = M * PROFILE.finalBlock.trials;
      f.check(`lost ${lost} of ${total} (${PROFILE.finalBlock.trials} kill(s), ${kills.join('/')} ms after the block was served)`, 'lost 0', lost === 0);
      f.assertAll();
    });

    it('measures the file context store with its default cache (flushed every 30 s)', async () => {
      const f = new Figures('final block, file store with cache');
      let lost = 0;
      for (let k = 0; k < PROFILE.finalBlock.trials; k++) lost += (await trial('file', k)).lost;
      const total = M * PROFILE.finalBlock.trials;
      // Not a target the node can meet alone: the cached store writes to disk only every
      // flushInterval, so a crash within it loses what the node saved. README says so.
      f.info(`lost ${lost} of ${total} when killed right after the block was served`, 'informational: the cache flushes every 30 s');
    });
  });
}
