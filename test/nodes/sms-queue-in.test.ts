// sms-queue-in in a real Node-RED runtime, against the simulator over real HTTP.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ThingSpaceClient } from '../../nodes/lib/client/thingspace-client';
import type { SmsMessage } from '../../nodes/lib/types';
import type { FaultRule } from '../../simulator/options';
import { describeTrace, gapsBetween, traceRequests, type TracedRequest } from '../support/http-trace';
import { SIM_MODES } from '../support/sim-modes';
import {
  ACCOUNT,
  ALL_NODES,
  calls,
  collect,
  collectAcrossDeploys,
  config,
  credentials,
  flow,
  helper,
  lastStatus,
  queue,
  SIM_CREDS,
  statuses,
  waitFor,
} from './runtime';

const SMS: SmsMessage = {
  deviceIds: [
    { kind: 'mdn', id: '15551230001' },
    { kind: 'imei', id: '356938035643809' },
  ],
  message: 'T=21.4C BAT=88',
  timestamp: '2024-05-02T09:15:07-07:00',
};

// Every test against the simulator's lenient answers and its strictest ones (test/support/sim-modes.ts).
for (const mode of SIM_MODES) {
  describe(`sms-queue-in in a Node-RED runtime (${mode.name} simulator)`, function () {
    let sim: ThingSpaceSimulator;

    beforeEach(async () => {
      sim = await ThingSpaceSimulator.start({ quiet: true, finalBlock: 'ack-on-delivery', ...mode.options });
    });

    /** For tests that never send a spent next, where both modes would take the same path. */
    const inOneMode = (title: string, fn: Mocha.AsyncFunc): void => {
      if (mode.name === 'lenient') it(title, fn);
    };

    /** Hooks to remove after each test. */
    const stops: Array<() => void> = [];

    afterEach(async () => {
      for (const stop of stops.splice(0)) stop();
      await helper.unload();
      await sim.stop();
    });

    it('emits one message per queued SMS in the shape the README gives, then shows idle', async () => {
      sim.enqueue(SMS);
      sim.generate(249);
      await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
      const got = collect('out');
      await waitFor(() => got.length >= 250, 10_000, '250 messages');
      await waitFor(() => sim.queued() === 0, 5_000, 'the queue to drain');
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.idle', 5_000, 'idle status');
      assert.equal(got.length, 250);
      const first = got.find((m) => m.payload === SMS.message)!;
      assert.ok(first, 'the enqueued SMS arrived');
      assert.equal(first.topic, `thingspace/${ACCOUNT}/sms/15551230001`);
      assert.deepEqual(first.deviceIds, SMS.deviceIds);
      assert.deepEqual(first.device, { mdn: '15551230001', imei: '356938035643809' });
      assert.equal(first.timestamp, SMS.timestamp);
      const ts = first.thingspace as Record<string, unknown>;
      assert.equal(ts.accountName, ACCOUNT);
      assert.equal(ts.source, 'queue');
      assert.equal(typeof ts.block, 'string');
      assert.equal(typeof ts.index, 'number');
      assert.equal(new Set(got.map((m) => m.payload)).size, 250, 'no duplicates');
      assert.equal((calls('q', 'status').pop()?.[0] as { text: string }).text, 'sms-queue-in.status.idle');
    });

    it('in batch mode emits one message per block with an array payload and the account topic', async () => {
      sim.generate(250);
      await helper.load(ALL_NODES, flow(config(sim), queue({ output: 'batch' })), credentials());
      const got = collect('out');
      await waitFor(() => got.reduce((n, m) => n + (m.payload as unknown[]).length, 0) >= 250, 10_000, '250 SMS');
      assert.deepEqual(
        got.map((m) => (m.payload as unknown[]).length),
        [100, 100, 50],
      );
      assert.equal(got[0].topic, `thingspace/${ACCOUNT}/sms`);
      const item = (got[0].payload as Record<string, unknown>[])[0];
      assert.deepEqual(Object.keys(item).sort(), ['device', 'deviceIds', 'payload', 'timestamp', 'topic']);
      assert.equal((got[0].thingspace as Record<string, unknown>).index, -1);
    });

    it('expands the topic template with {kind} and {id} of the sending device', async () => {
      sim.enqueue({ ...SMS, deviceIds: [{ kind: 'ICCID', id: '89148000000800139708' }] });
      await helper.load(ALL_NODES, flow(config(sim), queue({ topic: 'sms/{account}/{kind}/{id}' })), credentials());
      const got = collect('out');
      await waitFor(() => got.length === 1);
      assert.equal(got[0].topic, `sms/${ACCOUNT}/iccid/89148000000800139708`);
    });

    inOneMode('in manual mode acknowledges a block only after every SMS in it came back on the input', async () => {
      sim.generate(250);
      // The ack timeout is what shows that the node still waited: it emits again exactly the
      // SMS it was waiting for, and only from the waiting phase (a request for the next block
      // would have ended that phase).
      await helper.load(ALL_NODES, flow(config(sim), queue({ ackMode: 'manual', ackTimeout: '1' })), credentials());
      const got = collect('out');
      const q = helper.getNode('q');
      await waitFor(() => got.length === 100, 10_000, 'the first block');
      // Waiting for acknowledgements: only they (or the ack timeout) end this phase.
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.waitingAck', 5_000, 'the waiting status');
      assert.equal(got.length, 100, 'the second block waits for the acknowledgements');
      assert.equal(sim.queued(), 250, 'nothing acknowledged yet');
      assert.equal(sim.counters().requests.history, 1);
      // Whatever the payload has become (a database result, say), msg.thingspace acknowledges.
      for (const m of got.slice(0, 99)) q.receive({ ...m, payload: { written: true } });
      await waitFor(() => got.length > 100, 10_000, 'the ack timeout to emit again what is not acknowledged');
      assert.deepEqual(
        got.slice(100).map((m) => m.payload),
        [got[99].payload],
        'only the one SMS not acknowledged, and no second block',
      );
      assert.equal(sim.counters().requests.history, 1, 'no request while one SMS is unacknowledged');
      assert.equal(sim.queued(), 250, 'one SMS still not acknowledged');
      q.receive(got[100]);
      await waitFor(() => got.length === 201, 10_000, 'the second block');
      assert.equal(sim.queued(), 150, 'the first block acknowledged, the second not yet');
      for (const m of got.slice(101)) q.receive(m);
      await waitFor(() => got.length === 251, 10_000, 'the final block');
      for (const m of got.slice(201)) q.receive(m);
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.idle', 5_000, 'idle');
      assert.equal(sim.queued(), 0);
      assert.equal(new Set(got.map((m) => m.payload)).size, 250);
    });

    inOneMode('in manual mode emits again the SMS not acknowledged within ackTimeout, and only those', async () => {
      sim.generate(120);
      await helper.load(ALL_NODES, flow(config(sim), queue({ ackMode: 'manual', ackTimeout: '0.5' })), credentials());
      const got = collect('out');
      const caught = collect('caught');
      const q = helper.getNode('q');
      await waitFor(() => got.length === 100, 10_000, 'the first block');
      for (const m of got.slice(0, 60)) q.receive(m);
      await waitFor(() => got.length === 140, 10_000, 'the 40 unacknowledged SMS again');
      const again = got.slice(100).map((m) => m.payload);
      assert.deepEqual(new Set(again), new Set(got.slice(60, 100).map((m) => m.payload)));
      // A late acknowledgement of the first copy still counts: the SMS was delivered.
      for (const m of got.slice(60, 100)) q.receive(m);
      await waitFor(() => got.length === 160, 10_000, 'the final block of 20');
      assert.equal(sim.queued(), 0);
      // Acknowledging the same SMS twice is an input error, not a silent no-op.
      q.receive(got[0]);
      await waitFor(() => caught.length === 1, 5_000, 'a BAD_INPUT for the repeated acknowledgement');
      assert.equal((caught[0].error as Record<string, unknown>).code, 'BAD_INPUT');
    });

    it('with interval 0 never polls by itself, and polls when a message arrives', async () => {
      sim.generate(5);
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '0' })), credentials());
      const got = collect('out');
      // Listening is where start() ends without an interval; only an input message leaves it.
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.listening', 5_000, 'the listening status');
      assert.equal(sim.counters().requests.history ?? 0, 0, 'no poll at deploy');
      assert.equal(got.length, 0);
      helper.getNode('q').receive({ payload: 'poll now' });
      await waitFor(() => got.length === 5, 5_000, 'five SMS after the trigger');
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.listening', 5_000, 'listening again');
      assert.equal(sim.counters().requests.history, 1, 'one request for the trigger');
    });

    it('accepts a ThingSpace callback body from http in, emits it with source callback, and suppresses a repeat', async () => {
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '0' })), credentials());
      const got = collect('out');
      const q = helper.getNode('q');
      const body = {
        requestId: 'r-1',
        deviceIds: SMS.deviceIds,
        smsResponse: { message: SMS.message, timestamp: SMS.timestamp },
      };
      q.receive({ payload: body, req: { headers: {} } });
      q.receive({ payload: body, req: { headers: {} } });
      // Input is handled in order: once this later SMS is out, the repeat was handled.
      q.receive({ payload: { ...body, requestId: 'r-2', smsResponse: { ...body.smsResponse, message: 'marker' } }, req: { headers: {} } });
      await waitFor(() => got.some((m) => m.payload === 'marker'), 5_000, 'the marker SMS');
      assert.deepEqual(
        got.map((m) => m.payload),
        [SMS.message, 'marker'],
        'the repeat was suppressed',
      );
      assert.equal(got[0].payload, SMS.message);
      assert.equal(got[0].timestamp, SMS.timestamp);
      assert.equal((got[0].thingspace as Record<string, unknown>).source, 'callback');
      assert.equal(sim.counters().requests.history ?? 0, 0, 'a callback does not trigger a poll');
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.received', 2_000, 'a received status in push mode');
    });

    it('with dedupe off, passes a repeated SMS on every time', async () => {
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '0', dedupe: false })), credentials());
      const got = collect('out');
      const q = helper.getNode('q');
      q.receive({ payload: { ...SMS }, req: { headers: {} } });
      q.receive({ payload: { ...SMS }, req: { headers: {} } });
      await waitFor(() => got.length === 2);
      assert.equal(got[0].payload, got[1].payload);
    });

    it('in manual batch mode, a routed-back callback message acknowledges it, and its repeat is then suppressed', async () => {
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '0', ackMode: 'manual', output: 'batch' })), credentials());
      const got = collect('out');
      const caught = collect('caught');
      const q = helper.getNode('q');
      q.receive({ payload: { ...SMS }, req: { headers: {} } });
      await waitFor(() => got.length === 1);
      assert.equal((got[0].payload as unknown[]).length, 1);
      q.receive(got[0]);
      q.receive({ payload: { ...SMS }, req: { headers: {} } });
      // Input is handled in order, and output and Catch each deliver in order: once these two
      // markers came out, whatever the acknowledgement and the repeat caused came out before.
      q.receive({ payload: { ...SMS, message: 'marker' }, req: { headers: {} } });
      q.receive({ payload: { marker: true }, req: { headers: {} } });
      await waitFor(() => got.length >= 2 && caught.length >= 1, 5_000, 'the markers');
      assert.deepEqual(
        caught.map((c) => c.payload),
        [{ marker: true }],
        'the acknowledgement was accepted',
      );
      assert.deepEqual(
        got.map((m) => (m.payload as Array<{ payload: string }>).map((i) => i.payload)),
        [[SMS.message], ['marker']],
        'the acknowledged SMS is not emitted again',
      );
    });

    it('raises BAD_INPUT with the whole message for a callback body that is not an SMS', async () => {
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '0' })), credentials());
      const got = collect('out');
      const caught = collect('caught');
      helper.getNode('q').receive({ payload: { hello: 'world' }, req: { headers: {} }, topic: 'cb' });
      // Once a later SMS is out, anything the bad body caused on the output came out before.
      helper.getNode('q').receive({ payload: { ...SMS, message: 'marker' }, req: { headers: {} } });
      await waitFor(() => caught.length === 1 && got.length >= 1);
      assert.equal((caught[0].error as Record<string, unknown>).code, 'BAD_INPUT');
      assert.deepEqual(caught[0].payload, { hello: 'world' });
      assert.equal(caught[0].topic, 'cb');
      assert.deepEqual(
        got.map((m) => m.payload),
        ['marker'],
        'the bad body was not emitted',
      );
    });

    it('with callback credentials, refuses bodies without them (CALLBACK_UNAUTHORIZED) and passes the right ones', async () => {
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '0' })), credentials({ callbackUsername: 'cb-user', callbackPassword: 'cb-secret-pw' }));
      const got = collect('out');
      const caught = collect('caught');
      const q = helper.getNode('q');
      const sms = { deviceIds: SMS.deviceIds, message: 'forged', timestamp: SMS.timestamp };
      q.receive({ payload: sms, req: { headers: {} } });
      q.receive({ payload: { ...sms, username: 'cb-user', password: 'wrong' }, req: { headers: {} } });
      q.receive({ payload: { ...sms, message: 'genuine', username: 'cb-user', password: 'cb-secret-pw' }, req: { headers: {} } });
      await waitFor(() => caught.length === 2 && got.length === 1);
      assert.deepEqual(
        caught.map((c) => (c.error as Record<string, unknown>).code),
        ['CALLBACK_UNAUTHORIZED', 'CALLBACK_UNAUTHORIZED'],
      );
      assert.equal(got[0].payload, 'genuine');
      const everything = JSON.stringify([got, caught]);
      assert.ok(!everything.includes('cb-secret-pw'), 'the callback password appears nowhere');
    });

    // One failure of each kind, on the request for the second block: the code Catch gets is the
    // API's own errorCode when the answer has one, else ours (docs/architecture.md, "Errors").
    const FAULTS: Array<{ fault: FaultRule; code: string }> = [
      { fault: { kind: 'server-error', status: 503 }, code: 'UnifiedWebService.REQUEST_FAILED.ServiceUnavailable' },
      { fault: { kind: 'html' }, code: 'SERVER_ERROR' },
      { fault: { kind: 'rate-limit', retryAfterSec: 1 }, code: 'UnifiedWebService.REQUEST_FAILED.TooManyRequests' },
      { fault: { kind: 'malformed' }, code: 'BAD_RESPONSE' },
      { fault: { kind: 'reset' }, code: 'NETWORK' },
    ];
    for (const { fault, code } of FAULTS) {
      it(`reports a ${fault.kind} answer to Catch as ${code}, says it is retrying, and loses nothing`, async () => {
        sim.generate(300);
        // The request for the second block fails: set before the drain, so no timing decides it.
        sim.addFault({ ...fault, endpoint: 'history', count: 1, skip: 1 });
        await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
        const got = collect('out');
        const caught = collect('caught');
        await waitFor(() => got.length === 300 && lastStatus('q')?.text === 'sms-queue-in.status.idle', 15_000, 'all 300 SMS through the fault');
        assert.deepEqual(sim.counters().faultsInjected, { [fault.kind]: 1 });
        assert.deepEqual(
          caught.map((c) => (c.error as Record<string, unknown>).code),
          [code],
          'one report, with the code of this failure',
        );
        assert.deepEqual(caught[0].thingspace, { accountName: ACCOUNT, operation: 'history' });
        assert.ok(
          statuses('q').some((s) => s.text === 'sms-queue-in.status.retrying'),
          'a retrying status',
        );
        assert.equal(new Set(got.map((m) => m.payload)).size, 300);
      });
    }

    const codes = (caught: Record<string, unknown>[]): unknown[] => caught.map((c) => (c.error as Record<string, unknown>).code);

    it('after a reset of a request that reached ThingSpace, carries its next once more and reads on at once, refused or not: no ANOTHER_READER, no second backoff, nothing lost', async () => {
      sim.generate(300);
      // The request carrying block 1's next is served (block 1 acknowledged, block 2 given out),
      // then its connection is cut: the answer never comes back.
      sim.addFault({ kind: 'reset-after', endpoint: 'history', count: 1, skip: 1 });
      await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
      const got = collect('out');
      const caught = collect('caught');
      await waitFor(() => got.length >= 300 && lastStatus('q')?.text === 'sms-queue-in.status.idle', 15_000, 'all 300 SMS');
      assert.equal(new Set(got.map((m) => m.payload)).size, 300, 'lost 0');
      assert.equal(got.length, 300, 'each once: block 2, served again, had never been emitted');
      assert.equal(sim.queued(), 0);
      assert.equal(sim.counters().tokensStale, 1, 'the retry carried the spent next');
      assert.deepEqual(codes(caught), ['NETWORK'], 'the reset, and nothing about another reader');
      assert.ok(!statuses('q').some((st) => st.text === 'sms-queue-in.status.anotherReader'));
      const log = sim.history(ACCOUNT).map((r) => ({ next: r.next, status: r.status, start: r.start, end: r.end ?? 0 }));
      if (mode.options.staleNext === 'refuse') {
        // Refused, then at once the same block again without the spent next.
        assert.deepEqual(
          log.map((r) => [r.next, r.status]),
          [
            [false, 202],
            [true, undefined],
            [true, 400],
            [false, 202],
            [true, 200],
          ],
        );
        const gap = log[3].start - log[2].end;
        assert.ok(gap < 1000, `read again ${gap} ms after the refusal: no backoff step`);
      } else {
        assert.deepEqual(
          log.map((r) => [r.next, r.status]),
          [
            [false, 202],
            [true, undefined],
            [true, 202],
            [true, 200],
          ],
        );
      }
    });

    if (mode.options.staleNext === 'refuse') {
      it('still says ANOTHER_READER, once, when another reader really acknowledged the block its next names', async () => {
        sim.generate(250);
        await helper.load(ALL_NODES, flow(config(sim), queue({ ackMode: 'manual', ackTimeout: '60' })), credentials());
        const got = collect('out');
        const caught = collect('caught');
        const q = helper.getNode('q');
        await waitFor(
          () => got.length === 100 && lastStatus('q')?.text === 'sms-queue-in.status.waitingAck',
          10_000,
          'block 1, waiting for its acknowledgements',
        );
        // Meanwhile another reader of the account (a second Node-RED, say) reads block 1 and acknowledges it.
        const other = new ThingSpaceClient({ server: sim.url, accountName: ACCOUNT, ...SIM_CREDS });
        try {
          const first = await other.history();
          await other.history(first.next);
        } finally {
          other.close();
        }
        // The flow acknowledges block 1 now, and every later SMS as it comes.
        helper.getNode('out').on('input', ((m: Record<string, unknown>) => q.receive(m)) as never);
        for (const m of got.slice()) q.receive(m);
        await waitFor(() => new Set(got.map((m) => m.payload)).size === 250 && lastStatus('q')?.text === 'sms-queue-in.status.idle', 20_000, 'all 250 SMS');
        assert.equal(codes(caught).filter((c) => c === 'ANOTHER_READER').length, 1, `Catch: ${codes(caught).join(', ')}`);
        assert.ok(statuses('q').some((st) => st.text === 'sms-queue-in.status.anotherReader'));
        assert.equal(sim.counters().tokensStale, 1);
        assert.equal(sim.queued(), 0);
      });
    }

    it('after a rejected password makes exactly one login attempt and shows it on every node of the config', async () => {
      sim.generate(5);
      await helper.load(
        ALL_NODES,
        flow(config(sim), queue(), { id: 'sc', type: 'start-callbacks', z: 'tab1', thingspace: 'cfg', callbackUrl: '', onDeploy: false, wires: [[]] }),
        credentials({ password: 'wrong-password' }),
      );
      const caught = collect('caught');
      await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.loginRefused', 10_000, 'rejected status');
      await waitFor(() => lastStatus('sc')?.text === 'start-callbacks.status.loginRefused', 5_000, 'rejected on start-callbacks');
      await waitFor(() => caught.length === 1, 5_000, 'the rejection on Catch');
      helper.getNode('q').receive({ payload: 'poll again' });
      helper.getNode('sc').receive({ payload: 'start' });
      // start-callbacks reports its call's outcome: a login made for it (or for the poll before
      // it, which shares the client's single login) would have failed before this report.
      await waitFor(() => caught.length === 2, 5_000, 'the refusal of the later call on Catch');
      const c = sim.counters();
      assert.equal(c.loginsFailed, 1, 'one failed login, never a loop');
      assert.equal(c.locked, false);
      assert.deepEqual(
        caught.map((m) => [(m.error as { source: { id: string } }).source.id, (m.error as Record<string, unknown>).code]),
        // The login's own code for a wrong password (the simulator's, as ThingSpace's).
        [
          ['q', 'UnifiedWebService.INPUT_INVALID.Password.Invalid'],
          ['sc', 'UnifiedWebService.INPUT_INVALID.Password.Invalid'],
        ],
      );
      for (const m of caught)
        assert.match(String((m.error as { message: string }).message), /login of user "sim-user".*1 failed login recorded.*locks the user after 5/);
    });

    it('a second sms-queue-in on the same account shows a clear error and stays idle', async () => {
      sim.generate(10);
      await helper.load(ALL_NODES, flow(config(sim), queue(), queue({ id: 'q2', wires: [['out']] })), credentials());
      const got = collect('out');
      await waitFor(() => got.length === 10);
      const texts = [...statuses('q'), ...statuses('q2')].map((s) => s.text);
      assert.ok(texts.includes('sms-queue-in.status.duplicateReader'), texts.join(', '));
      assert.equal(sim.counters().maxConcurrentHistory, 1);
    });

    inOneMode('closes within the 2 s it gives a hung request to answer, and sends nothing afterwards', async () => {
      sim.generate(10);
      sim.addFault({ kind: 'hang', endpoint: 'history', count: 1 });
      await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
      const got = collect('out');
      await waitFor(() => sim.counters().inFlightHistory === 1, 5_000, 'the hung request');
      const before = sim.counters().requests.history;
      const t0 = Date.now();
      // Only the node goes: the config node and its client stay, so nothing but the node's own
      // close can cut the hung request.
      await helper.setFlows(flow(config(sim)), 'nodes', credentials());
      const took = Date.now() - t0;
      assert.ok(took < 3000, `close took ${took} ms`);
      // The hung request was cut, not left to the client's timeout; and close returned only
      // once the loop had settled, so no loop is left to make another request.
      await waitFor(() => sim.counters().inFlightHistory === 0, 5_000, 'the hung request to be aborted');
      assert.equal(sim.counters().requests.history, before, 'no request after close');
      assert.equal(sim.queued(), 10, 'nothing acknowledged');
      assert.equal(got.length, 0);
    });

    it('keeps exactly one poll loop through twenty redeploys of every kind, and loses no SMS', async () => {
      const INTERVAL_MS = 200;
      const trace = traceRequests(sim.port, /^\/api\//);
      const history = (): TracedRequest[] => trace.requests.filter((r) => r.path.endsWith('/history'));
      try {
        sim.configure({ finalBlock: 'redeliver' });
        sim.generate(2000);
        const base = flow(config(sim), queue({ interval: String(INTERVAL_MS / 1000) }));
        // The helper node `out` is replaced by a full or flows deploy: collect from each one.
        const out = collectAcrossDeploys('out');
        stops.push(out.stop);
        const received = out.payloads;
        await helper.load(ALL_NODES, base, credentials());
        const kinds = ['full', 'flows', 'nodes'] as const;
        // The config node changes in deploys 3, 8, 13 and 18: the last deploys keep its client,
        // so a loop an earlier deploy failed to stop would still reach the simulator at the end.
        for (let i = 0; i < 20; i++) {
          const changed = base.map((n) => (n.id === 'q' ? { ...n, name: `q${i}` } : n.id === 'cfg' && i % 5 === 2 ? { ...n, name: `cfg${i}` } : n));
          await helper.setFlows(changed, kinds[i % 3], credentials());
          // The redeployed node polls at once: let it reach the simulator before the next deploy,
          // so every deploy stops a loop that has a drain going.
          const seen = history().length;
          await waitFor(() => history()[seen]?.finish !== undefined, 5_000, `a request of the node of deploy ${i + 1}`);
        }
        await waitFor(() => new Set(received).size === 2000, 20_000, 'all 2000 SMS');
        await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.idle', 5_000, 'idle');

        // One loop waits its interval between an answer and its next request; a second loop
        // would put requests into those pauses. A slow machine makes the pauses longer, never shorter.
        const from = history().length;
        const all = trace.requests.length;
        await waitFor(() => history()[from + 7]?.finish !== undefined, 10_000, 'eight polls');
        const gaps = gapsBetween(history().slice(from, from + 8));
        assert.equal(gaps.length, 7);
        assert.ok(
          gaps.every((g) => g >= INTERVAL_MS * 0.9),
          `pauses between polls ${gaps.map((g) => g.toFixed(0)).join(', ')} ms: one loop waits ${INTERVAL_MS} ms. Requests:\n${describeTrace(trace.requests.slice(Math.max(0, all - 10)))}`,
        );
        assert.equal(sim.counters().maxConcurrentHistory, 1, 'never two requests at once');
        assert.equal(new Set(received).size, 2000, 'no SMS lost');
      } finally {
        trace.stop();
      }
    });

    for (const kind of ['nodes', 'flows', 'full'] as const) {
      it(`emits after a ${kind} redeploy the final block whose answer came while closing, though the server counted it as delivered`, async () => {
        // ack-on-delivery (beforeEach): the server drops the final block once it is served, so
        // an answer the closing node threw away would be lost for good.
        sim.configure({ latencyMs: 250 });
        sim.generate(10);
        const base = flow(config(sim), queue());
        const out = collectAcrossDeploys('out');
        stops.push(out.stop);
        const received = out.payloads;
        await helper.load(ALL_NODES, base, credentials());
        await waitFor(() => sim.counters().inFlightHistory === 1, 5_000, 'the request for the final block');
        await helper.setFlows(
          base.map((n) => (n.id === 'q' ? { ...n, name: 'q2' } : n)),
          kind,
          credentials(),
        );
        await waitFor(() => new Set(received).size === 10, 10_000, 'the 10 SMS of the final block');
        assert.equal(sim.queued(), 0, 'the server no longer holds them');
        assert.equal(received.length, 10, 'each once');
      });
    }

    it('shows a bad interval on its status and reports BAD_CONFIG to Catch', async () => {
      await helper.load(ALL_NODES, flow(config(sim), queue({ interval: '-5' })), credentials());
      const caught = collect('caught');
      await waitFor(() => caught.length === 1);
      assert.equal((caught[0].error as Record<string, unknown>).code, 'BAD_CONFIG');
      assert.equal(lastStatus('q')?.fill, 'red');
      assert.equal(sim.counters().requests.history ?? 0, 0);
    });

    it('reports a flow that throws while taking a block as ERROR to Catch, its stack in the debug log, secrets masked', async () => {
      helper.settings({ logging: { console: { level: 'debug' } } });
      try {
        await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
        await waitFor(() => lastStatus('q')?.text === 'sms-queue-in.status.idle', 5_000, 'idle status');
        // The consumer's 'block' listener sends on: a send that throws (a bug, or a synchronous
        // failure downstream) is what a listener that throws looks like.
        const node = helper.getNode('q') as unknown as { send(...a: unknown[]): void };
        const send = node.send;
        let thrown = 0;
        node.send = function (this: unknown, ...a: unknown[]) {
          if (thrown++ === 0) throw new Error('the flow broke on sim-password');
          return send.apply(this, a);
        };
        const caught = collect('caught');
        const got = collect('out');
        sim.generate(150); // two blocks: the first is not final, so ThingSpace serves it again
        helper.getNode('q').receive({ payload: 'poll' });
        await waitFor(() => caught.length >= 1, 5_000, 'the Catch node');
        const error = caught[0].error as { message: string; code: string; source: { id: string } };
        assert.equal(error.code, 'ERROR');
        assert.equal(error.source.id, 'q');
        assert.equal(error.message, 'Unexpected failure while handing on a block: the flow broke on ***');
        assert.equal((caught[0].thingspace as { operation?: string }).operation, 'deliver');
        const debug = calls('cfg', 'debug').map((a) => String(a[0]));
        const stack = debug.filter((l) => l.includes('cause: Error: the flow broke on ***'));
        assert.equal(stack.length, 1, `the stack, once, in the debug log: ${debug.join('\n')}`);
        assert.match(stack[0], /\n\s+at .*queue-in\.js/, 'the stack names where it was thrown from');
        // The block was not handed on: it is read again (now, rather than after the backoff).
        helper.getNode('q').receive({ payload: 'poll' });
        await waitFor(() => got.length === 150, 10_000, 'the block read again');
        assert.equal(new Set(got.map((m) => m.payload)).size, 150);
        const seen = JSON.stringify({
          caught,
          statuses: statuses('q'),
          errors: calls('q', 'error').map((a) => String(a[0])),
          debug,
          log: helper.log().args.map((a) => JSON.stringify(a[0])),
        });
        assert.ok(!seen.includes('sim-password'), 'the password never leaves masked');
        assert.ok(seen.includes('the flow broke on ***'), 'the check looked at the failure');
      } finally {
        helper.settings({});
      }
    });

    it('never shows a secret in messages, statuses, errors or logs', async () => {
      const secrets = ['sim-client-secret', 'sim-password', 'wrong-password', Buffer.from('sim-client-id:sim-client-secret').toString('base64')];
      sim.generate(120);
      sim.addFault({ kind: 'server-error', endpoint: 'history', count: 1 });
      sim.addFault({ kind: 'expire-session', endpoint: 'history', count: 1 });
      await helper.load(ALL_NODES, flow(config(sim), queue()), credentials());
      const got = collect('out');
      const caught = collect('caught');
      await waitFor(() => got.length === 120, 10_000);
      const seen = JSON.stringify({
        got,
        caught,
        statuses: statuses('q'),
        errors: calls('q', 'error').map((a) => String(a[0])),
        log: helper.log().args.map((a) => JSON.stringify(a[0])),
      });
      for (const s of secrets) assert.ok(!seen.includes(s), `secret ${s} leaked`);
      assert.ok(seen.length > 1000, 'the check looked at something');
    });
  });
}
