// The MariaDB recipe (docs/recipes/mariadb.md) in Node-RED started from the packed tarball, with the Node-RED
// project's own node-red-node-mysql, against a real MariaDB: sms-queue-in in manual mode,
// an INSERT IGNORE keyed on the SMS, and the acknowledgement back into sms-queue-in only
// once the row is stored. Node-RED is killed with SIGKILL twice during the drain.
import assert from 'node:assert/strict';
import { NodeRed, SimulatorProcess, e2ePath, makeUserDir, waitFor } from '../harness';
import { installedTemplateWith } from '../harness/extra-packages';
import { MariaDb, findMariaDb, type DbUser } from './lib/mariadb';
import { requireOrSkip } from './lib/processes';
import { readRecipe, recipeFlow } from './lib/recipe';
import { seedFromEnv } from '../../support/seed';

const SMS = 3_000;
/** The simulator's default block size (SMS per history answer). */
const BLOCK = 100;
const LATENCY_MS = 30;
/** SMS sent while the database is down. */
const EXTRA = 300;
const MYSQL_NODE = 'node-red-node-mysql@3.0.4';
const DB: DbUser = { database: 'thingspace', user: 'nodered', password: 'e2e-db-password' };

describe('the MariaDB recipe: SMS into a table with end-to-end acknowledgement', function () {
  this.timeout(180_000);
  let db: MariaDb | undefined;
  let sim: SimulatorProcess | undefined;
  let red: NodeRed | undefined;
  let userDir = '';
  const rows = () => db!.number(`SELECT COUNT(*) FROM ${DB.database}.sms`);

  before(async function () {
    const bin = requireOrSkip(this, 'mariadb-server', findMariaDb());
    if (!bin) return;
    db = await MariaDb.start(bin, e2ePath('mariadb', 'mqttdb'));
    await db.createUser(DB);
    await db.sql(`USE ${DB.database}; ${readRecipe().table}`);
    // The hard case of docs/thingspace-api.md, "Open questions" 2: the final block leaves the queue once served, so
    // after that only the node (and its context store) holds those SMS.
    sim = await SimulatorProcess.start(['--final-block', 'ack-on-delivery', '--latency', String(LATENCY_MS)]);
  });

  after(async () => {
    await red?.kill();
    await sim?.stop();
    await db?.stop();
  });

  it('stores every SMS exactly once though Node-RED is killed twice during a 3,000 SMS drain', async () => {
    // The kill moments.
    const seeded = seedFromEnv('mariadb');
    // The recipe's settings.js: the file context store without cache (see docs/recipes/mariadb.md).
    userDir = makeUserDir({ name: 'mqttdb-mariadb', contextStore: 'file-nocache', template: installedTemplateWith([MYSQL_NODE]) });
    red = await NodeRed.start(userDir);
    await sim!.generate(SMS);
    await red.deploy(recipeFlow({ simUrl: sim!.url, dbPort: db!.port, db: DB }));

    const killedAt: number[] = [];
    const killAndRestart = async (): Promise<void> => {
      await red!.kill();
      killedAt.push(await rows());
      red = await NodeRed.start(userDir);
    };

    // First kill: a random moment in the middle of the drain.
    const threshold = Math.floor(SMS * (0.1 + seeded.random() * 0.4));
    await waitFor(async () => (await rows()) >= threshold, 60_000, `${threshold} rows`, 20);
    await killAndRestart();

    // Second kill: a random moment while the final block is in the flow. With
    // ack-on-delivery it has left the queue once served, so only the node holds it. Slower
    // answers for the last blocks, and the table held locked once all but the final block
    // are stored, keep that block in the flow long enough to be sure the kill lands there.
    await waitFor(async () => (await rows()) >= SMS - 10 * BLOCK, 60_000, `${SMS - 10 * BLOCK} rows`, 20);
    await sim!.configure({ latencyMs: 500 });
    await waitFor(async () => (await rows()) >= SMS - BLOCK, 60_000, `${SMS - BLOCK} rows`, 10);
    const unlock = await db!.lockTable(`${DB.database}.sms`);
    try {
      await waitFor(async () => (await sim!.counters()).queued === 0, 10_000, 'the final block served', 5);
      await new Promise((r) => setTimeout(r, seeded.int(100, 500)));
      await red.kill();
    } finally {
      await unlock();
    }
    killedAt.push(await rows());
    await sim!.configure({ latencyMs: LATENCY_MS });
    red = await NodeRed.start(userDir);

    await waitFor(async () => (await rows()) >= SMS, 90_000, `${SMS} rows`).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${await rows()} rows, simulator ${JSON.stringify(await sim!.counters())}\n${red!.log().slice(-3000)}`);
    });
    await waitFor(async () => (await sim!.counters()).queued === 0, 30_000, 'the simulator queue to empty');
    await new Promise((r) => setTimeout(r, 1_000)); // late re-deliveries would show up here

    const stored = await rows();
    const distinct = await db!.number(`SELECT COUNT(DISTINCT text) FROM ${DB.database}.sms`);
    const inserts = await db!.number(`SHOW GLOBAL STATUS LIKE 'Com_insert'`);
    console.log(
      `      mariadb: sent ${SMS}, rows ${stored} (distinct texts ${distinct}), INSERTs ${inserts}, ` +
        `duplicates suppressed by the key ${inserts - stored}, restarts ${killedAt.length} (kill -9 at ${killedAt.join(' and ')} rows)`,
    );
    assert.equal(stored, SMS);
    assert.equal(distinct, SMS);
  });

  it('acknowledges only what the database stored: SMS drained while it is down are stored once it is back', async () => {
    const before = await rows();
    await red!.stop();
    await db!.stop();
    const served = (await sim!.counters()).messagesServed;
    await sim!.generate(EXTRA);
    const t0 = Date.now();
    red = await NodeRed.start(userDir); // polls at once: every INSERT fails, the database is down
    await waitFor(async () => (await sim!.counters()).messagesServed > served, 20_000, 'a block served while the database is down');
    await new Promise((r) => setTimeout(r, 2_000));
    await db!.launch();
    await waitFor(async () => (await rows()) >= before + EXTRA, 120_000, `${before + EXTRA} rows`).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${await rows()} rows\n${red!.log().slice(-3000)}`);
    });
    await waitFor(async () => (await sim!.counters()).queued === 0, 30_000, 'the simulator queue to empty');
    const stored = await rows();
    console.log(`      mariadb down at restart: ${EXTRA} more SMS, rows ${stored - before} of them after ${Math.round((Date.now() - t0) / 1000)} s`);
    assert.equal(stored, before + EXTRA);
  });
});
