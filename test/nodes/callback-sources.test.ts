// The config node's allow-list of callback sources, in a real Node-RED runtime: pushes and
// notices from elsewhere are answered 403 and counted, never read; X-Forwarded-For is believed
// only from the proxies listed.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ALL_NODES, calls, collect, config, credentials, flow, helper, waitFor } from './runtime';
import { collectAndAnswer, startListener, type Listener } from './listener';
import { pushQueue } from './sms-out-flow';

const MO = { requestId: 'r1', deviceIds: [{ kind: 'mdn', id: '15551230001' }], smsResponse: { message: 'DOOR=open', timestamp: '2024-05-02T09:15:07Z' } };
const NOTICE = { requestId: 'r2', deviceIds: [{ kind: 'mdn', id: '15551230001' }], deliveryConfirmationResponse: { status: 'Delivered' } };

describe("callback sources (the config node's allow-list) in a Node-RED runtime", function () {
  let sim: ThingSpaceSimulator;
  let listener: Listener;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true });
  });

  afterEach(async () => {
    await helper.unload();
    await listener?.close();
    await sim.stop();
  });

  async function deploy(sources: Record<string, unknown>): Promise<void> {
    const q = pushQueue();
    await helper.load(ALL_NODES, flow(config(sim, sources), q), credentials());
    listener = await startListener('q');
  }

  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(listener.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers 403 to a push or a notice from an address ThingSpace does not publish, counts and logs it, and reads nothing', async () => {
    await deploy({ restrictSources: true, allowedSources: '' });
    const sms = collectAndAnswer('out');
    const caught = collect('caught');
    assert.equal((await post(MO)).status, 403);
    assert.equal((await post(NOTICE)).status, 403);
    assert.equal((await post('not even JSON')).status, 403);
    assert.equal(sms.length, 0);
    assert.equal(caught.length, 0, 'a refused source does not flood Catch nodes');
    const warned = calls('q', 'warn').map((a) => String(a[0]));
    assert.equal(warned.length, 1, 'logged once a minute at most');
    assert.match(warned[0], /Refused a callback from 127\.0\.0\.1: not an allowed ThingSpace source \(1 refused since deploy\)/);
    assert.equal((helper.getNode('cfg') as unknown as { sourceFilter: { refused: number } }).sourceFilter.refused, 3);
  });

  it('takes pushes from a listed address or range as before', async () => {
    await deploy({ restrictSources: true, allowedSources: '3.87.163.45\n127.0.0.0/8' });
    const sms = collectAndAnswer('out');
    assert.equal((await post(MO)).status, 200);
    await waitFor(() => sms.length === 1, 2_000, 'the SMS');
    assert.equal(sms[0].payload, 'DOOR=open');
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its right-most untrusted entry', async () => {
    await deploy({ restrictSources: true, allowedSources: '3.87.163.45', trustedProxies: '127.0.0.1' });
    const sms = collectAndAnswer('out');
    assert.equal((await post(MO, { 'X-Forwarded-For': '3.87.163.45' })).status, 200, 'ThingSpace behind our proxy');
    assert.equal((await post(MO, { 'X-Forwarded-For': '3.87.163.45, 198.51.100.7' })).status, 403, 'a sender that wrote the allowed address itself');
    assert.equal((await post(MO)).status, 403, 'the proxy itself is not a source');
    await waitFor(() => sms.length === 1, 2_000, 'the one SMS');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    await deploy({ restrictSources: true, allowedSources: '3.87.163.45' });
    assert.equal((await post(MO, { 'X-Forwarded-For': '3.87.163.45' })).status, 403);
  });

  it('does not check messages made inside the runtime (no msg.req)', async () => {
    await deploy({ restrictSources: true, allowedSources: '' });
    const sms = collect('out');
    helper.getNode('q').receive({ payload: MO });
    await waitFor(() => sms.length === 1, 2_000, 'the SMS');
  });

  it('makes a malformed allow-list a BAD_CONFIG of every node using the account', async () => {
    await deploy({ restrictSources: true, allowedSources: '3.87.163.45, not-an-address' });
    const caught = collect('caught');
    await waitFor(() => caught.length === 1, 2_000, 'the configuration error');
    const err = caught[0].error as { code: string; message: string };
    assert.equal(err.code, 'BAD_CONFIG');
    assert.match(err.message, /Allowed callback sources: "not-an-address" is not an IP address/);
  });
});
