// sms-out across redeploys and a shutdown, in Node-RED started from the packed tarball against
// the simulator as a process: no command is lost and the flow hears about every one.
// Run for each supported Node-RED (sms-out-redeploy-4/5.test.ts).
import assert from 'node:assert/strict';
import { NodeRed, SimulatorProcess, TAB, configNode, installedTemplate, makeUserDir, packPackage, tab, waitFor, type StartOptions } from '../harness';

type N = Record<string, unknown>;

/** A command goes in with each GET /e2e/send?id= (its correlationId; each request its own
 *  _msgid). What each became is counted in global context, which a deploy keeps: GET /e2e/tally. */
export function sendFlow(server: string, port: number, withOut = true): N[] {
  const fn = (id: string, func: string, wires: string[][], outputs = 1): N => ({
    id,
    type: 'function',
    z: TAB,
    name: id.replace('e2e-', ''),
    func,
    outputs,
    wires,
  });
  const tally = `let t = global.get('t', 'e2e'); if (!t) { t = { acc: {}, err: {}, fin: {} }; global.set('t', t, 'e2e'); }`;
  return [
    tab(),
    configNode(server),
    { id: 'e2e-send', type: 'http in', z: TAB, url: '/e2e/send', method: 'get', upload: false, swaggerDoc: '', wires: [['e2e-make']] },
    // Wired to sms-out in both flows: a full deploy of a node only rewired fails in Node-RED 4.1
    // (Flow.start, diff.rewired); a wire to a node that is gone carries nothing.
    fn(
      'e2e-make',
      `const id = String(msg.req.query.id);
node.send([{ _msgid: msg._msgid, payload: 'CMD ' + id, deviceIds: [{ kind: 'mdn', id: '15551230001' }], correlationId: id }, null]);
msg.payload = { _msgid: msg._msgid };
return [null, msg];`,
      [['e2e-so'], ['e2e-reply']],
      2,
    ),
    ...(withOut
      ? [
          {
            id: 'e2e-so',
            type: 'sms-out',
            z: TAB,
            name: '',
            thingspace: 'e2e-cfg',
            targetType: 'msg',
            deviceKind: 'mdn',
            encoding: '7-bit',
            timeToLive: '',
            concurrency: 2,
            queueLimit: 1000,
            keep: '_msgid,correlationId',
            outcomeTimeout: 86400,
            wires: [['e2e-acc'], ['e2e-fin']],
          },
        ]
      : []),
    fn('e2e-acc', `${tally}\nt.acc[msg.correlationId] = (t.acc[msg.correlationId] || 0) + 1;\nnode.log('accepted ' + msg._msgid);\nreturn null;`, [[]]),
    fn('e2e-fin', `${tally}\nif (msg.payload.correlated && msg.payload.final) t.fin[msg.correlationId] = (t.fin[msg.correlationId] || 0) + 1;\nreturn null;`, [
      [],
    ]),
    { id: 'e2e-catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['e2e-err']] },
    fn('e2e-err', `${tally}\n(t.err[msg.correlationId] = t.err[msg.correlationId] || []).push(msg.error.code + ' ' + msg.error.message);\nreturn null;`, [[]]),
    { id: 'e2e-tally', type: 'http in', z: TAB, url: '/e2e/tally', method: 'get', upload: false, swaggerDoc: '', wires: [['e2e-read']] },
    fn('e2e-read', `${tally}\nmsg.payload = t;\nreturn msg;`, [['e2e-reply']]),
    { id: 'e2e-reply', type: 'http response', z: TAB, statusCode: '', headers: {}, wires: [] },
    // Delivery notices: ThingSpace posts them to the listener, sms-queue-in hands them to sms-out.
    { id: 'e2e-cb', type: 'http in', z: TAB, url: '/thingspace/sms', method: 'post', upload: false, swaggerDoc: '', wires: [['e2e-q']] },
    {
      id: 'e2e-q',
      type: 'sms-queue-in',
      z: TAB,
      thingspace: 'e2e-cfg',
      interval: '0',
      ackMode: 'auto',
      ackTimeout: '60',
      output: 'single',
      dedupe: true,
      topic: '',
      wires: [['e2e-ok']],
    },
    { id: 'e2e-ok', type: 'http response', z: TAB, statusCode: '200', headers: {}, wires: [] },
    {
      id: 'e2e-sc',
      type: 'start-callbacks',
      z: TAB,
      thingspace: 'e2e-cfg',
      callbackUrl: `http://127.0.0.1:${port}/thingspace/sms`,
      onDeploy: true,
      deliveryNotices: true,
      deliveryUrl: '',
      wires: [[]],
    },
  ];
}

interface Tally {
  acc: Record<string, number>;
  err: Record<string, string[]>;
  fin: Record<string, number>;
}

async function tally(red: NodeRed): Promise<Tally> {
  const res = await fetch(`${red.url}/e2e/tally`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`tally: ${res.status}`);
  return (await res.json()) as Tally;
}

const ofBatch = (o: Record<string, unknown>, p: string): string[] => Object.keys(o).filter((k) => k.startsWith(p));
const ids = (p: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);
const renamed = (flows: N[]): N[] => flows.map((n) => (n.id === 'e2e-so' ? { ...n, name: 'changed' } : n));

export function redeploySuite(name: string, major: number, options: () => StartOptions): void {
  describe(`sms-out across redeploys in Node-RED ${major} (packed tarball, simulator process)`, function () {
    this.timeout(120_000);
    let red: NodeRed;
    let sim: SimulatorProcess;
    let flows: N[];

    before(async function () {
      this.timeout(600_000); // a first run installs Node-RED 5 and Node 22 (cached after)
      const opts = options();
      sim = await SimulatorProcess.start(['--notice-delay', '2000', '--latency', '40']);
      red = await NodeRed.start(makeUserDir({ name: `sms-out-redeploy-${name}`, template: installedTemplate(packPackage()) }), opts);
      flows = sendFlow(sim.url, red.port);
      await red.deploy(flows);
      await waitFor(
        async () => ((await sim.control<{ listeners: unknown[] }>('GET', 'callbacks')).listeners ?? []).length === 2,
        10_000,
        'both listeners registered',
      );
    });

    after(async () => {
      await red?.stop();
      await sim?.stop();
    });

    /** Sends commands p0..p(n-1), one request each; answers their _msgids by id. */
    async function sendBatch(p: string, n: number): Promise<Record<string, string>> {
      const msgids: Record<string, string> = {};
      for (const id of ids(p, n)) {
        // Node-RED answers a deploy before the flows have started again: the flow's http in
        // route answers 404 for a moment after one, as for any http in node.
        let res = await fetch(`${red.url}/e2e/send?id=${id}`, { signal: AbortSignal.timeout(10_000) });
        for (let tries = 0; res.status === 404 && tries < 50; tries++) {
          await new Promise((r) => setTimeout(r, 100));
          res = await fetch(`${red.url}/e2e/send?id=${id}`, { signal: AbortSignal.timeout(10_000) });
        }
        assert.equal(res.status, 200);
        msgids[id] = ((await res.json()) as { _msgid: string })._msgid;
      }
      return msgids;
    }

    it('ends each of 200 queued commands exactly once across a full redeploy, none sent twice, each accepted one with one correlated outcome', async () => {
      const before = (await sim.counters()).smsAccepted;
      await sendBatch('a', 200);
      await waitFor(async () => ofBatch((await tally(red)).acc, 'a').length >= 20, 20_000, 'some sent before the deploy');
      await red.deploy(renamed(flows));
      await waitFor(
        async () => {
          const t = await tally(red);
          return ofBatch(t.acc, 'a').length + ofBatch(t.err, 'a').length >= 200;
        },
        60_000,
        'every command ended',
      );
      const t = await tally(red);
      assert.deepEqual(
        ofBatch(t.err, 'a').map((k) => `${k}: ${t.err[k].join('; ')}`),
        [],
        'no command failed',
      );
      assert.deepEqual(ofBatch(t.acc, 'a').sort(), ids('a', 200).sort(), 'each accepted');
      assert.ok(
        ofBatch(t.acc, 'a').every((k) => t.acc[k] === 1),
        'each accepted once',
      );
      const sent = await sim.control<{ accepted: number; recent: Array<{ smsMessage: string }> }>('GET', 'sent?limit=1000');
      const texts = sent.recent.map((s) => s.smsMessage).filter((m) => m.startsWith('CMD a'));
      assert.equal(texts.length, 200, 'ThingSpace got 200');
      assert.equal(new Set(texts).size, 200, 'none reached ThingSpace twice');
      assert.equal((await sim.counters()).smsAccepted - before, 200);
      await waitFor(async () => ofBatch((await tally(red)).fin, 'a').length >= 200, 30_000, 'a correlated final outcome for each');
      const fin = (await tally(red)).fin;
      assert.ok(
        ofBatch(fin, 'a').every((k) => fin[k] === 1),
        'one outcome each',
      );
    });

    it('sends every waiting command to Catch as SEND_CANCELLED when the deploy deletes the sms-out node', async () => {
      const msgids = await sendBatch('b', 200);
      await waitFor(async () => ofBatch((await tally(red)).acc, 'b').length >= 20, 20_000, 'some sent before the deploy');
      const logFrom = red.log().length;
      await red.deploy(sendFlow(sim.url, red.port, false));
      await waitFor(
        async () => {
          const t = await tally(red);
          return ofBatch(t.acc, 'b').length + ofBatch(t.err, 'b').length >= 190;
        },
        20_000,
        'the cancelled commands in Catch',
      );
      await new Promise((r) => setTimeout(r, 500));
      const t = await tally(red);
      const errs = ofBatch(t.err, 'b');
      assert.ok(
        errs.every((k) => t.err[k].length === 1 && t.err[k][0].startsWith('SEND_CANCELLED ')),
        JSON.stringify(errs.map((k) => t.err[k])),
      );
      // A send in flight at the close that ThingSpace accepted has no node to go out of: the log says so.
      const atClose = ids('b', 200).filter((k) => t.acc[k] === undefined && t.err[k] === undefined);
      for (const k of atClose) assert.match(red.log().slice(logFrom), new RegExp(`_msgid ${msgids[k]} was accepted while the node closed`), k);
      assert.ok(atClose.length <= 2, `in flight at the close: ${atClose.join()}`);
      assert.equal(ofBatch(t.acc, 'b').filter((k) => t.err[k]).length, 0, 'none ended twice');
      await red.deploy(flows);
    });

    it('emits on output 1, through the new node, a send in flight at the deploy that ThingSpace answers after the close', async () => {
      await sim.configure({ latencyMs: 3000 });
      const before = (await sim.counters()).requests.sms ?? 0;
      await sendBatch('c', 1);
      await waitFor(async () => ((await sim.counters()).requests.sms ?? 0) > before, 10_000, 'the request at ThingSpace');
      await red.deploy(renamed(flows));
      await waitFor(async () => (await tally(red)).acc.c0 === 1, 15_000, 'output 1');
      assert.equal((await tally(red)).err.c0, undefined);
      await sim.configure({ latencyMs: 40 });
    });

    it('reports SEND_UNCERTAIN for a send in flight at the deploy that ThingSpace never answers', async () => {
      await sim.fault({ kind: 'hang', endpoint: 'sms' });
      const before = (await sim.counters()).requests.sms ?? 0;
      await sendBatch('d', 1);
      await waitFor(async () => ((await sim.counters()).requests.sms ?? 0) > before, 10_000, 'the request at ThingSpace');
      await red.deploy(flows);
      await waitFor(async () => (await tally(red)).err.d0 !== undefined, 20_000, 'the Catch error');
      const t = await tally(red);
      assert.match(t.err.d0[0], /^SEND_UNCERTAIN /);
      assert.equal(t.acc.d0, undefined);
      assert.equal((await sim.counters()).requests.sms, before + 1, 'not sent again');
    });

    it('names every command it could not send by its _msgid in the log when Node-RED is stopped with SIGTERM', async () => {
      await sim.configure({ latencyMs: 100 });
      const msgids = await sendBatch('e', 200);
      await red.stop(20_000, 'SIGTERM');
      const log = red.log();
      // A command ThingSpace accepted was sent, not cancelled: the flow logs it as accepted
      // unless Node-RED dropped that output message while it stopped the flows.
      const sent = await sim.control<{ recent: Array<{ smsMessage: string }> }>('GET', 'sent?limit=1000');
      const accepted = new Set(sent.recent.map((m) => m.smsMessage));
      const missing = ids('e', 200).filter((k) => !log.includes(msgids[k]) && !accepted.has(`CMD ${k}`));
      assert.deepEqual(missing, [], 'commands neither sent nor named in the log');
      assert.ok(
        ids('e', 200).some((k) => !accepted.has(`CMD ${k}`)),
        'some commands were still waiting at the stop',
      );
      assert.match(log, /queued SMS were not sent \(Node-RED stopped the flows\)/);
    });
  });
}
