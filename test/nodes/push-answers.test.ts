// One answer per callback, whatever the wiring: pushed SMS and delivery notices reach
// sms-queue-in through Node-RED's own HTTP node server (real express, the core http in and
// http response nodes) in series, beside, without an http response, and through the node's own
// listener (`listen`). Each request is counted at the client: the status lines on its socket.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ACCOUNT, ALL_NODES, TAB, calls, collect, config, credentials, flow, helper, lastStatus, waitFor } from './runtime';
import { pushQueue, smsOut } from './sms-out-flow';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpInNodes = require('@node-red/nodes/core/network/21-httpin.js');

const PATH = '/thingspace/sms';
const CB = { callbackUsername: 'cb-user', callbackPassword: 'cb-secret' };
const DEVICE = '15551230001';
const to = { deviceIds: [{ kind: 'mdn', id: DEVICE }] };

type Wiring = 'series' | 'beside' | 'alone' | 'own';

/** RED.httpNode of the runtime the helper loaded last, served over real HTTP below. */
let nodeApp: http.RequestListener | undefined;
function captureHttpNode(RED: { httpNode: http.RequestListener }): void {
  nodeApp = RED.httpNode;
}

/** POSTs `body` on a fresh connection (closed by the server after its answer) and returns
 *  every status line the client received on it: one, for a request answered once. */
