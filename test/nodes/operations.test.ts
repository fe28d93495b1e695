// The metrics and health paths (settings.js thingspaceSms, docs/operations.md) in a Node-RED
// runtime, served by its own HTTP node server over real HTTP, against the simulator.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ThingSpaceSimulator } from '../../simulator/server';
import { accountKey } from '../../nodes/lib/client/account';
import { Coordinator, type Reader } from '../../nodes/lib/coordination/coordinator';
import { linkPool } from '../../nodes/lib/coordination/redis-link';
import { checkRedisUrl } from '../../nodes/lib/coordination/redis-url';
import { RedisServer, redisAvailable } from '../support/redis-server';
import { ACCOUNT, ALL_NODES, TAB, collect, config, credentials, flow, helper, queue, waitFor } from './runtime';
import { smsOut } from './sms-out-flow';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpInNodes = require('@node-red/nodes/core/network/21-httpin.js');

const METRICS = '/ops/metrics';
const HEALTH = '/ops/health';

let nodeApp: http.RequestListener | undefined;
function captureHttpNode(RED: { httpNode: http.RequestListener }): void {
  nodeApp = RED.httpNode;
}

/** One sample of the Prometheus text format, by name and labels (all of them given). */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && m[2].split(',').sort().join(',') === want) return Number(m[3]);
  }
  return undefined;
}

