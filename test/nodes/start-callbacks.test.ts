// start-callbacks in a real Node-RED runtime: the simulator pushes to a real HTTP listener.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ACCOUNT, ALL_NODES, collect, config, credentials, flow, helper, lastStatus, waitFor } from './runtime';

function startCallbacks(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'sc', type: 'start-callbacks', z: 'tab1', thingspace: 'cfg', callbackUrl: '', onDeploy: false, wires: [['out']], ...extra };
}

describe('start-callbacks in a Node-RED runtime', function () {
  let sim: ThingSpaceSimulator;
  let listener: http.Server;
  let listenerUrl: string;
  let pushed: Array<Record<string, unknown>>;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
    pushed = [];
    listener = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        pushed.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/thingspace/sms`;
  });

  afterEach(async () => {
    await helper.unload();
    await sim.stop();
    await new Promise((r) => listener.close(r));
  });

  it('registers the callback URL with the callback credentials, starts callbacks, and outputs {success: true}', async () => {
    sim.generate(3);
    await helper.load(
      ALL_NODES,
      flow(config(sim), startCallbacks({ callbackUrl: listenerUrl })),
      credentials({ callbackUsername: 'cb-user', callbackPassword: 'cb-pass' }),
    );
    const got = collect('out');
    helper.getNode('sc').receive({ payload: 'go', topic: 'kept' });
    await waitFor(() => got.length === 1);
    assert.deepEqual(got[0].payload, { success: true });
    assert.equal(got[0].statusCode, 200);
    assert.equal(got[0].topic, 'kept', 'the input message goes on');
    const reg = sim.callbacks(ACCOUNT).find((c) => c.serviceName === 'EnhancedConnectivityService');
    assert.equal(reg?.url, listenerUrl);
    assert.equal(reg?.username, 'cb-user');
    await waitFor(() => pushed.length === 3, 5_000, 'three pushed SMS');
    assert.equal(pushed[0].username, 'cb-user');
    assert.equal(lastStatus('sc')?.fill, 'green');
  });

  it('confirms an existing registration instead of registering again', async () => {
    await helper.load(ALL_NODES, flow(config(sim), startCallbacks({ callbackUrl: listenerUrl })), credentials());
    const got = collect('out');
    helper.getNode('sc').receive({ payload: 1 });
    await waitFor(() => got.length === 1);
    const after1 = sim.counters().requests.callbacks ?? 0;
    helper.getNode('sc').receive({ payload: 2 });
    await waitFor(() => got.length === 2);
    const after2 = sim.counters().requests.callbacks ?? 0;
    assert.equal(after2 - after1, 1, 'only the list call the second time');
  });

  it('runs once on deploy when onDeploy is set', async () => {
    await helper.load(ALL_NODES, flow(config(sim), startCallbacks({ callbackUrl: listenerUrl, onDeploy: true })), credentials());
    const got = collect('out');
    await waitFor(() => got.length === 1);
    assert.deepEqual(got[0].payload, { success: true });
    assert.equal(sim.counters().requests.startCallbacks, 1);
  });

  it('sends a failure to Catch with msg.error.code from the API body', async () => {
    // No listener registered: the simulator refuses startCallbacks with an M2M error body.
    await helper.load(ALL_NODES, flow(config(sim), startCallbacks()), credentials());
    const got = collect('out');
    const caught = collect('caught');
    helper.getNode('sc').receive({ payload: 'go' });
    await waitFor(() => caught.length === 1);
    const err = caught[0].error as Record<string, unknown>;
    assert.equal(err.code, 'UnifiedWebService.REQUEST_FAILED.Callback.NotRegistered');
    assert.equal(typeof err.message, 'string');
    assert.match(err.message as string, /callback listener is registered/);
    assert.equal(got.length, 0);
    assert.equal(lastStatus('sc')?.fill, 'red');
  });
});
