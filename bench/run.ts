// `npm run bench [-- --quick] [-- --only=P1,P4] [-- --profile]`: runs Node-RED from the packed
// tarball against the simulator in its own process and prints one table, P1-P9 of the
// performance issues, S1 (sending) and C1-C4 (coordination), each a ratio measured in this
// run. It never fails: a target that does not hold says NO in the table, and the exit code
// stays 0 (it is not a test). On a machine already busy at the start it judges nothing
// (bench/load.ts): every row says n/a (load).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, installedTemplate } from '../test/e2e/harness';
import { makePlan } from './plan';
import { drainScenarios } from './scenarios/drain';
import { cpuScenario } from './scenarios/cpu';
import { memoryScenario } from './scenarios/memory';
import { idleScenario } from './scenarios/idle';
import { startupScenario } from './scenarios/startup';
import { pushScenario } from './scenarios/push';
import { sendScenario } from './scenarios/send';
import { coordinationScenarios } from './scenarios/coordination';
import { proxyScenario } from './scenarios/proxy';
import { accountsScenario } from './scenarios/accounts';
import { simulatorScenario } from './scenarios/simulator';
import { metricsScenario } from './scenarios/metrics';
import { judgeLoad } from './load';
import { formatTable, type Row } from './table';

function machine(): string {
  const cpu = os.cpus();
  const red = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json', { paths: [ROOT] }), 'utf8')) as { version: string };
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB, ${os.type()} ${os.release()}; Node ${process.version}; Node-RED ${red.version}`;
}

const fmtLoad = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' ');
const load = (): string => fmtLoad(os.loadavg());

async function main(): Promise<void> {
  const { plan, only } = makePlan(process.argv.slice(2));
  const want = (id: string): boolean => !only || only.has(id.toUpperCase());
  const started = Date.now();
  const rows: Row[] = [];
  const failures: string[] = [];
  const log = (line: string): void => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  const loadAtStart = os.loadavg();
  const cores = os.cpus().length;
  const verdict = judgeLoad(loadAtStart[0], cores);
  log(`${plan.quick ? 'quick' : 'full'} run; load average ${load()}; packing and installing the package`);
  if (!verdict.judged) log(`the 1-minute load average is above the ${cores} cores: the figures will be printed, the targets not judged`);
  installedTemplate();

  const attempt = async (ids: string[], run: () => Promise<Row[]>): Promise<void> => {
    if (!ids.some(want)) return;
    log(`${ids.join('+')}...`);
    try {
      for (const r of await run()) if (want(r.id)) rows.push(r);
    } catch (err) {
      const text = `${ids.join('+')} failed: ${err instanceof Error ? err.message : String(err)}`;
      failures.push(text);
      log(text);
      for (const id of ids) if (want(id)) rows.push({ id, what: 'did not complete', measured: 'see the log above', ratio: '-', target: '-', holds: false });
    }
  };

  // P4 only idles: it runs beside the others and costs them nothing.
  const idle = want('P4') ? attempt(['P4'], () => idleScenario(plan)) : Promise.resolve();
  await attempt(['P1', 'P7'], () => drainScenarios(plan, want));
  await attempt(['P2'], () => cpuScenario(plan));
  await attempt(['P3'], () => memoryScenario(plan));
  await attempt(['P5'], () => startupScenario(plan));
  await attempt(['P6'], () => pushScenario(plan));
  await attempt(['S1'], () => sendScenario(plan));
  await attempt(['C1', 'C2', 'C3', 'C4'], () => coordinationScenarios(plan, want));
  await attempt(['P8'], () => proxyScenario(plan));
  await attempt(['P9'], () => accountsScenario(plan));
  await attempt(['M1'], () => metricsScenario(plan));
  await attempt(['SIM'], () => simulatorScenario());
  if (want('P4')) log('waiting for P4 (idle window)');
  await idle;
  rows.sort((a, b) => a.id.localeCompare(b.id));

  const header =
    `Machine: ${machine()}\n` +
    `Run: ${plan.quick ? 'quick' : 'full'} (${plan.rounds} rounds per timed drain), ${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
    `load average at the start ${fmtLoad(loadAtStart)}, at the end ${load()}`;
  const table = formatTable(rows, verdict.judged) + (verdict.note ? `\n\n${verdict.note}` : '');
  console.log(`\n${header}\n\n${table}\n`);
  fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.bench', 'last.md'), `${header}\n\n${table}\n`);
  fs.writeFileSync(path.join(ROOT, '.bench', 'last.json'), JSON.stringify({ plan, loadAtStart, cores, judged: verdict.judged, rows, failures }, null, 2));
  if (failures.length > 0) console.log(`Not measured: ${failures.join('; ')}`);
}

main().catch((err: unknown) => {
  // Not a test: report and exit 0, so a slow or odd machine never fails CI.
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
});
