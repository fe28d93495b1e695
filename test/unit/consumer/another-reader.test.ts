// Without coordination, the consumer cannot stop a second reader of the same queue, but it
// can notice one: the server refusing a `next` it gave us, or serving again the block that
// `next` acknowledged. The node reports either once (ANOTHER_READER).
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { HistoryBlock, ThingSpaceApi } from '../../../nodes/lib/client/api';
import { QueueConsumer } from '../../../nodes/lib/consumer/queue-consumer';
import { FakeThingSpace } from './fake-api';
import { range, sms } from '../../support/consumer-records';

const UNEXPECTED = 'UnifiedWebService.REQUEST_FAILED.UnexpectedError';

describe('consumer: signs of another reader on the same queue', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] })));
  afterEach(() => clock.restore());

  function run(api: ThingSpaceApi): { consumer: QueueConsumer; signs: string[] } {
    const consumer = new QueueConsumer({
      api,
      intervalMs: 0,
      ackMode: 'auto',
      ackTimeoutMs: 1000,
      dedupe: true,
      backoff: { initialMs: 100, maxMs: 100, random: () => 0.5 },
    });
    const signs: string[] = [];
    consumer.on('suspect', (s) => signs.push(s));
    consumer.on('error', () => undefined);
    return { consumer, signs };
  }

  it('says so when the server refuses a next token it gave us as unexpected', async () => {
    const api = new FakeThingSpace();
    api.enqueue(...range(0, 150).map((n) => sms(n)));
    const { consumer, signs } = run(api);
    consumer.once('block', () => api.failNext({ kind: 'api', status: 400, errorCode: UNEXPECTED, message: 'The next token is not valid.' }));
    await consumer.start();
    consumer.poll();
    await clock.tickAsync(1000);
    assert.deepEqual(signs, ['next-refused']);
    await consumer.stop();
  });

  describe('a next refused after our own request carrying it lost its answer (staleNext refuse)', () => {
    /** 250 SMS; the request carrying block 1's next is served (block 1 acknowledged), then `lost`. */
    async function lostThenRefused(
      lost: Parameters<FakeThingSpace['loseNextAnswer']>[0],
    ): Promise<{ api: FakeThingSpace; consumer: QueueConsumer; signs: string[]; errors: string[]; at: number[] }> {
      const api = new FakeThingSpace({ staleNext: 'refuse' });
      api.enqueue(...range(0, 250).map((n) => sms(n)));
      const { consumer, signs } = run(api);
      const errors: string[] = [];
      consumer.on('error', (e) => errors.push(e.code));
      const at: number[] = [];
      const history = api.history.bind(api);
      api.history = (next, opts) => {
        at.push(Date.now());
        return history(next, opts);
      };
      consumer.once('block', () => api.loseNextAnswer(lost));
      await consumer.start();
      consumer.poll();
      await clock.tickAsync(1000);
      return { api, consumer, signs, errors, at };
    }

    for (const [what, lost] of [
      ['a reset after the request was written', { kind: 'network', message: 'socket hang up', requestSent: true }],
      ['a timeout after the request was written', { kind: 'timeout', message: 'no answer within 30 s', requestSent: true }],
      ['a 504 from a gateway', { kind: 'server', status: 504, message: 'gateway timeout' }],
    ] as const) {
      it(`after ${what}: reads again at once without it, no sign of another reader, nothing lost`, async () => {
        const { api, consumer, signs, errors, at } = await lostThenRefused(lost);
        assert.deepEqual(api.calls.slice(0, 4), [undefined, 'token-1', 'token-1', undefined]);
        assert.deepEqual(signs, []);
        assert.equal(errors.length, 1, `one error, for the lost answer: ${errors.join(', ')}`);
        assert.equal(at[3] - at[2], 0, 'no backoff between the refusal and the read without next');
        assert.equal(api.queued, 0);
        assert.equal(api.acknowledged, 250);
        await consumer.stop();
      });
    }

    it("a request that never left (connection refused) explains nothing: the refusal is another reader's", async () => {
      const api = new FakeThingSpace();
      api.enqueue(...range(0, 150).map((n) => sms(n)));
      const { consumer, signs } = run(api);
      consumer.once('block', () => {
        api.failNext({ kind: 'network', message: 'connect ECONNREFUSED', requestSent: false });
        api.failNext({ kind: 'api', status: 400, errorCode: UNEXPECTED, message: 'The next token was used already.' });
      });
      await consumer.start();
      consumer.poll();
      await clock.tickAsync(1000);
      assert.deepEqual(signs, ['next-refused']);
      assert.deepEqual(api.calls.slice(0, 3), [undefined, 'token-1', 'token-1']);
      await consumer.stop();
    });

    it('the explanation is spent once: a later refusal of a next we were given says another reader again', async () => {
      const { api, consumer, signs } = await lostThenRefused({ kind: 'network', message: 'socket hang up', requestSent: true });
      assert.deepEqual(signs, []);
      api.enqueue(...range(250, 400).map((n) => sms(n)));
      consumer.once('block', () => api.failNext({ kind: 'api', status: 400, errorCode: UNEXPECTED, message: 'The next token is not valid.' }));
      consumer.poll();
      await clock.tickAsync(1000);
      assert.deepEqual(signs, ['next-refused']);
      await consumer.stop();
    });
  });

  it('says nothing when a request without next fails the same way', async () => {
    const api = new FakeThingSpace();
    api.failNext({ kind: 'api', status: 400, errorCode: UNEXPECTED, message: 'Unexpected.' });
    const { consumer, signs } = run(api);
    await consumer.start();
    consumer.poll();
    await clock.tickAsync(1000);
    assert.deepEqual(signs, []);
    await consumer.stop();
  });

  it('says so when the block its next acknowledged is served again', async () => {
    // A server where someone else read (and took no notice of our acknowledgement): the
    // request carrying block 1's next gets block 1 again.
    const block: HistoryBlock = { status: 202, hasMoreData: true, messages: [sms(1), sms(2)], next: 't1' };
    let calls = 0;
    const api = {
      accountName: '0000123456-00001',
      credentialsRejected: undefined,
      history: () => Promise.resolve(++calls < 3 ? block : { status: 200, hasMoreData: false, messages: [] }),
    } as unknown as ThingSpaceApi;
    const { consumer, signs } = run(api);
    await consumer.start();
    consumer.poll();
    await clock.tickAsync(1000);
    assert.deepEqual(signs, ['acknowledged-again']);
    await consumer.stop();
  });

  it('says nothing on an ordinary drain', async () => {
    const api = new FakeThingSpace({ finalBlock: 'redeliver' });
    api.enqueue(...range(0, 250).map((n) => sms(n)));
    const { consumer, signs } = run(api);
    await consumer.start();
    consumer.poll();
    await clock.tickAsync(1000);
    consumer.poll(); // the final block, served again: no next acknowledged it
    await clock.tickAsync(1000);
    assert.deepEqual(signs, []);
    await consumer.stop();
  });
});
