// The activity board (nodes/lib/node-red/activity.ts) and the operations settings, without
// Node-RED: the per-minute counts on a fake clock, the account's state as health reads it,
// and the history calls counted on prom-client's default registry.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import type { HistoryBlock, ThingSpaceApi } from '../../../nodes/lib/client/api';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import type { QueueConsumer } from '../../../nodes/lib/consumer/queue-consumer';
import { SendQueue } from '../../../nodes/lib/sender/send-queue';
import type { NodeAPI } from 'node-red';
import { Activity, timedHistory } from '../../../nodes/lib/node-red/activity';
import { loadMetrics } from '../../../nodes/lib/node-red/metrics';
import { activityFeed, readOperations, type ActivitySnapshot } from '../../../nodes/lib/node-red/operations';

describe('activity board', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());

  it('keeps SMS per minute over the last 30 minutes, oldest first', () => {
    clock = sinon.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 30), toFake: ['Date'] });
    const board = new Activity();
    const feed = board.account('acct@host', 'rt');
    feed.senderStarted({}, new SendQueue({ concurrency: 1, limit: 1 }), () => 0); // listed while a node uses it
    feed.receivedSms('poll', 5);
    clock.tick(2 * 60_000);
    feed.receivedSms('push', 3);
    feed.receivedSms('poll', 1);
    let [a] = board.list();
    assert.equal(a.perMinute.length, 30);
    assert.deepEqual(a.perMinute.slice(-3), [5, 0, 4]);
    assert.deepEqual(a.received, { poll: 6, push: 3 });
    clock.tick(29 * 60_000);
    [a] = board.list();
    assert.equal(a.perMinute[0], 4, 'the minute of the 4 is now the oldest');
    assert.equal(
      a.perMinute.reduce((x, y) => x + y),
      4,
    );
    clock.tick(60_000);
    assert.deepEqual(board.list()[0].perMinute, new Array(30).fill(0));
  });

  it('says what health reads: a refusal or an outage first, then the reader, sending only without one', () => {
    const board = new Activity();
    const feed = board.account('acct@host', 'rt');
    const reader = {};
    feed.senderStarted({}, new SendQueue({ concurrency: 1, limit: 1 }), () => 2);
    assert.deepEqual([board.list()[0].state, board.list()[0].outcomesPending], ['sending', 2]);
    // The consumer's events, as QueueConsumer emits them (nodes/lib/consumer/types.ts).
    const replaced = new EventEmitter();
    feed.watch({}, replaced as unknown as QueueConsumer);
    const consumer = new EventEmitter();
    feed.watch(reader, consumer as unknown as QueueConsumer);
    replaced.emit('state', { phase: 'polling' });
    assert.equal(board.list()[0].state, 'standby', 'a replaced reader: ignored');
    consumer.emit('state', { phase: 'polling' });
    assert.equal(board.list()[0].state, 'reading');
    consumer.emit('state', { phase: 'backing-off', inMs: 1000, error: new ThingSpaceError({ kind: 'server', message: 'down' }) });
    assert.deepEqual([board.list()[0].state, board.list()[0].code], ['backing-off', 'SERVER_ERROR']);
    consumer.emit('block', { id: 'b', final: false, restored: true, items: [{}] });
    assert.deepEqual(board.list()[0].received, { poll: 0, push: 0 }, 'a restored block is not received again');
    feed.lease('unavailable', undefined, 'COORDINATION_UNAVAILABLE');
    assert.deepEqual([board.list()[0].state, board.list()[0].errors], ['coordination-unavailable', { COORDINATION_UNAVAILABLE: 1 }]);
    feed.credentialsRejected('CREDENTIALS_REJECTED');
    assert.deepEqual([board.list()[0].state, board.list()[0].code], ['credentials-rejected', 'CREDENTIALS_REJECTED']);
    feed.readerStopped(reader);
    assert.equal(board.list().length, 1, 'an sms-out still uses the account');
    feed.senderStopped({});
    assert.equal(board.list().length, 1, 'not that sms-out: still used');
    board.account('other@host').receivedSms('poll', 1);
    assert.deepEqual(
      board.list().map((a) => a.account),
      ['acct@host'],
      'an account no node uses is not listed',
    );
  });

  it("publishes the board to the editor's sidebar at most once a second, retained", () => {
    clock = sinon.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0), toFake: ['Date', 'setTimeout'] });
    const published: Array<[topic: string, snapshot: ActivitySnapshot, retained: boolean]> = [];
    // The part of Node-RED's API the feed uses: an admin route, and the editor's comms.
    const RED = {
      httpAdmin: { get: () => undefined },
      auth: { needsPermission: () => () => undefined },
      comms: { publish: (...p: (typeof published)[number]) => published.push(p) },
    } as unknown as NodeAPI;
    const board = new Activity();
    activityFeed(RED, board);
    const feed = board.account('acct@host', 'rt');
    feed.senderStarted({}, new SendQueue({ concurrency: 1, limit: 1 }), () => 0);
    for (let i = 0; i < 100; i++) feed.receivedSms('poll', 1);
    clock.tick(0);
    assert.equal(published.length, 1);
    assert.deepEqual([published[0][0], published[0][1].accounts[0].received, published[0][2]], ['thingspace-sms/activity', { poll: 100, push: 0 }, true]);
    feed.receivedSms('push', 1);
    clock.tick(999);
    assert.equal(published.length, 1, 'not twice within a second');
    clock.tick(1);
    assert.deepEqual(published[1][1].accounts[0].received, { poll: 100, push: 1 });
    clock.tick(5000);
    assert.equal(published.length, 2, 'nothing changed: nothing published');
  });

  it('times history calls and counts a block acknowledged when its next comes back on a successful request', async () => {
    const metrics = loadMetrics();
    assert.equal(loadMetrics().registry, metrics.registry, 'made once: a second load finds them');
    const account = `unit-${Date.now()}@host`;
    const board = new Activity(metrics);
    const answers: Array<HistoryBlock | Error> = [
      { status: 202, hasMoreData: true, messages: new Array(3).fill({ deviceIds: [], message: 'x', timestamp: 't' }), next: 'n1' },
      new ThingSpaceError({ kind: 'server', message: 'down' }),
      { status: 200, hasMoreData: false, messages: [], next: undefined },
    ];
    const api = {
      accountName: 'a',
      history: async () => {
        const a = answers.shift()!;
        if (a instanceof Error) throw a;
        return a;
      },
    } as unknown as ThingSpaceApi;
    const feed = board.account(account, 'rt');
    feed.senderStarted({}, new SendQueue({ concurrency: 1, limit: 1 }), () => 0);
    const timed = timedHistory(api, feed);
    await timed.history();
    await assert.rejects(timed.history('n1'));
    await timed.history('n1');
    const text = await metrics.registry.metrics();
    const value = (name: string): string | undefined =>
      new RegExp(`^${name}\\{account="${account}",runtime="rt"(,outcome="\\w+")?\\} (\\S+)$`, 'm').exec(text)?.[2];
    assert.equal(value('thingspace_sms_acknowledged_total'), '3');
    assert.match(text, new RegExp(`thingspace_sms_history_requests_total\\{account="${account}",runtime="rt",outcome="error"\\} 1`));
    assert.match(text, new RegExp(`thingspace_sms_history_request_duration_seconds_count\\{account="${account}",runtime="rt",outcome="ok"\\} 2`));
    assert.equal(value('thingspace_sms_more_data_waiting'), '0');
    assert.ok(board.list()[0].lastSuccess! >= board.list()[0].lastPoll!);
  });
});

describe('operations settings (settings.js thingspaceSms)', () => {
  it('reads the paths, defaults the metrics on, and refuses what cannot be meant', () => {
    assert.deepEqual(readOperations(undefined), { metrics: true });
    assert.deepEqual(readOperations({ metricsPath: 'm/', healthPath: '/h' }), { metrics: true, metricsPath: '/m', healthPath: '/h' });
    assert.equal(readOperations({ metrics: false }).metrics, false);
    assert.throws(() => readOperations({ metrics: 'yes' }), /metrics must be true or false/);
    assert.throws(() => readOperations({ healthPath: '/a/:id' }), /healthPath must be a path/);
    assert.throws(() => readOperations({ metricsPath: '/x', healthPath: '/X/' }), /must differ/);
    assert.throws(() => readOperations('on'), /must be an object/);
  });
});
