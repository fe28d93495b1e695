// Bad input, 36 cases in one Node-RED: bad configuration, odd API answers (simulator faults
// and a fake server), odd input messages. Each must end in a clear status or Catch error
// (or, where the input is legitimate after all, a normal emit), with Node-RED still up, no
// SMS lost, and no request off the documented paths.
import http from 'node:http';
import type { NodeRed, SimulatorProcess } from '../../harness';
import { ACCOUNT, TAB, countingSink, queueNode, readSink, sinkEndpoint, tab } from '../../harness';
import { post, sleep, startRed, relUserDir, startSim, stopAll } from '../support/env';
import { FakeThingSpace, type Crafted } from '../support/fake-server';
import { clearCollected, endpoints, observers, readCollected, relConfig, type Collected } from '../support/flows';
import { PROFILE } from '../support/profile';
import { Figures } from '../support/results';
import { enqueueAll, knownSms } from '../support/sms';
import { until } from '../support/wait';

type N = Record<string, unknown>;

interface Outcome {
  ok: boolean;
  saw: string;
}

/** The flow every case deploys (some properties changed): queue -> sink, message and push inlets. */
function caseFlow(server: string, cfg: N = {}, q: N = {}): N[] {
  return [
    tab(),
    relConfig(server, {}, cfg),
    queueNode(['e2e-count'], { interval: '1', ...q }),
    countingSink('e2e-count', ['rel-push-out']),
    { id: 'rel-push-in', type: 'http in', z: TAB, name: '', url: '/rel/push', method: 'post', upload: false, swaggerDoc: '', wires: [['e2e-q']] },
    { id: 'rel-push-out', type: 'http response', z: TAB, name: '', statusCode: '200', headers: {}, wires: [] },
    { id: 'rel-msg-in', type: 'http in', z: TAB, name: '', url: '/rel/msg', method: 'post', upload: false, swaggerDoc: '', wires: [['rel-msg-fn']] },
    {
      id: 'rel-msg-fn',
      type: 'function',
      z: TAB,
      name: 'as a message',
      // The posted JSON becomes a plain message (no req): what a flow routes back.
      func: 'return [RED.util.cloneMessage({ payload: msg.payload.payload, thingspace: msg.payload.thingspace }), msg];',
      outputs: 2,
      wires: [['e2e-q'], ['rel-msg-out']],
    },
    { id: 'rel-msg-out', type: 'http response', z: TAB, name: '', statusCode: '200', headers: {}, wires: [] },
    ...sinkEndpoint(),
    ...observers(),
    ...endpoints(),
  ];
}

const fromQueue = (e: Collected): boolean => e.source === 'sms-queue-in';

