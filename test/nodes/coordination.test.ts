// sms-queue-in with the config node's coordination on, in a Node-RED runtime, against the
// simulator and a real redis-server. The "other runtime" is played by the test through the
// coordination layer, with a connection of its own.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { accountKey } from '../../nodes/lib/client/account';
import { Coordinator, RedisPool, type Reader } from '../../nodes/lib/coordination/coordinator';
import { checkRedisUrl } from '../../nodes/lib/coordination/redis-url';
import { dedupeKey } from '../../nodes/lib/message/dedupe-key';
import { RedisServer, redisAvailable } from '../support/redis-server';
import { ACCOUNT, ALL_NODES, calls, collect, config, credentials, flow, helper, lastStatus, queue, statuses, waitFor } from './runtime';

describe('sms-queue-in with coordination (Redis) in a Node-RED runtime', function () {
  this.timeout(30_000);
  let sim: ThingSpaceSimulator;
  let redis: RedisServer;
  let other: { coordinator: Coordinator; reader: Reader } | undefined;

  const coordinated = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
    config(sim, { coordination: 'redis', redisUrl: redis.url, redisPrefix: 'nodes:', leaseTime: 2, instanceName: 'node-red-a', ...extra });

  /** Another runtime on the same account, holding (or trying to hold) the lease. */
  function otherRuntime(): Reader {
    const coordinator = new Coordinator({ url: checkRedisUrl(redis.url), prefix: 'nodes:', leaseMs: 2000, runtime: 'node-red-b' }, new RedisPool());
    const reader = coordinator.reader(accountKey(sim.url, ACCOUNT), 100);
    other = { coordinator, reader };
    reader.lease.start();
    return reader;
  }

  before(async function () {
    if (!redisAvailable()) this.skip();
    redis = await RedisServer.start();
  });
  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock: 'ack-on-delivery' });
  });
  afterEach(async () => {
    await helper.unload();
    if (other) {
      await other.reader.close();
      other.coordinator.close();
      other = undefined;
    }
    await sim.stop();
    if (!redis.running) await redis.launch();
    await redis.command('FLUSHALL');
  });
  after(async () => redis?.close());

  it('reads as the lease holder: drains the queue, names itself on the status, and keeps its state in Redis', async () => {
    sim.generate(250);
    await helper.load(ALL_NODES, flow(coordinated(), queue()), credentials());
    const got = collect('out');
    await waitFor(() => got.length >= 250, 10_000, '250 messages');
    await waitFor(() => /idle.* · node-red-a$/.test(lastStatus('q')?.text ?? ''), 5000, 'idle, naming this runtime');
    const lease = String(await redis.command('GET', `nodes:{${ACCOUNT}@${new URL(sim.url).host}}:lease`));
    assert.match(lease, /^\d+\|[0-9a-f]+\|node-red-a$/);
    // The window is written at most once a second: the last write follows within a second.
    const size = async (): Promise<number> =>
      (JSON.parse(String(await redis.command('HGET', `nodes:{${ACCOUNT}@${new URL(sim.url).host}}:state`, 'dedupe'))) as { entries: unknown[] }).entries.length;
    const deadline = Date.now() + 3000;
    while ((await size()) < 250 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await size(), 250);
  });

  it('two accounts on one config node get two leases: one account read here while another runtime holds the other', async () => {
    const B = '0000123456-00002';
    const host = new URL(sim.url).host;
    sim.generate(120, { account: ACCOUNT });
    sim.generate(80, { account: B });
    const holder = new Coordinator({ url: checkRedisUrl(redis.url), prefix: 'nodes:', leaseMs: 2000, runtime: 'node-red-b' }, new RedisPool());
    const reader = holder.reader(accountKey(sim.url, B), 100);
    other = { coordinator: holder, reader };
    reader.lease.start();
    await waitFor(() => reader.lease.holding, 5000, "the other runtime to hold B's lease");
    await helper.load(
      ALL_NODES,
      flow(coordinated(), queue({ id: 'qa', interval: '1', wires: [['out']] }), queue({ id: 'qb', interval: '1', accountName: B, wires: [['outB']] }), {
        id: 'outB',
        type: 'helper',
        z: 'tab1',
      }),
      credentials(),
    );
    const got = collect('out');
    const gotB = collect('outB');
    await waitFor(() => got.length >= 120, 10_000, 'A drained here');
    await waitFor(() => lastStatus('qb')?.text === `sms-queue-in.status.standby · ${B}`, 5000, 'B standing by, naming its account');
    assert.match(String(await redis.command('GET', `nodes:{${ACCOUNT}@${host}}:lease`)), /\|node-red-a$/);
    assert.match(String(await redis.command('GET', `nodes:{${B}@${host}}:lease`)), /\|node-red-b$/);
    assert.equal(sim.history(B).length, 0, 'B not read while another runtime holds its lease');
    assert.equal(gotB.length, 0);
    await other.reader.close();
    await waitFor(() => gotB.length >= 80, 10_000, 'B taken over and drained');
    assert.match(String(await redis.command('GET', `nodes:{${B}@${host}}:lease`)), /\|node-red-a$/);
    assert.ok(got.every((m) => (m.thingspace as { accountName: string }).accountName === ACCOUNT));
    assert.ok(gotB.every((m) => (m.thingspace as { accountName: string }).accountName === B));
  });

  it('stands by while another runtime holds the lease, naming it, and asks ThingSpace nothing; takes over when it stops', async () => {
    const b = otherRuntime();
    await waitFor(() => b.lease.holding, 5000, 'the other runtime to hold the lease');
    sim.generate(120);
    await helper.load(ALL_NODES, flow(coordinated(), queue({ interval: '1' })), credentials());
    const got = collect('out');
    await waitFor(() => statuses('q').some((s) => s.text === 'sms-queue-in.status.standby'), 5000, 'standby');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sim.counters().requests.history ?? 0, 0, 'no history request in standby');
    assert.equal(got.length, 0);
    await other!.reader.close();
    await waitFor(() => got.length >= 120, 10_000, 'the node to take over and drain');
  });

  it('Redis down: says coordination is unavailable (status and Catch, once), reads nothing, and resumes when Redis is back', async () => {
    await helper.load(ALL_NODES, flow(coordinated(), queue({ interval: '1' })), credentials());
    await waitFor(() => /idle/.test(lastStatus('q')?.text ?? ''), 5000, 'idle');
    await redis.stop();
    await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.coordinationUnavailable', 5000, 'unavailable status');
    const caught = collect('caught');
    sim.generate(50);
    const before = sim.counters().requests.history ?? 0;
    // Longer than the interval: a poll the lost lease did not stop would have come.
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal((sim.counters().requests.history ?? 0) - before, 0, 'no request without a confirmed lease');
    const errors = calls('q', 'error').filter((a) => (a[0] as { code?: string }).code === 'COORDINATION_UNAVAILABLE');
    assert.equal(errors.length, 1, `said once: ${JSON.stringify(errors.map((e) => (e[0] as Error).message))}`);
    assert.match(String((errors[0][0] as Error).message), /Redis at 127\.0\.0\.1:\d+/);
    const got = collect('out');
    await redis.launch();
    await waitFor(() => got.length >= 50, 15_000, 'the SMS once Redis is back');
    assert.ok(caught.length <= 1);
  });

  it('a pushed SMS another runtime already emitted is answered and not emitted again', async () => {
    const b = otherRuntime();
    await waitFor(() => b.lease.holding, 5000, 'the other lease');
    await helper.load(ALL_NODES, flow(coordinated(), queue({ interval: '0' })), credentials());
    const got = collect('out');
    const body = (text: string) => ({ deviceIds: [{ kind: 'mdn', id: '15551230001' }], message: text, timestamp: '2024-05-02T09:15:07Z' });
    assert.equal(await b.push.claim(dedupeKey(body('first'))), 'new', 'the other runtime emitted it');
    await waitFor(() => statuses('q').some((s) => s.text === 'sms-queue-in.status.standby'), 5000, 'standby');
    helper.getNode('q').receive({ payload: body('first') });
    helper.getNode('q').receive({ payload: body('second') });
    await waitFor(() => got.length >= 1, 5000, 'the new SMS');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      got.map((m) => m.payload),
      ['second'],
    );
  });

  describe('bad configuration', () => {
    for (const [what, extra, pattern] of [
      ['an http URL', { redisUrl: 'http://127.0.0.1:6379' }, /must start with redis:\/\/ or rediss:\/\//],
      ['a password in the URL', { redisUrl: 'redis://:hunter2@127.0.0.1:6379' }, /carries a password/],
      ['a lease time of 1 s', { leaseTime: 1 }, /Invalid lease time "1"/],
      ['a prefix with braces', { redisPrefix: 'a{b}' }, /key prefix/],
      [
        'Redis Sentinel with a sentinel given as a URL',
        { coordination: 'sentinel', sentinels: 'redis://:hunter2@10.0.0.5:26379', sentinelMaster: 'mymaster' },
        /Sentinels field takes host:port pairs/,
      ],
    ] as Array<[string, Record<string, unknown>, RegExp]>) {
      it(`${what}: BAD_CONFIG on the status and to Catch, no polling, no secret`, async () => {
        sim.generate(10);
        await helper.load(ALL_NODES, flow(coordinated(extra), queue({ interval: '1' })), credentials());
        await waitFor(() => calls('q', 'error').length > 0, 5000, 'the error');
        const err = calls('q', 'error')[0][0] as { code: string; message: string };
        assert.equal(err.code, 'BAD_CONFIG');
        assert.match(err.message, pattern);
        assert.doesNotMatch(err.message, /hunter2/);
        assert.equal(lastStatus('q')?.fill, 'red');
        // A node that reads polls as it starts: some 10 ms here.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(sim.counters().requests.history ?? 0, 0);
      });
    }
  });
});