describe('metrics and health paths (Node-RED runtime, settings.js thingspaceSms)', function () {
  this.timeout(30_000);
  let sim: ThingSpaceSimulator;
  let server: http.Server;
  let base: string;
  let key: string;

  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(base + path);
    return { status: res.status, text: await res.text() };
  };
  const health = async (): Promise<{ status: number; body: { status: string; accounts: Array<Record<string, string>> } }> => {
    const r = await get(HEALTH);
    return { status: r.status, body: JSON.parse(r.text) };
  };
  const load = (nodes: Record<string, unknown>[], creds = credentials()): Promise<void> =>
    helper.load([...ALL_NODES, captureHttpNode, httpInNodes], flow(...nodes), creds);

  before(() => helper.settings({ thingspaceSms: { metricsPath: METRICS, healthPath: HEALTH } }));
  after(() => helper.settings({}));
  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock: 'ack-on-delivery' });
    key = accountKey(sim.url, ACCOUNT);
    server = http.createServer((req, res) => (nodeApp ? nodeApp(req, res) : res.writeHead(503).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await helper.unload();
    nodeApp = undefined;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await sim.stop();
  });

  it('counts a drain, a push, sends and their delivery outcomes per account and runtime, as the simulator counted them', async () => {
    sim.generate(120);
    // Delivery notices come to the queue node's own listener on this HTTP node server.
    const starter = {
      id: 'sc',
      type: 'start-callbacks',
      z: TAB,
      thingspace: 'cfg',
      callbackUrl: `${base}/thingspace/sms`,
      onDeploy: false,
      deliveryNotices: true,
      deliveryUrl: '',
      wires: [[]],
    };
    await load([config(sim), queue({ interval: '1', listen: '/thingspace/sms' }), smsOut(), starter, { id: 'outcome', type: 'helper', z: TAB }]);
    const outcomes = collect('outcome');
    const got = collect('out');
    await waitFor(() => got.length >= 120 && sim.queued() === 0, 10_000, 'the drain');
    // Once drained: nothing left for ThingSpace to push but the delivery notices.
    helper.getNode('sc').receive({});
    await waitFor(() => sim.callbacks(ACCOUNT).length === 2, 5_000, 'both listeners registered');
    helper.getNode('q').receive({ payload: { deviceIds: [{ kind: 'mdn', id: '15551230009' }], message: 'pushed', timestamp: '2024-05-02T09:15:07Z' } });
    for (let i = 0; i < 3; i++) helper.getNode('so').receive({ payload: `hello ${i}`, deviceIds: [{ kind: 'mdn', id: '15551230001' }] });
    await waitFor(() => got.length >= 121 && sim.counters().smsAccepted === 3 && outcomes.length === 3, 10_000, 'the push, the sends and their outcomes');
    const { status, text } = await get(METRICS);
    assert.equal(status, 200);
    const runtime = (await health()).body.accounts[0].runtime;
    const l = { account: key, runtime };
    assert.equal(sample(text, 'thingspace_sms_received_total', { ...l, source: 'poll' }), sim.counters().messagesServed);
    assert.equal(sample(text, 'thingspace_sms_received_total', { ...l, source: 'push' }), 1);
    assert.equal(sample(text, 'thingspace_sms_sent_total', { ...l, outcome: 'accepted' }), sim.counters().smsAccepted);
    assert.equal(sample(text, 'thingspace_sms_history_requests_total', { ...l, outcome: 'ok' }), sim.counters().requests.history);
    assert.equal(sample(text, 'thingspace_sms_history_request_duration_seconds_count', { ...l, outcome: 'ok' }), sim.counters().requests.history);
    assert.ok((sample(text, 'thingspace_sms_acknowledged_total', l) ?? 0) > 0, 'acknowledged counted');
    assert.equal(sample(text, 'thingspace_sms_more_data_waiting', l), 0);
    assert.ok(Math.abs(sample(text, 'thingspace_sms_last_success_timestamp_seconds', l)! - Date.now() / 1000) < 10);
    assert.equal(sample(text, 'thingspace_sms_send_queue_depth', l), 0);
    assert.equal(sample(text, 'thingspace_sms_outcomes_pending', l), 0);
    assert.equal(sample(text, 'thingspace_sms_delivery_outcomes_total', { ...l, status: 'delivered' }), 3);
    assert.doesNotMatch(text, /15551230001|hello|pushed/, 'no device ids or texts');
  });

  it('health: 200 while the account is read; 503 naming the code while ThingSpace refuses the credentials', async () => {
    await load([config(sim), queue({ interval: '1' })]);
    await waitFor(() => (sim.counters().requests.history ?? 0) > 0, 5000, 'a first poll');
    let h = await health();
    await waitFor(() => h.body.accounts[0]?.state === 'reading', 5000, 'reading');
    h = await health();
    assert.equal(h.status, 200);
    assert.deepEqual(
      { status: h.body.status, account: h.body.accounts[0].account, state: h.body.accounts[0].state },
      { status: 'ok', account: key, state: 'reading' },
    );
    assert.ok(Date.parse(h.body.accounts[0].lastSuccess) > Date.now() - 10_000);
    await helper.unload();

    await load([config(sim), queue({ interval: '1' })], credentials({ clientSecret: 'wrong' }));
    await waitFor(() => sim.counters().requests.token !== undefined, 5000, 'a token request');
    const deadline = Date.now() + 5000;
    while ((h = await health()).status !== 503 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.status, 503);
    assert.equal(h.body.status, 'unavailable');
    assert.equal(h.body.accounts[0].state, 'credentials-rejected');
    // ThingSpace's own code when it gave one (docs/architecture.md, "Errors"): the simulator says invalid_client.
    assert.equal(h.body.accounts[0].code, 'invalid_client');
    assert.doesNotMatch(JSON.stringify(h.body), /wrong|sim-client/, 'no secret');
  });

  it('health: 503 naming the code while ThingSpace fails, 200 again once it answers', async () => {
    sim.addFault({ kind: 'server-error', count: 1000 });
    await load([config(sim), queue({ interval: '1' })]);
    let h = await health();
    const deadline = Date.now() + 5000;
    while ((h = await health()).status !== 503 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.status, 503);
    // ThingSpace's own code, as on the status and in Catch (docs/errors.md).
    const code = 'UnifiedWebService.REQUEST_FAILED.ServiceUnavailable';
    assert.deepEqual({ state: h.body.accounts[0].state, code: h.body.accounts[0].code }, { state: 'backing-off', code });
    const text = (await get(METRICS)).text;
    const l = { account: key, runtime: h.body.accounts[0].runtime };
    assert.ok(sample(text, 'thingspace_sms_errors_total', { ...l, code })! >= 1);
    assert.ok(sample(text, 'thingspace_sms_history_requests_total', { ...l, outcome: 'error' })! >= 1);
    sim.clearFaults();
    while ((h = await health()).status !== 200 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.body.accounts[0].state, 'reading');
  });

  it('a path an http in node serves already is left to it and said in the log; the nodes read on', async () => {
    sim.generate(20);
    const httpIn = { id: 'hin', type: 'http in', z: TAB, url: HEALTH, method: 'get', wires: [['hres']] };
    const httpRes = { id: 'hres', type: 'http response', z: TAB, statusCode: '418', headers: {} };
    await load([config(sim), queue({ interval: '1' }), httpIn, httpRes]);
    const got = collect('out');
    await waitFor(() => got.length >= 20, 10_000, 'the drain');
    assert.equal((await get(HEALTH)).status, 418, 'the http in node answers');
    const logged = helper.log().args.map((a) => JSON.stringify(a[0]));
    assert.ok(
      logged.some((line) => line.includes(`${HEALTH} is already served`) && line.includes('hin')),
      'the conflict is logged, naming the http in node',
    );
    assert.equal((await get(METRICS)).status, 200, 'the metrics path is still served');
  });

  describe('with coordination (a real redis-server)', () => {
    let redis: RedisServer;
    let other: { coordinator: Coordinator; reader: Reader } | undefined;
    before(async function () {
      if (!redisAvailable()) this.skip();
      redis = await RedisServer.start();
    });
    afterEach(async () => {
      if (redis && !redis.running) await redis.launch();
      if (other) {
        await other.reader.close();
        other.coordinator.close();
        other = undefined;
      }
      await redis?.command('FLUSHALL');
    });
    after(async () => redis?.close());

    it('health: 200 on a standby replica, naming the runtime that holds the lease', async () => {
      const coordinator = new Coordinator({ url: checkRedisUrl(redis.url), prefix: 'ops:', leaseMs: 2000, runtime: 'node-red-b' }, linkPool());
      const reader = coordinator.reader(key, 100);
      other = { coordinator, reader };
      reader.lease.start();
      await waitFor(() => reader.lease.holding, 5000, 'the other runtime to hold the lease');
      const cfg = config(sim, { coordination: 'redis', redisUrl: redis.url, redisPrefix: 'ops:', leaseTime: 2, instanceName: 'node-red-a' });
      await load([cfg, queue({ interval: '1' })]);
      let h = await health();
      const deadline = Date.now() + 5000;
      while ((h = await health()).body.accounts[0]?.holder !== 'node-red-b' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.status, 200);
      assert.deepEqual(
        { state: h.body.accounts[0].state, holder: h.body.accounts[0].holder, runtime: h.body.accounts[0].runtime },
        { state: 'standby', holder: 'node-red-b', runtime: 'node-red-a' },
      );
      const text = (await get(METRICS)).text;
      assert.equal(sample(text, 'thingspace_sms_lease_held', { account: key, runtime: 'node-red-a' }), 0);
      await other.reader.close();
      // The lease first, then the consumer reads.
      while ((h = await health()).body.accounts[0]?.state !== 'reading' && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.body.accounts[0].holder, 'node-red-a');
      assert.equal(h.body.accounts[0].state, 'reading');
      const after = (await get(METRICS)).text;
      assert.equal(sample(after, 'thingspace_sms_lease_held', { account: key, runtime: 'node-red-a' }), 1);
      assert.equal(sample(after, 'thingspace_sms_lease_failovers_total', { account: key, runtime: 'node-red-a' }), 1);
    });

    it('health: 503 while Redis is down (coordination unavailable), 200 once it is back', async () => {
      const cfg = config(sim, { coordination: 'redis', redisUrl: redis.url, redisPrefix: 'ops:', leaseTime: 2, instanceName: 'node-red-a' });
      await load([cfg, queue({ interval: '1' })]);
      let h = await health();
      const until = async (state: string, ms: number): Promise<void> => {
        const deadline = Date.now() + ms;
        while ((h = await health()).body.accounts[0]?.state !== state && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      };
      await until('reading', 5000);
      assert.equal(h.status, 200);
      await redis.stop();
      await until('coordination-unavailable', 10_000);
      assert.equal(h.status, 503);
      assert.ok(h.body.accounts[0].code, 'the code of the outage');
      await redis.launch();
      await until('reading', 15_000);
      assert.equal(h.status, 200);
    });
  });
});
