// P5: what loading the package adds to Node-RED's start. Node-RED is spawned as a user
// runs it, from a user dir with the packed package installed and from one without, in turn,
// and timed from spawn to its "Started flows" log line (no flows deployed in either).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, freePort, installedTemplate, makeUserDir } from '../../test/e2e/harness';
import { plainTemplate } from '../lab';
import { describeSpread, median, spread } from '../stats';
import type { Plan } from '../plan';
import { fmt, type Row } from '../table';

function timeStart(userDir: string, port: number): Promise<number> {
  const redJs = require.resolve('node-red/red.js', { paths: [ROOT] });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js'), '--port', String(port)], {
      cwd: userDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let elapsed: number | undefined;
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (elapsed === undefined && out.includes('Started flows')) {
        elapsed = performance.now() - t0;
        proc.kill('SIGINT');
      }
    });
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', () => {
      clearTimeout(timer);
      if (elapsed === undefined) reject(new Error(`Node-RED did not start:\n${out.slice(-2000)}`));
      else resolve(elapsed);
    });
  });
}

export async function startupScenario(plan: Plan): Promise<Row[]> {
  const withDir = makeUserDir({ name: 'bench-start-with', template: installedTemplate() });
  const withoutDir = makeUserDir({ name: 'bench-start-without', template: plainTemplate() });
  const port = await freePort();
  // One warm-up of each (file system caches), then alternate so load drifts hit both alike.
  await timeStart(withDir, port);
  await timeStart(withoutDir, port);
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (let i = 0; i < plan.startReps; i++) {
    withMs.push(await timeStart(withDir, port));
    withoutMs.push(await timeStart(withoutDir, port));
  }
  const w = median(withMs);
  const wo = median(withoutMs);
  const added = w - wo;
  const perStart = spread(withMs.map((x, i) => x - withoutMs[i]));
  const signed = (x: number): string => `${x >= 0 ? '+' : ''}${fmt.ms(x)}`;
  return [
    {
      id: 'P5',
      what: `start-up, median of ${plan.startReps}`,
      measured: `${fmt.ms(w)} with the package vs ${fmt.ms(wo)} without (spawn to "Started flows")`,
      ratio: signed(added),
      spread: `each pair: ${describeSpread(perStart, signed)}`,
      target: '<= +100 ms',
      holds: added <= 100,
    },
  ];
}
