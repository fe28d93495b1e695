// Logins are the user's, and a refused password is never tried twice: several config nodes of
// one user in a real Node-RED runtime against the simulator, with the memory of refused logins
// in a user directory of the test's own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ThingSpaceSimulator } from '../../simulator/server';
import { REFUSALS_FILE } from '../../nodes/lib/node-red/refusal-file';
import { ALL_NODES, SIM_CREDS, TAB, collect, helper, statuses, waitFor } from './runtime';

const ACCOUNTS = Array.from({ length: 6 }, (_, i) => `0000123456-${String(i + 1).padStart(5, '0')}`);

/** Six config nodes, one per account, all with the same user, each read by an sms-queue-in. */
function sixAccounts(sim: ThingSpaceSimulator, password: string): { flow: Record<string, unknown>[]; creds: Record<string, unknown> } {
  const flow: Record<string, unknown>[] = [{ id: TAB, type: 'tab', label: 'test' }];
  const creds: Record<string, unknown> = {};
  ACCOUNTS.forEach((account, i) => {
    flow.push({ id: `cfg${i}`, type: 'thingspace-config', name: account, accountName: account, server: sim.url });
    flow.push({
      id: `q${i}`,
      type: 'sms-queue-in',
      z: TAB,
      thingspace: `cfg${i}`,
      interval: '1',
      ackMode: 'auto',
      ackTimeout: '60',
      output: 'single',
      dedupe: true,
      topic: '',
      wires: [['out']],
    });
    creds[`cfg${i}`] = { ...SIM_CREDS, password };
  });
  flow.push({ id: 'out', type: 'helper', z: TAB });
  flow.push({ id: 'catcher', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] });
  flow.push({ id: 'caught', type: 'helper', z: TAB });
  return { flow, creds };
}

/** The Catch messages of every deploy from now on (the helper node is a new one at each). */
function caughtAcrossDeploys(): { messages: string[]; stop(): void } {
  const hooks = (
    helper as unknown as {
      _RED: { hooks: { add(name: string, fn: (e: { destination: { id: string }; msg: Record<string, unknown> }) => void): void; remove(name: string): void } };
    }
  )._RED.hooks;
  const messages: string[] = [];
  hooks.add('onReceive.loginsCaught', (e) => {
    if (e.destination.id === 'caught') messages.push(String((e.msg.error as { message?: unknown }).message));
  });
  return { messages, stop: () => hooks.remove('onReceive.loginsCaught') };
}

const refusedShown = (id: string): number => statuses(id).filter((s) => s?.text === 'sms-queue-in.status.loginRefused').length;

