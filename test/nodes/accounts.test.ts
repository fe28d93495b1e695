// One config node for several billing accounts of one user: each flow node may name its own
// account (accountName), and reads, starts callbacks and sends there, over the config node's one
// token and login. In a real Node-RED runtime, against the simulator over real HTTP.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../simulator/server';
import { ACCOUNT, ALL_NODES, TAB, calls, collect, config, credentials, flow, helper, lastStatus, queue, statuses, waitFor } from './runtime';
import { collectAndAnswer, startListener, type Listener } from './listener';
import { smsOut } from './sms-out-flow';

const B = '0000123456-00002';
const C = '0000654321-00001';
const DEVICE = '15551230001';

function starter(id: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
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

describe('one config node for several accounts (accountName on the flow nodes)', function () {
  let sim: ThingSpaceSimulator;
  const listeners: Listener[] = [];

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start({ quiet: true, accounts: [ACCOUNT, B, C], finalBlock: 'ack-on-delivery', noticeDelayMs: 20 });
  });

  afterEach(async () => {
    await helper.unload();
    for (const l of listeners.splice(0)) await l.close();
    await sim.stop();
  });

  it('three sms-queue-in nodes on three accounts each drain their own queue, with 1 token request and 1 login in total', async () => {
    sim.generate(150, { account: ACCOUNT });
    sim.generate(120, { account: B });
    sim.generate(30, { account: C });
    await helper.load(
      ALL_NODES,
      flow(
        config(sim),
        queue({ id: 'qa', wires: [['outA']] }),
        queue({ id: 'qb', accountName: B, wires: [['outB']] }),
        // Spaces around it are the editor's to trim, not part of the name.
        queue({ id: 'qc', accountName: ` ${C} `, wires: [['outC']] }),
        { id: 'outA', type: 'helper', z: TAB },
        { id: 'outB', type: 'helper', z: TAB },
        { id: 'outC', type: 'helper', z: TAB },
      ),
      credentials(),
    );
    const got = { [ACCOUNT]: collect('outA'), [B]: collect('outB'), [C]: collect('outC') };
    await waitFor(() => got[ACCOUNT].length === 150 && got[B].length === 120 && got[C].length === 30, 10_000, 'every queue drained');
    await waitFor(() => sim.queued(ACCOUNT) + sim.queued(B) + sim.queued(C) === 0, 5_000, 'every block acknowledged');
    for (const [account, msgs] of Object.entries(got)) {
      assert.ok(
        msgs.every((m) => (m.thingspace as { accountName: string }).accountName === account),
        `${account}: its own SMS only`,
      );
      assert.ok(
        msgs.every((m) => String(m.topic).startsWith(`thingspace/${account}/sms/`)),
        `${account}: its topic`,
      );
      assert.ok(sim.history(account).length >= 1 && sim.history(account).every((h) => h.account === account));
    }
    const c = sim.counters();
    assert.equal(c.requests.token, 1, 'one token request');
    assert.equal(c.requests.login, 1, 'one login');
    assert.equal(c.messagesServed, 300, 'no SMS read twice');
    // The status names the account a node names itself; the config node's account needs no name.
    await waitFor(() => lastStatus('qb')?.text === `sms-queue-in.status.idle · ${B}`, 5_000, 'B idle, named');
    await waitFor(() => lastStatus('qc')?.text === `sms-queue-in.status.idle · ${C}`, 5_000, 'C idle, named');
    await waitFor(() => lastStatus('qa')?.text === 'sms-queue-in.status.idle', 5_000, 'A idle');
  });

  it("still allows one reader per account, whichever property names it (the node's own or a config node's)", async () => {
    sim.generate(10, { account: ACCOUNT });
    await helper.load(
      ALL_NODES,
      flow(
        config(sim),
        { ...config(sim), id: 'cfg2', accountName: B },
        queue({ id: 'q1' }),
        queue({ id: 'q2', accountName: ACCOUNT }),
        queue({ id: 'q3', thingspace: 'cfg2', accountName: ACCOUNT }),
      ),
      { ...credentials(), cfg2: credentials().cfg },
    );
    const got = collect('out');
    await waitFor(() => got.length === 10, 5_000, 'the SMS, read once');
    const duplicate = ['q1', 'q2', 'q3'].filter((id) =>
      statuses(id).some((s) => s.text === `sms-queue-in.status.duplicateReader${id === 'q1' ? '' : ` · ${ACCOUNT}`}`),
    );
    assert.equal(duplicate.length, 2, 'two of the three stay idle');
    for (const id of duplicate) {
      const [err] = calls(id, 'error')[0] as [{ message: string; code: string }];
      assert.equal(err.code, 'BAD_CONFIG');
      assert.match(err.message, new RegExp(`already reads account ${ACCOUNT}`));
    }
    assert.equal(sim.counters().maxConcurrentHistory, 1);
    assert.equal(sim.counters().messagesServed, 10);
  });

  it('start-callbacks and sms-out with their own account register, start and send in that account', async () => {
    await helper.load(
      ALL_NODES,
      flow(
        config(sim),
        starter('sc', 'https://example.com/thingspace/sms', { accountName: B, deliveryNotices: false }),
        // Ids of its own: a node 'so' of another file would take over this one's pending sends.
        smsOut({ id: 'so-c', accountName: C }),
        { id: 'outcome', type: 'helper', z: TAB },
      ),
      credentials(),
    );
    await waitFor(() => sim.callbacks(B).length === 1, 5_000, "B's listener registered");
    await waitFor(() => (sim.counters().requests.startCallbacks ?? 0) === 1, 5_000, 'callbacks started');
    assert.equal(sim.callbacks(ACCOUNT).length, 0, "nothing registered on the config node's account");
    await waitFor(() => lastStatus('sc')?.text?.endsWith(` · ${B}`) === true, 5_000, 'a status naming B');
    const accepted = collect('out');
    helper.getNode('so-c').receive({ payload: 'PING', deviceIds: [{ kind: 'mdn', id: DEVICE }] });
    await waitFor(() => accepted.length === 1, 5_000, 'the send accepted');
    const [sent] = sim.sentSms();
    assert.equal(sent.accountName, C);
    assert.equal((accepted[0].thingspace as { accountName: string; requestId: string }).accountName, C);
    assert.equal(sim.counters().requests.token, 1);
    assert.equal(sim.counters().requests.login, 1);
  });

  it('routes each delivery notice to the sms-out node of the account that sent it', async () => {
    const la = await startListener('qa');
    const lb = await startListener('qb');
    listeners.push(la, lb);
    await helper.load(
      ALL_NODES,
      flow(
        config(sim),
        queue({ id: 'qa', interval: '0' }),
        queue({ id: 'qb', interval: '0', accountName: B }),
        starter('sca', la.url),
        starter('scb', lb.url, { accountName: B }),
        smsOut({ id: 'soa', wires: [['acceptedA'], ['outcomeA']] }),
        smsOut({ id: 'sob', accountName: B, wires: [['acceptedB'], ['outcomeB']] }),
        { id: 'acceptedA', type: 'helper', z: TAB },
        { id: 'acceptedB', type: 'helper', z: TAB },
        { id: 'outcomeA', type: 'helper', z: TAB },
        { id: 'outcomeB', type: 'helper', z: TAB },
      ),
      credentials(),
    );
    await waitFor(() => sim.callbacks(ACCOUNT).length === 2 && sim.callbacks(B).length === 2, 5_000, "both accounts' listeners");
    collectAndAnswer('out');
    const outcomes = { a: collect('outcomeA'), b: collect('outcomeB') };
    const caught = collect('caught');
    for (let i = 0; i < 3; i++) {
      helper.getNode('soa').receive({ payload: `A${i}`, deviceIds: [{ kind: 'mdn', id: DEVICE }], correlationId: `a${i}` });
      helper.getNode('sob').receive({ payload: `B${i}`, deviceIds: [{ kind: 'mdn', id: DEVICE }], correlationId: `b${i}` });
    }
    await waitFor(() => outcomes.a.length === 3 && outcomes.b.length === 3, 5_000, 'three outcomes each');
    const sentBy = new Map(sim.sentSms().map((s) => [s.requestId, s.accountName]));
    for (const [key, account] of [
      ['a', ACCOUNT],
      ['b', B],
    ] as const) {
      for (const o of outcomes[key]) {
        const p = o.payload as { correlated: boolean; requestId: string };
        assert.equal(p.correlated, true);
        assert.equal(sentBy.get(p.requestId), account, 'the notice came back to the account that sent it');
        assert.match(String(o.correlationId), new RegExp(`^${key}\\d$`));
        assert.equal((o.thingspace as { accountName: string }).accountName, account);
      }
    }
    assert.deepEqual(caught, [], 'nothing to Catch');
    assert.ok(la.answers.length >= 3 && lb.answers.length >= 3 && [...la.answers, ...lb.answers].every((s) => s === 200));
  });

  it('a refused password stops the nodes of every account, each saying so, after one failed login', async () => {
    sim.generate(5, { account: B });
    await helper.load(
      ALL_NODES,
      flow(
        config(sim),
        queue({ id: 'qa' }),
        queue({ id: 'qb', accountName: B }),
        starter('sc', '', { accountName: C, deliveryNotices: false }),
        smsOut({ id: 'so-c', accountName: C }),
      ),
      credentials({ password: 'not-the-password' }),
    );
    for (const id of ['qa', 'qb', 'sc', 'so-c']) {
      await waitFor(() => statuses(id).some((s) => /credentialsRejected|loginRefused/.test(String(s.text))), 5_000, `${id} to show the refusal`);
    }
    const caught = collect('caught');
    helper.getNode('qb').receive({ payload: 'poll now' });
    helper.getNode('so-c').receive({ payload: 'PING', deviceIds: [{ kind: 'mdn', id: DEVICE }] });
    // The code is ThingSpace's own (the login's errorCode), the message says it was rejected.
    const refused = (m: Record<string, unknown>): boolean =>
      (m.error as { source?: { id?: string } }).source?.id === 'so-c' && /rejected|refused the login/.test(String((m.error as { message?: string }).message));
    await waitFor(() => caught.some(refused), 5_000, 'the send refused');
    assert.equal(sim.counters().loginsFailed, 1, 'one failed login for the user, whatever the number of accounts');
    assert.equal(sim.counters().requests.history ?? 0, 0);
    assert.equal(sim.sentSms().length, 0);
  });

  for (const type of ['sms-queue-in', 'start-callbacks', 'sms-out'] as const) {
    it(`${type} with an invalid accountName: BAD_CONFIG on its status and to Catch naming it, no request`, async () => {
      const node =
        type === 'sms-queue-in'
          ? queue({ id: 'n', accountName: '0000/12' })
          : type === 'start-callbacks'
            ? starter('n', '', { accountName: '0000/12', deliveryNotices: false })
            : smsOut({ id: 'n', accountName: '0000/12' });
      await helper.load(ALL_NODES, flow(config(sim), node), credentials());
      const caught = collect('caught');
      await waitFor(() => caught.length === 1, 5_000, 'the Catch message');
      const error = caught[0].error as { code: string; message: string };
      assert.equal(error.code, 'BAD_CONFIG');
      assert.match(error.message, /3 to 32 letters, digits or hyphens/);
      assert.equal((caught[0].thingspace as { accountName: string }).accountName, '0000/12');
      const status = lastStatus('n');
      assert.equal(status?.fill, 'red');
      assert.match(String(status?.text), new RegExp(`^${type}\\.status\\.badConfig · 0000/12$`));
      helper.getNode('n').receive({ payload: 'go', deviceIds: [{ kind: 'mdn', id: DEVICE }] });
      await waitFor(() => caught.length === 2, 5_000, 'the input refused with the same error');
      assert.equal((caught[1].error as { code: string }).code, 'BAD_CONFIG');
      assert.equal(sim.counters().requests.token ?? 0, 0, 'no request');
    });
  }
});