export function badInputScenario(): void {
  describe('bad input', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    let fake: FakeThingSpace | undefined;
    let other: http.Server | undefined;
    let otherRequests = 0;
    after(async () => {
      await stopAll(red, sim, fake);
      other?.closeAllConnections();
      other?.close();
    });

    it('gives every one of 36 bad inputs a clear status or Catch error, loses nothing and stays on the documented paths', async () => {
      const f = new Figures('bad input');
      sim = await startSim(['--final-block', 'ack-on-delivery']);
      red = await startRed(relUserDir('bad-input'));
      fake = await FakeThingSpace.start();
      // "Another host": a second loopback address; a client following Location there would show here.
      other = http.createServer((_req, res) => {
        otherRequests++;
        res.end('{}');
      });
      await new Promise<void>((resolve) => other!.listen(0, '127.0.0.2', resolve));
      const otherPort = (other.address() as { port: number }).port;
      const r = red;
      const s = sim;
      const fk = fake;
      let seq = 0;
      const results: Array<{ group: string; name: string } & Outcome> = [];

      /** Deploys, acts, then waits for what the case expects in errors, statuses or the sink. */
      const run = async (
        group: string,
        name: string,
        flows: N[],
        act: () => Promise<unknown>,
        expect: (errs: Collected[], sts: Collected[], emitted: number) => Outcome | undefined,
        waitMs = 10_000,
      ): Promise<void> => {
        // Emptied before the deploy: a bad config reports as the flow starts.
        await clearCollected(r, 'errors');
        await clearCollected(r, 'statuses');
        const base = await readSink(r).then(
          (t) => t.count,
          () => 0,
        );
        await r.deploy(flows);
        // The flow's http in routes exist once this answers (it retries a 404).
        await readCollected(r, 'seen');
        await act();
        let outcome: Outcome = { ok: false, saw: 'nothing' };
        await until(
          async () => {
            const errs = await readCollected(r, 'errors');
            const sts = (await readCollected(r, 'statuses')).filter((x) => x.status?.source?.type === 'sms-queue-in');
            const got = expect(errs, sts, (await readSink(r)).count - base);
            if (got) outcome = got;
            return outcome.ok;
          },
          waitMs,
          150,
        );
        results.push({ group, name, ...outcome });
      };
      const errorCode =
        (code: string | RegExp) =>
        (errs: Collected[], sts: Collected[]): Outcome | undefined => {
          const e = errs.find((x) => fromQueue(x) && (typeof code === 'string' ? x.code === code : code.test(x.code ?? '')));
          if (e) return { ok: true, saw: `Catch ${e.code}` };
          const last = sts[sts.length - 1]?.status?.text;
          return last ? { ok: false, saw: `status "${last}", Catch ${errs.map((x) => x.code).join(',') || 'none'}` } : undefined;
        };
      const badConfig = (errs: Collected[], sts: Collected[]): Outcome | undefined => {
        const st = sts.find((x) => (x.status?.text ?? '').startsWith('configuration error'));
        const e = errs.find((x) => fromQueue(x) && x.code === 'BAD_CONFIG');
        const saw = [e ? `Catch BAD_CONFIG: ${e.message}` : 'no Catch', st ? `status "${st.status?.text}"` : 'no status'].join(', ');
        return { ok: st !== undefined && e !== undefined, saw };
      };

      // --- configuration: nothing may reach the server at all -------------------------
      const before = await s.counters();
      const configCases: Array<[string, N, N]> = [
        ['account with /', { accountName: '0000123456/00001' }, {}],
        ['account with ?', { accountName: '0000123456?x=1' }, {}],
        ['account ..', { accountName: '..' }, {}],
        ['account %2F', { accountName: '0000%2F00001' }, {}],
        ['account empty', { accountName: '' }, {}],
        ['account overlong', { accountName: '1'.repeat(33) }, {}],
        ['http:// to a non-loopback host', { server: 'http://example.com' }, {}],
        ['interval negative', {}, { interval: '-5' }],
        ['interval not a number', {}, { interval: 'soon' }],
        ['ackTimeout 0 in manual mode', {}, { ackMode: 'manual', ackTimeout: '0' }],
      ];
      for (const [name, cfg, q] of configCases) await run('config', name, caseFlow(s.url, cfg, q), async () => undefined, badConfig);
      const afterConfig = await s.counters();
      const configRequests = Object.values(afterConfig.requests).reduce((a, b) => a + b, 0) - Object.values(before.requests).reduce((a, b) => a + b, 0);

      // --- API answers from the simulator's faults: an error, then every SMS --------------
      for (const kind of ['malformed', 'html', 'empty', 'oversize', 'wrong-shape'] as const) {
        const list = knownSms(`fault-${kind}`, 5);
        await run(
          'api (simulator)',
          kind,
          caseFlow(s.url),
          async () => {
            await s.fault({ kind, count: 1 });
            await enqueueAll(s, list);
          },
          (errs, _sts, emitted) => {
            const e = errs.find(fromQueue);
            return { ok: e !== undefined && emitted === list.length, saw: `Catch ${e?.code ?? 'none'}, then ${emitted}/${list.length} SMS` };
          },
          15_000,
        );
      }

      // --- API answers from the fake server ---------------------------------------------
      const ts = '2024-05-02T16:15:07.000Z';
      const sms = (over: N = {}): N => ({ deviceIds: [{ kind: 'mdn', id: '15551230001' }], message: 'ok', timestamp: ts, ...over });
      const body = (b: unknown, status = 200, headers: Record<string, string> = {}): Crafted => ({
        status,
        headers,
        body: typeof b === 'string' ? b : JSON.stringify(b),
      });
      const historyPath = `/api/m2m/v1/sms/${ACCOUNT}/history`;
      const fakeCases: Array<[string, Crafted, 'error' | 'emit']> = [
        ['messages missing', body({ hasMoreData: false }), 'error'],
        ['messages not an array', body({ hasMoreData: false, messages: 'none' }), 'error'],
        ['hasMoreData a string', body({ hasMoreData: 'no', messages: [] }), 'error'],
        ['text not a string', body({ hasMoreData: false, messages: [sms({ message: 42 })] }), 'error'],
        ['deviceIds missing', body({ hasMoreData: false, messages: [{ message: 'x', timestamp: ts }] }), 'error'],
        ['body null', body('null'), 'error'],
        [
          'unknown id kind (legitimate: emitted)',
          body({ hasMoreData: false, messages: [sms({ deviceIds: [{ kind: 'eid', id: '89049032000001000000' }], message: 'eid kind' })] }),
          'emit',
        ],
        [
          'Location to another host',
          body({ hasMoreData: true, messages: [sms({ message: 'elsewhere' })] }, 202, { Location: `http://127.0.0.2:${otherPort}${historyPath}?next=0002` }),
          'error',
        ],
        ['202 without Location', body({ hasMoreData: true, messages: [sms({ message: 'nowhere' })] }, 202), 'error'],
        ['Location without next', body({ hasMoreData: true, messages: [sms({ message: 'no next' })] }, 202, { Location: `/sms/${ACCOUNT}/history` }), 'error'],
      ];
      for (const [name, crafted, want] of fakeCases) {
        const good = knownSms(`fake-${seq++}`, 3);
        await run(
          'api (fake server)',
          name,
          caseFlow(fk.url),
          async () => fk.arm(crafted, good),
          (errs, _sts, emitted) => {
            const e = errs.find(fromQueue);
            // An error case: the error, then the good block. 'emit': the odd SMS plus the good block.
            const need = want === 'emit' ? good.length + 1 : good.length;
            const ok = want === 'emit' ? emitted === need : e !== undefined && emitted === need;
            return { ok, saw: `Catch ${e?.code ?? 'none'}, then ${emitted}/${need} SMS` };
          },
          15_000,
        );
      }

      // --- input messages ------------------------------------------------------------
      const manual = caseFlow(s.url, {}, { ackMode: 'manual', interval: '0' });
      const ackCases: Array<[string, unknown]> = [
        ['acknowledgement with garbage fields', { source: 'queue', block: 5, index: 'x' }],
        ['acknowledgement for a block long gone', { source: 'queue', accountName: ACCOUNT, block: 'deadbeef-1', index: 0 }],
        ['acknowledgement from another account', { source: 'queue', accountName: '9999999999-99999', block: 'deadbeef-1', index: 0 }],
        ['acknowledgement with null source', { source: null, accountName: ACCOUNT }],
      ];
      for (const [name, thingspace] of ackCases) {
        await run('input', name, manual, () => post(`${r.url}/rel/msg`, JSON.stringify({ payload: 'x', thingspace })), errorCode('BAD_INPUT'));
      }
      const push = caseFlow(s.url, {}, { interval: '0' });
      const statuses: string[] = [];
      const pushCase = async (name: string, data: string, contentType: string, expect: Parameters<typeof run>[4]): Promise<void> => {
        await run(
          'input',
          name,
          push,
          async () => statuses.push(`${name}: ${(await post(`${r.url}/rel/push`, data, { 'Content-Type': contentType })).status}`),
          expect,
        );
      };
      await pushCase('callback body {}', '{}', 'application/json', errorCode('BAD_INPUT'));
      await pushCase('callback body plain text', 'garbage', 'text/plain', errorCode('BAD_INPUT'));
      await pushCase('callback body an array', '[1,2,3]', 'application/json', errorCode('BAD_INPUT'));
      await pushCase(
        'callback deviceIds a string',
        JSON.stringify({ deviceIds: 'x', smsResponse: { message: 'm', timestamp: ts } }),
        'application/json',
        errorCode('BAD_INPUT'),
      );
      await pushCase(
        'callback text a number',
        JSON.stringify({ deviceIds: [{ kind: 'mdn', id: '1' }], smsResponse: { message: 5, timestamp: ts } }),
        'application/json',
        errorCode('BAD_INPUT'),
      );
      await pushCase('callback body not JSON', '{"deviceIds": [', 'application/json', () => ({ ok: true, saw: 'see the HTTP status' }));
      const big = (bytes: number, text: string): string =>
        JSON.stringify({ deviceIds: [{ kind: 'mdn', id: '15551230009' }], smsResponse: { message: text, timestamp: ts }, padding: 'y'.repeat(bytes) });
      await pushCase('callback body of 5 MB', big(5 * 2 ** 20, 'five megabytes'), 'application/json', () => ({ ok: true, saw: 'see the HTTP status' }));
      await pushCase('callback body of 4.5 MB', big(4.5 * 2 ** 20, 'four and a half megabytes'), 'application/json', (errs, _sts, emitted) => {
        const e = errs.find(fromQueue);
        if (emitted === 1) return { ok: true, saw: 'emitted once (a valid SMS with an extra field)' };
        return e ? { ok: true, saw: `Catch ${e.code}` } : undefined;
      });
      // The two bodies Node-RED's own body parser refuses never reach the node: their
      // outcome is the HTTP status (400 for broken JSON, 413 over the 5 MB default limit).
      for (const res of results) {
        if (res.name === 'callback body not JSON' || res.name === 'callback body of 5 MB') {
          const st = statuses.find((x) => x.startsWith(res.name)) ?? '';
          const code = Number(st.split(': ')[1]);
          res.ok = code === 400 || code === 413;
          res.saw = `answered ${code} by Node-RED's body parser`;
        }
      }

      // --- after everything: still up, nothing queued, nothing off the paths ------------
      await r.deploy(caseFlow(s.url));
      const list = knownSms('after-bad-input', PROFILE.badInputSms);
      await enqueueAll(s, list);
      const drained = await until(async () => (await s.counters()).queued === 0, 30_000, 200);
      const c = await s.counters();
      const failed = results.filter((x) => !x.ok);
      for (const x of results) console.log(`        ${x.ok ? 'ok  ' : 'FAIL'} ${x.group}: ${x.name} -> ${x.saw}`);
      const groups = [...new Set(results.map((x) => x.group))];
      for (const g of groups) {
        const inGroup = results.filter((x) => x.group === g);
        const bad = inGroup.filter((x) => !x.ok);
        f.check(
          `${g}: ${inGroup.length - bad.length} of ${inGroup.length} cases clear${bad.length ? ` (failing: ${bad.map((x) => `${x.name} -> ${x.saw}`).join('; ')})` : ''}`,
          'all',
          bad.length === 0,
        );
      }
      f.check(`cases ${results.length}, clear ${results.length - failed.length}`, '>= 30, all clear', results.length >= 30 && failed.length === 0);
      f.check(`requests to the simulator caused by bad configs: ${configRequests}`, '0', configRequests === 0);
      f.check(
        `requests off the documented paths: simulator ${c.rejectedPaths}, fake server ${fk.offPath().length}, other host ${otherRequests}`,
        '0',
        c.rejectedPaths === 0 && fk.offPath().length === 0 && otherRequests === 0,
      );
      f.check(
        `Node-RED still running: ${r.proc.exitCode === null && r.proc.signalCode === null}; then drained ${PROFILE.badInputSms} SMS: ${drained}`,
        'yes, yes',
        r.proc.exitCode === null && drained,
      );
      await sleep(0);
      f.assertAll();
    });
  });
}
