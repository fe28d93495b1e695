// Delivery notices in a real Node-RED runtime: the simulator posts them over real HTTP to the
// listener that also receives MO SMS (an http in, played by test/nodes/listener.ts, feeding
// sms-queue-in), which hands them to the sms-out node that sent the SMS.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { SMS_DELIVERY_SERVICE } from '../../nodes/lib/types';
import { ACCOUNT, ALL_NODES, TAB, collect, config, credentials, flow, helper, waitFor } from './runtime';
import { sleep } from '../support/wait';
import { collectAndAnswer, startListener, type Listener } from './listener';
import { pushQueue, smsOut } from './sms-out-flow';

const DEVICE = '15551230001';
const to = { deviceIds: [{ kind: 'mdn', id: DEVICE }] };

const queue = (): Record<string, unknown> => pushQueue();

function starter(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'sc',
    type: 'start-callbacks',
    z: TAB,
    thingspace: 'cfg',
    callbackUrl: url,
    onDeploy: true,
    deliveryNotices: true,
    deliveryUrl: '',
    wires: [[]],
    ...extra,
  };
}

interface Setup {
  withOut?: boolean;
  outProps?: Record<string, unknown>;
  creds?: Record<string, string>;
  listenOn?: string;
}

describe('sms-out delivery notices in a Node-RED runtime', function () {
  let sim: ThingSpaceSimulator;
  let listener: Listener;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, noticeDelayMs: 20 });
  });

  afterEach(async () => {
    await helper.unload();
    await listener?.close();
    await sim.stop();
  });

  /** The listener flow: http in (played by the listener) -> sms-queue-in, start-callbacks
   *  registering both services there, and sms-out with its outputs. */
  async function deploy(s: Setup = {}): Promise<void> {
    listener = await startListener(s.listenOn ?? 'q');
    const nodes = [config(sim), queue(), starter(listener.url), { id: 'outcome', type: 'helper', z: TAB }];
    if (s.withOut !== false) nodes.push(smsOut(s.outProps));
    await helper.load(ALL_NODES, flow(...nodes), credentials(s.creds));
    await waitFor(() => sim.callbacks(ACCOUNT).length === 2, 5_000, 'both listeners registered');
  }

  it("brings the outcome to sms-out's second output with the kept properties, and never emits it as an SMS", async () => {
    await deploy();
    const sms = collectAndAnswer('out');
    const outcomes = collect('outcome');
    const accepted = collect('out');
    helper.getNode('so').receive({ payload: 'STATUS', ...to, correlationId: 'cmd-1', note: 'not kept' });
    await waitFor(() => outcomes.length === 1, 5_000, 'the outcome');
    const [o] = outcomes;
    const payload = o.payload as Record<string, unknown>;
    assert.equal(payload.status, 'delivered');
    assert.equal(payload.final, true);
    assert.equal(payload.correlated, true);
    assert.equal(payload.thingspaceStatus, 'Delivered');
    assert.deepEqual(payload.deviceIds, to.deviceIds);
    assert.equal(payload.requestId, sim.sentSms()[0].requestId);
    assert.equal(o.correlationId, 'cmd-1', 'a kept property');
    assert.equal(o.note, undefined, 'a property not kept');
    assert.equal((o.thingspace as Record<string, unknown>).requestId, payload.requestId);
    assert.ok(
      accepted.some((m) => m.correlationId === 'cmd-1'),
      'output 1 had the message first',
    );
    assert.equal(sms.filter((m) => m.correlationId === undefined && typeof m.payload !== 'string').length, 0);
    assert.ok(!sms.some((m) => (m.thingspace as Record<string, unknown> | undefined)?.source === 'callback'), 'no notice came out as an SMS');
    assert.deepEqual(listener.answers, [200], 'ThingSpace got its 200');
  });

  it("reports a failed delivery with ThingSpace's status and reason", async () => {
    sim.configure({ noticeFailureRate: 1 });
    await deploy();
    const outcomes = collect('outcome');
    helper.getNode('so').receive({ payload: 'STATUS', ...to });
    await waitFor(() => outcomes.length === 1, 5_000, 'the outcome');
    const payload = outcomes[0].payload as Record<string, unknown>;
    assert.equal(payload.status, 'failed');
    assert.equal(payload.thingspaceStatus, 'Failed');
    assert.equal(payload.reason, 'Device not reachable');
  });

  it('gives one outcome for a notice that arrives twice', async () => {
    sim.configure({ noticeDuplicateRate: 1 });
    await deploy();
    const outcomes = collect('outcome');
    helper.getNode('so').receive({ payload: 'STATUS', ...to });
    await waitFor(() => sim.counters().noticesPosted === 2, 5_000, 'both notices posted');
    await sleep(100);
    assert.equal(outcomes.length, 1);
  });

  it('emits a notice for a requestId this runtime does not know with correlated: false', async () => {
    await deploy();
    const outcomes = collect('outcome');
    const res = await fetch(listener.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        requestId: 'sent-elsewhere',
        deviceIds: to.deviceIds,
        deliveryConfirmationResponse: { status: 'Expired', timestamp: '2024-05-07T10:00:00Z' },
      }),
    });
    assert.equal(res.status, 200);
    await waitFor(() => outcomes.length === 1, 2_000, 'the outcome');
    const payload = outcomes[0].payload as Record<string, unknown>;
    assert.deepEqual([payload.correlated, payload.status, payload.requestId, payload.timestamp], [false, 'expired', 'sent-elsewhere', '2024-05-07T10:00:00Z']);
  });

  it('sends an unreadable notice to Catch as BAD_INPUT with its body, answered 400', async () => {
    await deploy({ creds: { callbackUsername: 'cb', callbackPassword: 'cb-secret' } });
    const caught = collect('caught');
    const body = { username: 'cb', password: 'cb-secret', deviceIds: to.deviceIds, deliveryStatus: 'Delivered' };
    const res = await fetch(listener.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 400);
    await waitFor(() => caught.length === 1, 2_000, 'the Catch message');
    assert.equal((caught[0].error as { code: string }).code, 'BAD_INPUT');
    assert.match((caught[0].error as { message: string }).message, /requestId/);
    const shown = caught[0].payload as Record<string, unknown>;
    assert.equal(shown.deliveryStatus, 'Delivered', 'the body is attached');
    assert.equal(shown.password, '***', 'with its credentials masked');
  });

  it('refuses a notice without the callback credentials: 401, CALLBACK_UNAUTHORIZED, no outcome', async () => {
    await deploy({ creds: { callbackUsername: 'cb', callbackPassword: 'cb-secret' } });
    const caught = collect('caught');
    const outcomes = collect('outcome');
    const body = { requestId: 'forged', deviceIds: to.deviceIds, deliveryStatus: 'Delivered' };
    const res = await fetch(listener.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 401);
    await waitFor(() => caught.length === 1, 2_000, 'the Catch message');
    assert.equal((caught[0].error as { code: string }).code, 'CALLBACK_UNAUTHORIZED');
    assert.equal(outcomes.length, 0);
  });

  it('without an sms-out node on the account, answers 200 and sends the notice to Catch as BAD_CONFIG naming the account', async () => {
    await deploy({ withOut: false });
    const caught = collect('caught');
    const sms = collectAndAnswer('out');
    const body = { requestId: 'r-9', deviceIds: to.deviceIds, deliveryConfirmationResponse: { status: 'Delivered' } };
    const res = await fetch(listener.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    await waitFor(() => caught.length === 1, 2_000, 'the Catch message');
    const err = caught[0].error as { code: string; message: string };
    assert.equal(err.code, 'BAD_CONFIG');
    assert.match(err.message, new RegExp(`no sms-out node uses that account.*${SMS_DELIVERY_SERVICE}`));
    assert.match(err.message, new RegExp(ACCOUNT));
    assert.equal((caught[0].payload as Record<string, unknown>).requestId, 'r-9');
    assert.equal(sms.length, 0, 'not emitted as an SMS either');
  });

  it('reaches an sms-out on another config node of the same account', async () => {
    listener = await startListener('q');
    const cfg2 = { ...config(sim), id: 'cfg2', name: 'same account, other node' };
    const nodes = [config(sim), cfg2, queue(), starter(listener.url), { id: 'outcome', type: 'helper', z: TAB }, smsOut({ thingspace: 'cfg2' })];
    await helper.load(ALL_NODES, flow(...nodes), { ...credentials(), cfg2: credentials().cfg });
    await waitFor(() => sim.callbacks(ACCOUNT).length === 2, 5_000, 'both listeners registered');
    const outcomes = collect('outcome');
    helper.getNode('so').receive({ payload: 'PING', ...to, correlationId: 'other-config' });
    await waitFor(() => outcomes.length === 1, 5_000, 'the outcome');
    assert.equal(outcomes[0].correlationId, 'other-config');
    assert.equal((outcomes[0].payload as Record<string, unknown>).correlated, true);
  });

  it('takes notices on its own input, from an http in of its own', async () => {
    await deploy({ listenOn: 'so' });
    const outcomes = collect('outcome');
    helper.getNode('so').receive({ payload: 'PING', ...to, correlationId: 'own' });
    await waitFor(() => outcomes.length === 1, 5_000, 'the outcome');
    assert.equal(outcomes[0].correlationId, 'own');
    assert.deepEqual(listener.answers, [200]);
  });

  it('keeps its pending sends across a redeploy: the outcome after it is still correlated', async () => {
    sim.configure({ noticeDelayMs: 1500 });
    await deploy();
    const accepted = collect('out');
    helper.getNode('so').receive({ payload: 'STATUS', ...to, correlationId: 'before-redeploy' });
    await waitFor(() => accepted.length === 1, 5_000, 'accepted');
    const nodes = flow(
      config(sim),
      queue(),
      starter(listener.url, { onDeploy: false }),
      { id: 'outcome', type: 'helper', z: TAB },
      smsOut({ name: 'changed' }),
    );
    await helper.setFlows(nodes, 'nodes', credentials());
    const outcomes = collect('outcome');
    await waitFor(() => outcomes.length === 1, 5_000, 'the outcome after the redeploy');
    const payload = outcomes[0].payload as Record<string, unknown>;
    assert.equal(payload.correlated, true);
    assert.equal(outcomes[0].correlationId, 'before-redeploy');
  });

  it('gives a send whose notice never comes the outcome unconfirmed after the outcome timeout', async () => {
    await deploy({ outProps: { outcomeTimeout: 1 } });
    sim.configure({ noticeDelayMs: 60_000 });
    const outcomes = collect('outcome');
    helper.getNode('so').receive({ payload: 'STATUS', ...to, correlationId: 'lost' });
    await waitFor(() => outcomes.length === 1, 5_000, 'the unconfirmed outcome');
    const payload = outcomes[0].payload as Record<string, unknown>;
    assert.deepEqual([payload.status, payload.final, payload.correlated], ['unconfirmed', true, true]);
    assert.match(String(payload.reason), /no delivery notice within 1 s/);
    assert.equal(outcomes[0].correlationId, 'lost');
  });
});
