// sms-out in a real Node-RED runtime, against the simulator over real HTTP: what it refuses
// before sending, what it emits once ThingSpace accepted an SMS, and when done() is called.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ACCOUNT, ALL_NODES, TAB, calls, collect, config, credentials, flow, helper, lastStatus, waitFor } from './runtime';
import { sleep } from '../support/wait';
import { smsOut } from './sms-out-flow';

const DEVICE = '15551230001';

/** The flow of every test here: sms-out, its two outputs, a complete node scoped to it. */
function outFlow(sim: ThingSpaceSimulator, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return flow(
    config(sim),
    smsOut(extra),
    { id: 'outcome', type: 'helper', z: TAB },
    { id: 'watch-done', type: 'complete', z: TAB, scope: ['so'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: TAB },
  );
}

const to = (id = DEVICE): Record<string, unknown> => ({ deviceIds: [{ kind: 'mdn', id }] });

describe('sms-out in a Node-RED runtime', function () {
  let sim: ThingSpaceSimulator;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
  });

  afterEach(async () => {
    await helper.unload();
    await sim.stop();
  });

  it("sends the payload to the devices the message names and emits it with ThingSpace's requestId; done only then", async () => {
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const out = collect('out');
    const completed = collect('completed');
    helper.getNode('so').receive({ payload: 'STATUS', ...to(), correlationId: 'c-1' });
    await waitFor(() => out.length === 1, 5_000, 'the accepted message');
    const [sent] = sim.sentSms();
    assert.equal(sent.smsMessage, 'STATUS');
    assert.deepEqual(sent.deviceIds, [{ kind: 'mdn', id: DEVICE }]);
    assert.equal(sent.dataEncoding, '7-bit');
    assert.equal(sent.accountName, ACCOUNT);
    const meta = out[0].thingspace as Record<string, unknown>;
    assert.equal(meta.requestId, sent.requestId);
    assert.equal(out[0].correlationId, 'c-1', 'the message goes on as it came');
    await waitFor(() => completed.length === 1, 2_000, 'the complete node');
    assert.equal(completed[0].correlationId, 'c-1');
    await waitFor(() => lastStatus('so')?.text === 'sms-out.status.idle', 2_000, 'an idle status');
    assert.equal(lastStatus('so')?.fill, 'green');
  });

  // What ThingSpace would refuse is refused before any request: each with its Catch code.
  const REFUSED: Array<[string, Record<string, unknown>, string]> = [
    ['161 GSM characters', { payload: 'x'.repeat(161), ...to() }, 'SMS_TOO_LONG'],
    ['81 euro signs (the extension table counts two)', { payload: '€'.repeat(81), ...to() }, 'SMS_TOO_LONG'],
    ['141 bytes of UTF-8', { payload: 'é'.repeat(70) + 'x', ...to(), dataEncoding: '8-bit-UTF-8' }, 'SMS_TOO_LONG'],
    ['141 bytes of data', { payload: Buffer.alloc(141, 1), ...to(), dataEncoding: '8-bit-DATA' }, 'SMS_TOO_LONG'],
    ['141 characters of 8-bit ASCII', { payload: 'a'.repeat(141), ...to(), dataEncoding: '8-bit-ASCII' }, 'SMS_TOO_LONG'],
    ['an emoji in 7-bit', { payload: 'door open \u{1F6AA}', ...to() }, 'BAD_INPUT'],
    ['a string for 8-bit-DATA', { payload: 'AAEC', ...to(), dataEncoding: '8-bit-DATA' }, 'BAD_INPUT'],
    ['an empty text', { payload: '', ...to() }, 'BAD_INPUT'],
    ['an object as the text', { payload: { text: 'hi' }, ...to() }, 'BAD_INPUT'],
    ['no target at all', { payload: 'PING' }, 'BAD_INPUT'],
    ['an empty device list', { payload: 'PING', deviceIds: [] }, 'BAD_INPUT'],
    ['a malformed mdn', { payload: 'PING', deviceIds: [{ kind: 'mdn', id: '555-0100' }] }, 'BAD_INPUT'],
    ['an unknown id kind', { payload: 'PING', deviceIds: [{ kind: 'phone', id: '15551230001' }] }, 'BAD_INPUT'],
    ['a malformed id in msg.topic', { payload: 'PING', topic: 'mdn:12' }, 'BAD_INPUT'],
    ['devices and a group at once', { payload: 'PING', ...to(), groupName: 'pumps' }, 'BAD_INPUT'],
    ['an unknown encoding', { payload: 'PING', ...to(), dataEncoding: 'UCS-2' }, 'BAD_INPUT'],
  ];

  it('refuses, before sending anything, every message ThingSpace would refuse, each with its Catch code', async () => {
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const caught = collect('caught');
    const completed = collect('completed');
    const so = helper.getNode('so');
    REFUSED.forEach(([, msg], i) => so.receive({ ...msg, correlationId: i }));
    await waitFor(() => caught.length === REFUSED.length, 5_000, 'a Catch message per refused input');
    for (const [what, , code] of REFUSED) {
      const i = REFUSED.findIndex(([w]) => w === what);
      const m = caught.find((c) => c.correlationId === i);
      assert.ok(m, `${what}: caught`);
      assert.equal((m.error as { code: string }).code, code, what);
    }
    assert.equal(sim.counters().requests.sms ?? 0, 0, 'no request reached ThingSpace');
    assert.equal(sim.counters().tokensIssued, 0, 'not even a token was asked for');
    await sleep(50);
    assert.equal(completed.length, 0, 'complete fires for accepted SMS only');
    assert.equal(lastStatus('so')?.fill, 'red');
  });

  it('sends what fits exactly: 160 septets, 80 euro signs, 140 bytes of UTF-8 and of data', async () => {
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const out = collect('out');
    const so = helper.getNode('so');
    so.receive({ payload: 'x'.repeat(160), ...to() });
    so.receive({ payload: '€'.repeat(80), ...to() });
    so.receive({ payload: 'é'.repeat(70), ...to(), dataEncoding: '8-bit-UTF-8' });
    so.receive({ payload: Buffer.alloc(140, 7), ...to(), dataEncoding: '8-bit-DATA' });
    await waitFor(() => out.length === 4, 5_000, 'four accepted SMS');
    const sent = sim.sentSms();
    assert.equal(sim.counters().smsRefused, 0, 'the simulator, which checks as ThingSpace does, refused none');
    const data = sent.find((s) => s.dataEncoding === '8-bit-DATA')!;
    assert.deepEqual(Buffer.from(data.smsMessage, 'base64'), Buffer.alloc(140, 7), '8-bit-DATA travels as base64');
  });

  it('answers a message from sms-queue-in to the device that sent it, by its mdn, once', async () => {
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const out = collect('out');
    const mo = {
      payload: 'ACK',
      deviceIds: [
        { kind: 'mdn', id: DEVICE },
        { kind: 'imei', id: '356938035643809' },
      ],
      device: { mdn: DEVICE, imei: '356938035643809' },
      thingspace: { accountName: ACCOUNT, source: 'queue', block: 'b1', index: 0, key: 'k' },
    };
    helper.getNode('so').receive(mo);
    await waitFor(() => out.length === 1, 5_000, 'the accepted answer');
    assert.deepEqual(sim.sentSms()[0].deviceIds, [{ kind: 'mdn', id: DEVICE }]);
    const meta = out[0].thingspace as Record<string, unknown>;
    assert.equal(meta.block, 'b1', 'what a manual acknowledgement needs rides along');
    assert.equal(typeof meta.requestId, 'string');
  });

  it('sends to the device set on the node, whatever the message names', async () => {
    await helper.load(ALL_NODES, outFlow(sim, { targetType: 'device', deviceKind: 'imei', deviceId: '356938035643809' }), credentials());
    const out = collect('out');
    helper.getNode('so').receive({ payload: 'PING', topic: 'mdn:15551230009' });
    await waitFor(() => out.length === 1, 5_000, 'accepted');
    assert.deepEqual(sim.sentSms()[0].deviceIds, [{ kind: 'imei', id: '356938035643809' }]);
  });

  it('takes the target from msg.topic as kind:id when the message names no devices', async () => {
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const out = collect('out');
    helper.getNode('so').receive({ payload: 'PING', topic: 'commands/mdn:15551230009' });
    await waitFor(() => out.length === 1, 5_000, 'accepted');
    assert.deepEqual(sim.sentSms()[0].deviceIds, [{ kind: 'mdn', id: '15551230009' }]);
  });

  it('sends to a device group with the encoding and time to live of the message', async () => {
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const out = collect('out');
    helper.getNode('so').receive({ payload: 'Grüße', groupName: 'pumps', dataEncoding: '8-bit-UTF-8', timeToLive: '48h' });
    await waitFor(() => out.length === 1, 5_000, 'accepted');
    const [sent] = sim.sentSms();
    assert.equal(sent.groupName, 'pumps');
    assert.equal(sent.deviceIds, undefined);
    assert.equal(sent.dataEncoding, '8-bit-UTF-8');
  });

  it('retries a send ThingSpace answered 503 and sends it once in total', async () => {
    sim.addFault({ kind: 'server-error', status: 503, endpoint: 'sms' });
    await helper.load(ALL_NODES, outFlow(sim), credentials());
    const out = collect('out');
    helper.getNode('so').receive({ payload: 'PING', ...to() });
    await waitFor(() => out.length === 1, 5_000, 'accepted after the retry');
    assert.equal(sim.counters().requests.sms, 2);
    assert.equal(sim.counters().smsAccepted, 1);
  });

  it("reports a send ThingSpace refused with ThingSpace's own code, and does not repeat it", async () => {
    const nodes = outFlow(sim).map((n) => (n.id === 'cfg' ? { ...n, accountName: '0000999999-00001' } : n));
    await helper.load(ALL_NODES, nodes, credentials());
    const caught = collect('caught');
    helper.getNode('so').receive({ payload: 'PING', ...to() });
    await waitFor(() => caught.length === 1, 5_000, 'the refusal');
    assert.equal((caught[0].error as { code: string }).code, 'UnifiedWebService.REQUEST_FAILED.AccountNotFound');
    assert.equal(sim.counters().requests.sms, 1);
    await waitFor(() => lastStatus('so')?.text === 'sms-out.status.failed', 2_000, 'the failed status');
  });

  it("refuses a message with QUEUE_FULL when the account's queue is full, and sends the others", async () => {
    sim.configure({ latencyMs: 100 });
    await helper.load(ALL_NODES, outFlow(sim, { concurrency: 1, queueLimit: 1 }), credentials());
    const out = collect('out');
    const caught = collect('caught');
    const so = helper.getNode('so');
    for (let i = 0; i < 3; i++) so.receive({ payload: `PING ${i}`, ...to(), correlationId: i });
    await waitFor(() => caught.length === 1, 2_000, 'one refusal');
    assert.equal((caught[0].error as { code: string }).code, 'QUEUE_FULL');
    assert.equal(caught[0].correlationId, 2);
    await waitFor(() => out.length === 2, 10_000, 'the two queued SMS');
    assert.deepEqual(
      out.map((m) => m.correlationId),
      [0, 1],
      'in the order they came',
    );
    assert.ok(
      calls('so', 'status').some((a) => (a[0] as { text?: string }).text === 'sms-out.status.queueFull'),
      'the status showed the full queue',
    );
  });

  it('shares the send queue of an account with the sms-out nodes of another config node naming it', async () => {
    sim.configure({ latencyMs: 300 });
    const nodes = [
      ...outFlow(sim, { concurrency: 1, queueLimit: 1 }),
      { ...config(sim), id: 'cfg2', name: 'same account, other node' },
      smsOut({ id: 'so2', thingspace: 'cfg2', wires: [['out'], ['outcome']] }),
    ];
    await helper.load(ALL_NODES, nodes, { ...credentials(), cfg2: credentials().cfg });
    const out = collect('out');
    const caught = collect('caught');
    helper.getNode('so').receive({ payload: 'PING 0', ...to(), correlationId: 0 });
    helper.getNode('so2').receive({ payload: 'PING 1', ...to(), correlationId: 1 });
    helper.getNode('so2').receive({ payload: 'PING 2', ...to(), correlationId: 2 });
    // One queue for the account, at the lowest limits of its nodes: one in flight, one waiting.
    await waitFor(() => caught.length === 1, 2_000, 'one refusal');
    assert.equal((caught[0].error as { code: string }).code, 'QUEUE_FULL');
    assert.equal(caught[0].correlationId, 2);
    await waitFor(() => out.length === 2, 10_000, 'the two queued SMS');
    assert.deepEqual(
      out.map((m) => m.correlationId),
      [0, 1],
    );
  });

  it('shows a bad property on its status and refuses every input with BAD_CONFIG', async () => {
    await helper.load(ALL_NODES, outFlow(sim, { targetType: 'device', deviceId: 'not-an-mdn' }), credentials());
    const caught = collect('caught');
    await waitFor(() => caught.length >= 1, 2_000, 'the configuration error');
    assert.equal((caught[0].error as { code: string }).code, 'BAD_CONFIG');
    assert.equal(lastStatus('so')?.text, 'sms-out.status.badConfig');
  });
});
