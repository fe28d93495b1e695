// One compatibility suite, run against each supported Node-RED: the packed tarball installed
// into a fresh user dir, Node-RED started on the Node.js it requires, then everything a user
// meets checked through Node-RED's own HTTP API (load, catalogs, help, icons, examples) and the
// quick-start example draining the simulator.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeRed, SimulatorProcess, installedTemplate, makeUserDir, packPackage, readSink, waitFor, type StartOptions } from '../harness';
import { quickStartFlow, statuses } from './quick-start';
import { LANGS, MODULE, RAW_KEY, TYPES, catalogs, examples, helpOf, keysIn, lookup, nodeSets, nodesHtml, setHtml } from './served';

export interface Target {
  /** Folder name under .e2e/userdirs/. */
  name: string;
  nodeRedMajor: number;
  nodeMajor: number;
  /** Start options (node binary, red.js); may install what it needs on first call. */
  options: () => StartOptions;
}

/** Log lines our settings cause on purpose (projects off, a fresh credentials file). */
const EXPECTED_WARNINGS = [/Projects disabled/, /Encrypted credentials not found/];

export function unexpectedWarnings(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => /\[(warn|error)\]|Warning:|\bError\b/.test(l))
    .filter((l) => !EXPECTED_WARNINGS.some((re) => re.test(l)));
}

const SMS = 500;