function postCounted(port: number, body: unknown, path = PATH): Promise<string[]> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${text}`)));
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(got.match(/^HTTP\/1\.1 \d{3}/gm) ?? []));
    // Written, not ended: the server closes the connection once it has answered (Connection: close).
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
}

function routesOn(path: string): number {
  const stack = (nodeApp as unknown as { _router: { stack: Array<{ route?: { path?: string } }> } })._router.stack;
  return stack.filter((l) => l.route?.path === path).length;
}

const headersSentErrors = (): string[] =>
  helper
    .log()
    .args.map((a) => JSON.stringify(a[0]))
    .filter((line) => /ERR_HTTP_HEADERS_SENT|after they are sent/.test(line));

describe('one answer per callback, whatever the wiring (sms-queue-in in a Node-RED runtime)', function () {
  this.timeout(20_000);
  let sim: ThingSpaceSimulator;
  let server: http.Server;
  let port: number;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, noticeDelayMs: 5 });
    server = http.createServer((req, res) => (nodeApp ? nodeApp(req, res) : res.writeHead(503).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    await helper.unload();
    nodeApp = undefined;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await sim.stop();
  });

  function nodesFor(wiring: Wiring, extraConfig: Record<string, unknown> = {}): Record<string, unknown>[] {
    const url = `http://127.0.0.1:${port}${PATH}`;
    const q = pushQueue({ listen: wiring === 'own' ? PATH : '', wires: [wiring === 'series' ? ['out', 'resp'] : ['out']] });
    const nodes: Record<string, unknown>[] = [
      config(sim, extraConfig),
      q,
      { id: 'sc', type: 'start-callbacks', z: TAB, thingspace: 'cfg', callbackUrl: url, onDeploy: true, deliveryNotices: true, deliveryUrl: '', wires: [[]] },
      smsOut(),
      { id: 'outcome', type: 'helper', z: TAB },
    ];
    if (wiring !== 'own') {
      nodes.push({
        id: 'hin',
        type: 'http in',
        z: TAB,
        name: '',
        url: PATH,
        method: 'post',
        upload: false,
        swaggerDoc: '',
        wires: [wiring === 'beside' ? ['q', 'resp'] : ['q']],
      });
    }
    if (wiring === 'series' || wiring === 'beside') nodes.push({ id: 'resp', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] });
    return flow(...nodes);
  }

  async function deploy(wiring: Wiring, extraConfig: Record<string, unknown> = {}, httpIn = wiring !== 'own'): Promise<void> {
    // Without http in nodes, the core module is not loaded either: express then has no router
    // until the first route (the node's own) exists, as in a fresh Node-RED.
    const types = httpIn ? [...ALL_NODES, httpInNodes, captureHttpNode] : [...ALL_NODES, captureHttpNode];
    await helper.load(types, nodesFor(wiring, extraConfig), credentials(CB));
  }

  for (const wiring of ['series', 'beside', 'alone', 'own'] as const) {
    it(`answers every pushed SMS, delivery notice and forged body exactly once: ${wiring}`, async () => {
      const SMS = 30;
      const SENDS = 10;
      const FORGED = 10;
      sim.generate(SMS);
      await deploy(wiring);
      const sms = collect('out');
      const outcomes = collect('outcome');
      const caught = collect('caught');
      const pushed = (): Record<string, unknown>[] => sms.filter((m) => (m.thingspace as { source?: string }).source === 'callback');
      // ThingSpace's own traffic: the queue replayed by start-callbacks, and the notices of sends.
      await waitFor(() => sim.callbacks(ACCOUNT).length === 2, 5_000, 'both listeners registered');
      for (let i = 0; i < SENDS; i++) helper.getNode('so').receive({ payload: `CMD ${i}`, ...to });
      await waitFor(() => sim.counters().callbacksPushed === SMS, 10_000, 'every SMS pushed');
      await waitFor(() => outcomes.length === SENDS, 10_000, 'every outcome');
      const c = sim.counters();
      assert.deepEqual([c.callbackFailures, c.noticeFailures, c.noticesPosted], [0, 0, SENDS], 'every push and notice answered 2xx');
      assert.equal(pushed().length, SMS);
      assert.deepEqual(
        caught.map((m) => (m.error as { code: string }).code),
        [],
        'nothing in Catch',
      );

      // Counted at the client: forged SMS and notices (no callback credentials), a real SMS, its repeat.
      const forged = [];
      for (let i = 0; i < FORGED / 2; i++) {
        forged.push(postCounted(port, { deviceIds: to.deviceIds, smsResponse: { message: `FAKE ${i}`, timestamp: '2024-05-02T09:15:07Z' } }));
        forged.push(postCounted(port, { requestId: `fake-${i}`, deviceIds: to.deviceIds, deliveryConfirmationResponse: { status: 'Delivered' } }));
      }
      const lines = await Promise.all(forged);
      const real = { username: 'cb-user', password: 'cb-secret', deviceIds: to.deviceIds, smsResponse: { message: 'REAL', timestamp: '2024-05-02T09:15:08Z' } };
      lines.push(await postCounted(port, real), await postCounted(port, real), await postCounted(port, 'not JSON at all'));
      assert.deepEqual(
        lines.map((l) => l.length),
        lines.map(() => 1),
        `one status line per request: ${JSON.stringify(lines)}`,
      );
      const statuses = lines.map((l) => Number(l[0].slice(9)));
      // Beside the node, http response answers every request at once (200), before the node looked at it.
      const refused = wiring === 'beside' ? 200 : 401;
      assert.deepEqual(statuses, [...Array<number>(FORGED).fill(refused), 200, 200, refused]);
      // The forged bodies and the text one (no credentials either) are refused, never emitted.
      await waitFor(() => caught.length === FORGED + 1, 2_000, 'the refusals in Catch');
      assert.deepEqual(new Set(caught.map((m) => (m.error as { code: string }).code)), new Set(['CALLBACK_UNAUTHORIZED']));
      await waitFor(() => pushed().length === SMS + 1, 2_000, 'the real SMS, once');
      assert.deepEqual(headersSentErrors(), []);
      if (wiring === 'own') {
        const last = pushed()[SMS];
        assert.deepEqual([last.req, last.res], [undefined, undefined], "nothing of the request on the own listener's messages");
      }
    });
  }

  it('keeps exactly one route through redeploys, and answers on it', async () => {
    await deploy('own', {}, true);
    assert.equal(routesOn(PATH), 1);
    const flows = nodesFor('own');
    await helper.setFlows(flows, 'full', credentials(CB));
    await helper.setFlows(
      flows.map((n) => (n.id === 'q' ? { ...n, name: 'changed' } : n)),
      'nodes',
      credentials(CB),
    );
    assert.equal(routesOn(PATH), 1);
    const sms = collect('out');
    const real = { username: 'cb-user', password: 'cb-secret', deviceIds: to.deviceIds, smsResponse: { message: 'AFTER', timestamp: '2024-05-02T09:15:09Z' } };
    assert.deepEqual(await postCounted(port, real), ['HTTP/1.1 200']);
    await waitFor(() => sms.length === 1, 2_000, 'the SMS');
    // A node without listen removes its route.
    await helper.setFlows(nodesFor('alone'), 'full', credentials(CB));
    assert.equal(routesOn(PATH), 1, "only the http in node's route");
  });

  it('refuses a listen path another node serves with BAD_CONFIG on status and Catch, whichever is created first', async () => {
    for (const order of ['http in first', 'http in last']) {
      const nodes = nodesFor('own').filter((n) => n.id !== 'sc');
      // The same path as express sees it: another case and a trailing slash.
      const hin = {
        id: 'hin',
        type: 'http in',
        z: TAB,
        name: 'mine',
        url: '/ThingSpace/sms/',
        method: 'post',
        upload: false,
        swaggerDoc: '',
        wires: [['resp']],
      };
      const resp = { id: 'resp', type: 'http response', z: TAB, name: '', statusCode: '201', headers: {}, wires: [] };
      const all = order === 'http in first' ? [nodes[0], hin, resp, ...nodes.slice(1)] : [...nodes, hin, resp];
      await helper.load([...ALL_NODES, httpInNodes, captureHttpNode], all, credentials(CB));
      const caught = collect('caught');
      await waitFor(() => caught.length === 1, 2_000, `the configuration error (${order})`);
      const err = caught[0].error as { code: string; message: string };
      assert.equal(err.code, 'BAD_CONFIG');
      assert.match(err.message, /Listen path \/thingspace\/sms is already served on Node-RED's HTTP server \(by http in node "mine" \(hin\)\)/);
      assert.equal(lastStatus('q')?.fill, 'red');
      assert.equal(routesOn('/ThingSpace/sms/'), 1, order);
      assert.equal(routesOn(PATH), 0, order);
      assert.deepEqual(await postCounted(port, { any: 'thing' }), ['HTTP/1.1 201'], 'the http in node keeps its path');
      await helper.unload();
    }
  });

  it("applies the config node's allow-list of sources on its own listener (403, never read)", async () => {
    await deploy('own', { restrictSources: true, allowedSources: '' });
    const sms = collect('out');
    const real = {
      username: 'cb-user',
      password: 'cb-secret',
      deviceIds: to.deviceIds,
      smsResponse: { message: 'FROM ELSEWHERE', timestamp: '2024-05-02T09:15:10Z' },
    };
    assert.deepEqual(await postCounted(port, real), ['HTTP/1.1 403']);
    assert.equal((helper.getNode('cfg') as unknown as { sourceFilter: { refused: number } }).sourceFilter.refused, 1);
    assert.match(String(calls('q', 'warn')[0]?.[0]), /Refused a callback from 127\.0\.0\.1/);
    await helper.unload();
    await deploy('own', { restrictSources: true, allowedSources: '127.0.0.0/8' });
    const allowed = collect('out');
    assert.deepEqual(await postCounted(port, real), ['HTTP/1.1 200']);
    await waitFor(() => allowed.length === 1, 2_000, 'the allowed SMS');
    assert.equal(sms.length, 0);
  });

  it('answers 400 with the body to Catch for a callback that is not an SMS, and 413 for an oversize body', async () => {
    await deploy('own');
    const caught = collect('caught');
    assert.deepEqual(await postCounted(port, { username: 'cb-user', password: 'cb-secret', hello: 'world' }), ['HTTP/1.1 400']);
    await waitFor(() => caught.length === 1, 2_000, 'the BAD_INPUT');
    assert.equal((caught[0].error as { code: string }).code, 'BAD_INPUT');
    assert.equal((caught[0].payload as { password: string }).password, '***');
    assert.deepEqual(await postCounted(port, 'x'.repeat(1024 * 1024 + 1)), ['HTTP/1.1 413']);
  });
});