describe('logins shared by the config nodes of one user', function () {
  this.timeout(30_000);
  let sim: ThingSpaceSimulator;
  let userDir: string;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, accounts: ACCOUNTS, lockoutAfter: 5 });
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-logins-'));
    helper.settings({ userDir });
  });

  afterEach(async () => {
    await helper.unload();
    helper.settings({ userDir: undefined });
    await sim.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('six accounts of one user drain on one token request and one login', async () => {
    for (const account of ACCOUNTS) sim.generate(20, { account });
    const { flow, creds } = sixAccounts(sim, SIM_CREDS.password);
    await helper.load(ALL_NODES, flow, creds);
    const got = collect('out');
    await waitFor(() => got.length === 120, 15_000, 'all six accounts drained');
    const c = sim.counters();
    assert.equal(c.requests.token, 1, 'token requests');
    assert.equal(c.requests.login, 1, 'logins');
  });

  it('a refused password: one failed login through a redeploy and a restart, every node names the user, a changed password tries once', async () => {
    const wrong = sixAccounts(sim, 'old-password');
    await helper.load(ALL_NODES, wrong.flow, wrong.creds);
    let caught = caughtAcrossDeploys();
    await waitFor(() => ACCOUNTS.every((_, i) => refusedShown(`q${i}`) >= 1), 10_000, 'the refusal on every node');
    await waitFor(() => caught.messages.length === 6, 5_000, 'the refusal on Catch, once per node');
    for (const m of caught.messages) assert.match(m, /"sim-user".*1 failed login recorded.*locks the user after 5/);
    caught.stop();

    // A full redeploy: the refusal is remembered by the runtime.
    await helper.setFlows(wrong.flow, 'full', wrong.creds);
    await waitFor(() => ACCOUNTS.every((_, i) => refusedShown(`q${i}`) >= 1), 10_000, 'the refusal after the redeploy');
    // A restart: a new runtime reads the memory from the user directory.
    await helper.unload();
    await helper.load(ALL_NODES, wrong.flow, wrong.creds);
    caught = caughtAcrossDeploys();
    await waitFor(() => ACCOUNTS.every((_, i) => refusedShown(`q${i}`) >= 1), 10_000, 'the refusal after the restart');
    await waitFor(() => caught.messages.length === 6, 5_000, 'the remembered refusal on Catch');
    assert.match(caught.messages[0], /"sim-user" on \d{4}-.*1 failed login recorded/);
    caught.stop();
    assert.equal(sim.counters().loginsFailed, 1, 'one failed login for the password, whatever the deploys and restarts');

    const file = fs.readFileSync(path.join(userDir, REFUSALS_FILE), 'utf8');
    assert.ok(!file.includes('old-password'), 'the file holds no password');
    assert.match(file, /"user": "sim-user"/);
    assert.match(file, /"failedLogins": 1/);

    // Another wrong password is tried once: two failed logins on record.
    const other = sixAccounts(sim, 'another-wrong-one');
    await helper.setFlows(other.flow, 'full', other.creds);
    await waitFor(() => sim.counters().loginsFailed === 2, 10_000, 'the changed password tried');
    caught = caughtAcrossDeploys();
    await helper.setFlows(other.flow, 'full', other.creds);
    await waitFor(() => caught.messages.length === 6, 10_000, 'the second refusal remembered');
    assert.match(caught.messages[0], /2 failed logins recorded/);
    caught.stop();
    assert.equal(sim.counters().loginsFailed, 2);
    assert.equal(sim.counters().locked, false);

    // The right password: the six accounts drain and the record is cleared.
    for (const account of ACCOUNTS) sim.generate(5, { account });
    const right = sixAccounts(sim, SIM_CREDS.password);
    await helper.setFlows(right.flow, 'full', right.creds);
    const got = collect('out');
    await waitFor(() => got.length === 30, 15_000, 'all six accounts drained');
    await waitFor(() => !fs.readFileSync(path.join(userDir, REFUSALS_FILE), 'utf8').includes('sim-user'), 5_000, 'the record cleared by the login');
  });

  it('Test connection answers a refused password from memory and tries it only when asked to', async () => {
    const { flow, creds } = sixAccounts(sim, SIM_CREDS.password);
    await helper.load(
      ALL_NODES,
      flow.filter((n) => n.type !== 'sms-queue-in'),
      creds,
    );
    const test = async (force?: boolean): Promise<{ login: Record<string, unknown> }> => {
      const body = { accountName: ACCOUNTS[0], server: sim.url, credentials: { ...SIM_CREDS, password: 'typo' }, force };
      const res = await helper.request().post('/thingspace-config/cfg0/test').send(body);
      assert.equal(res.status, 200);
      return res.body as { login: Record<string, unknown> };
    };
    const first = await test();
    assert.equal(first.login.ok, false);
    assert.equal((first.login.recorded as { failedLogins: number }).failedLogins, 1);
    assert.equal(sim.counters().loginsFailed, 1);

    const second = await test();
    const remembered = second.login.remembered as { user: string; failedLogins: number; at: number };
    assert.deepEqual([remembered.user, remembered.failedLogins], ['sim-user', 1]);
    assert.ok(Date.now() - remembered.at < 60_000);
    assert.equal(sim.counters().loginsFailed, 1, 'answered from memory: no login sent');

    const forced = await test(true);
    assert.equal((forced.login.recorded as { failedLogins: number }).failedLogins, 2);
    assert.equal(sim.counters().loginsFailed, 2, 'Try anyway sends one login');
    assert.ok(!JSON.stringify([first, second, forced]).includes('typo'));
  });
});