export function compatibilitySuite(target: Target): void {
  describe(`the packed tarball in Node-RED ${target.nodeRedMajor} on Node.js ${target.nodeMajor}`, function () {
    this.timeout(240_000);
    let red: NodeRed | undefined;
    let sim: SimulatorProcess | undefined;

    before(async function () {
      this.timeout(600_000); // a first run installs Node-RED 5 and Node 22 (cached after)
      const options = target.options();
      const userDir = makeUserDir({ name: `compat-${target.name}`, template: installedTemplate(packPackage()) });
      red = await NodeRed.start(userDir, options);
    });

    after(async () => {
      await red?.stop();
      await sim?.stop();
    });

    it(`runs Node-RED ${target.nodeRedMajor}.x on Node.js ${target.nodeMajor}.x`, () => {
      const log = red!.log();
      assert.match(log, new RegExp(`Node-RED version: v${target.nodeRedMajor}\\.`), log.slice(0, 800));
      assert.match(log, new RegExp(`Node\\.js\\s+version: v${target.nodeMajor}\\.`), log.slice(0, 800));
    });

    it('loads the three node types from the installed package, enabled and without an error', async () => {
      const ours = (await nodeSets(red!)).filter((s) => s.module === MODULE);
      assert.deepEqual(
        ours
          .map((s) => s.types)
          .flat()
          .sort(),
        [...TYPES].sort(),
      );
      for (const s of ours) {
        assert.equal(s.enabled, true, s.id);
        assert.equal(s.err, undefined, `${s.id}: ${s.err}`);
      }
      const installed = JSON.parse(fs.readFileSync(path.join(red!.userDir, 'node_modules', MODULE, 'package.json'), 'utf8')) as { version: string };
      assert.equal(ours[0].version, installed.version);
    });

    it('logs no warning or error while starting', () => {
      assert.deepEqual(unexpectedWarnings(red!.log()), []);
    });

    it('serves both node icons', async () => {
      for (const icon of ['thingspace.svg', 'thingspace-callbacks.svg']) {
        const res = await red!.api('GET', `/icons/${MODULE}/${icon}`);
        assert.equal(res.status, 200, icon);
        assert.match(res.headers.get('content-type') ?? '', /svg/, icon);
        assert.match(await res.text(), /<svg/, icon);
      }
    });

    for (const lng of LANGS) {
      it(`resolves every key the editor asks for in ${lng} (labels, tips, status texts)`, async () => {
        const served = await catalogs(red!, lng);
        const html = await nodesHtml(red!, lng);
        for (const type of TYPES) {
          const catalog = served[`${MODULE}/${type}`];
          assert.ok(catalog && typeof catalog === 'object', `no ${lng} catalog for ${MODULE}/${type}`);
          const keys = keysIn(setHtml(html, type));
          assert.ok(keys.length >= 5, `${type}: only ${keys.length} keys found in the served HTML`);
          const raw = keys.filter((k) => lookup(catalog, k) === undefined);
          assert.deepEqual(raw, [], `${lng}: ${type} would show these raw keys`);
          // Status texts are looked up by the runtime: every one in the catalog must be text.
          const status = (catalog as Record<string, Record<string, unknown>>)[type]?.status;
          if (type !== 'thingspace-config') assert.ok(status && Object.keys(status).length > 0, `${type}: no status texts`);
        }
      });

      it(`serves the help of every node in ${lng}, with no raw keys`, async () => {
        const html = await nodesHtml(red!, lng);
        for (const type of TYPES) {
          const help = helpOf(setHtml(html, type), type);
          assert.ok(help && help.trim().length > 200, `${lng}: ${type} has no help`);
          assert.doesNotMatch(help, RAW_KEY, `${lng}: ${type} help`);
          if (lng === 'de') {
            const en = helpOf(setHtml(await nodesHtml(red!, 'en-US'), type), type);
            assert.notEqual(help, en, `${type}: the German help is the English one`);
          }
        }
      });
    }

    it('lists every example under Import > Examples, each loading as the shipped flow', async () => {
      const modules = (await examples(red!)) as string[];
      assert.ok(modules.includes(MODULE), `example modules: ${modules.join(', ')}`);
      const dir = path.join(red!.userDir, 'node_modules', MODULE, 'examples');
      const shipped = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort();
      assert.ok(shipped.length >= 3, `only ${shipped.length} examples shipped`);
      const listed = ((await examples(red!, MODULE)) as Array<{ fn?: string }>).map((e) => e.fn).sort();
      assert.deepEqual(listed, shipped);
      const known = new Set([...(await nodeSets(red!)).flatMap((s) => s.types), 'tab', 'group', 'subflow']);
      for (const name of shipped) {
        const flow = (await examples(red!, `${MODULE}/${name}`)) as Array<{ type: string }>;
        assert.deepEqual(flow, JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')), name);
        const unknown = flow.map((n) => n.type).filter((t) => !known.has(t));
        assert.deepEqual(unknown, [], `${name}: node types this Node-RED does not have`);
      }
    });

    it(`drains ${SMS} SMS from the simulator through the quick-start example, with translated status texts`, async () => {
      sim = await SimulatorProcess.start(['--final-block', 'ack-on-delivery']);
      await sim.generate(SMS);
      await red!.deploy(quickStartFlow(red!.userDir, sim.url));
      await waitFor(async () => (await readSink(red!)).count >= SMS, 60_000, `${SMS} SMS in the flow`);
      await waitFor(async () => (await sim!.counters()).queued === 0, 10_000, 'the simulator queue to empty');
      const tally = await readSink(red!);
      assert.equal(tally.unique, SMS, 'SMS lost');
      assert.equal(tally.dups, 0, 'duplicates');

      const seen = (await statuses(red!)).filter((s) => s.source === 'sms-queue-in');
      assert.ok(
        seen.some((s) => s.fill === 'green'),
        `no green status: ${JSON.stringify(seen.slice(-5))}`,
      );
      const raw = seen.filter((s) => RAW_KEY.test(s.text) || /__\w+__/.test(s.text));
      assert.deepEqual(raw, [], 'status texts showing raw keys or unfilled variables');
      assert.deepEqual(unexpectedWarnings(red!.log()), []);
      console.log(
        `      Node-RED ${target.nodeRedMajor}: drained ${tally.unique} SMS, status texts seen: ${[...new Set(seen.map((s) => s.text.replace(/\d+/g, '#')))].join(' | ')}`,
      );
    });
  });
}
