// `node dist/bench/profile.js [count] [--latency=ms] [--runtime-alone]`: one drain of ours (or,
// with --runtime-alone, bench-gen's ready-made messages to the same sink) in a Node-RED
// started with --cpu-prof, then the summary of where its CPU went. The profile file stays in .bench/profiles/ for Chrome DevTools.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, installedTemplate } from '../test/e2e/harness';
import { freshId, generatorFlow, oursFlow } from './flows';
import { deploy, drainMs, runToCount, startRed, startSim, stopAll } from './lab';
import { summarise } from './profile-summary';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
  const latency = Number(args.find((a) => a.startsWith('--latency='))?.split('=')[1] ?? 0);
  const alone = args.includes('--runtime-alone');
  installedTemplate();
  const dir = path.join(ROOT, '.bench', 'profiles');
  const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const sim = await startSim(['--latency', String(latency)]);
  const red = await startRed('profile', { profile: true });
  try {
    if (alone) {
      await deploy(red, generatorFlow(count));
    } else {
      await sim.generate(count);
      await deploy(red, oursFlow(sim.url, freshId('q')));
    }
    const t = await runToCount(red, count, 600_000, 'profiled drain');
    console.log(`${alone ? 'runtime alone: sent' : 'drained'} ${t.count} SMS in ${drainMs(t)} ms (${Math.round((t.count * 1000) / drainMs(t))} SMS/s)`);
  } finally {
    await stopAll(red, sim);
  }
  const written = fs.readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
  for (const f of written) console.log(summarise(path.join(dir, f), 45));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