describe('config node: ${VAR} references in credentials', function () {
  let sim: ThingSpaceSimulator;
  beforeEach(async () => (sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock: 'ack-on-delivery' })));
  afterEach(async () => {
    await helper.unload();
    await sim.stop();
    delete process.env.H13_TS_SECRET;
  });

  it('resolves a reference from the environment when the node starts', async () => {
    process.env.H13_TS_SECRET = 'sim-client-secret';
    sim.generate(5);
    await helper.load(ALL_NODES, flow(config(sim), queue()), credentials({ clientSecret: '${H13_TS_SECRET}' }));
    const got = collect('out');
    await waitFor(() => got.length >= 5, 10_000, 'the SMS');
  });

  it('an unset variable: BAD_CONFIG naming the variable, no request at all', async () => {
    process.env.H13_TS_PASSWORD_PART = 'never-shown';
    await helper.load(ALL_NODES, flow(config(sim), queue()), credentials({ clientSecret: '${H13_TS_SECRET}', password: 'sim-${H13_TS_PASSWORD_PART}' }));
    await waitFor(() => calls('q', 'error').length > 0, 5000, 'the error');
    const err = calls('q', 'error')[0][0] as { code: string; message: string };
    assert.equal(err.code, 'BAD_CONFIG');
    assert.match(err.message, /environment variable H13_TS_SECRET, which is not set/);
    assert.doesNotMatch(err.message, /never-shown/);
    assert.equal(sim.counters().requests.token ?? 0, 0);
    delete process.env.H13_TS_PASSWORD_PART;
  });
});
