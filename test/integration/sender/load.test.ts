// 1,000 sends through the account's send queue, 4 in flight, with one request in twenty
// faulted (503, reset before, reset after processing, no answer): each SMS is accepted
// exactly once or reported, and none is at the simulator twice. Seeded (SEND_LOAD_SEED).
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import { sendFailure, sendWithRetries } from '../../../nodes/lib/sender/send-attempts';
import { SendQueue } from '../../../nodes/lib/sender/send-queue';
import { clientFor } from '../client/helpers';
import { until } from '../../support/wait';

const SENDS = 1000;
const SEED = Number(process.env.SEND_LOAD_SEED ?? (Date.now() % 1_000_000_000) + 1);

describe('1,000 sends at concurrency 4 with 5% faults', function () {
  this.timeout(60_000);

  it('accepts each SMS exactly once or reports it, and the simulator never has one twice', async () => {
    console.log(`      seed ${SEED} (set SEND_LOAD_SEED to replay)`);
    const sim = await ThingSpaceSimulator.start({ seed: SEED });
    const client = clientFor(sim, { timeoutMs: 400 });
    try {
      for (const kind of ['server-error', 'reset', 'reset-after', 'hang'] as const) sim.addFault({ kind, endpoint: 'sms', probability: 0.0125 });
      const queue = new SendQueue({ concurrency: 4, limit: SENDS });
      const owner = {};
      queue.attach(owner, { concurrency: 4, limit: SENDS });
      let inFlight = 0;
      let maxInFlight = 0;
      const accepted = new Map<string, string>();
      const reported = new Map<string, string>();
      for (let i = 0; i < SENDS; i++) {
        const text = `CMD ${i}`;
        const ok = queue.submit(owner, async () => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          try {
            const r = await sendWithRetries(client, { deviceIds: [{ kind: 'mdn', id: '15551230001' }], smsMessage: text }, { initialMs: 5, maxMs: 50 });
            accepted.set(text, r.requestId);
          } catch (err) {
            reported.set(text, sendFailure(err as ThingSpaceError).code);
          } finally {
            inFlight--;
          }
        });
        assert.ok(ok, 'the queue holds them all');
      }
      await until(() => accepted.size + reported.size === SENDS, 'every send settled', 50_000);

      const atSim = new Map<string, number>();
      for (const s of sim.sentSms()) atSim.set(s.smsMessage, (atSim.get(s.smsMessage) ?? 0) + 1);
      assert.deepEqual(
        [...atSim.values()].filter((n) => n > 1),
        [],
        'no SMS twice at the simulator',
      );
      for (const [text, requestId] of accepted) {
        assert.equal(sim.sentSms().find((s) => s.smsMessage === text)?.requestId, requestId, `${text}: accepted as reported`);
      }
      for (const [text, code] of reported) {
        assert.equal(code, 'SEND_UNCERTAIN', `${text}: only an uncertain send is reported (503s are retried)`);
      }
      const uncertainThere = [...reported.keys()].filter((t) => atSim.has(t)).length;
      const injected = sim.counters().faultsInjected;
      assert.ok(maxInFlight <= 4, `at most 4 in flight (${maxInFlight})`);
      assert.ok(Object.values(injected).reduce((a, b) => a + b, 0) > 0, 'faults were injected');
      assert.equal(accepted.size + reported.size, SENDS);
      console.log(
        `      ${accepted.size} accepted, ${reported.size} SEND_UNCERTAIN (${uncertainThere} of them queued at the simulator), faults ${JSON.stringify(injected)}`,
      );
    } finally {
      client.close();
      await sim.stop();
    }
  });
});
