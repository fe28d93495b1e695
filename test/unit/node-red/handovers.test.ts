import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { Handovers } from '../../../nodes/lib/node-red/handovers';

describe('node-red/handovers', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })));
  afterEach(() => clock.restore());

  it('gives what was parked under a key to the one who takes it, oldest first, once', () => {
    const h = new Handovers<string>(60_000);
    h.park('node:a', 'first');
    h.park('node:a', 'second');
    h.park('node:b', 'other');
    assert.deepEqual(h.take('node:a'), ['first', 'second']);
    assert.deepEqual(h.take('node:a'), []);
    assert.deepEqual(h.take('node:b'), ['other']);
  });

  it('gives back to `expired` what nobody took in time, each entry on its own clock', () => {
    const expired: string[] = [];
    const h = new Handovers<string>(60_000, (v, why) => expired.push(`${v}:${why}`));
    h.park('k', 'early');
    clock.tick(30_000);
    h.park('k', 'late');
    clock.tick(30_000);
    assert.deepEqual(expired, ['early:timeout']);
    assert.deepEqual(h.take('k'), ['late']);
    clock.tick(60_000);
    assert.deepEqual(expired, ['early:timeout'], 'what was taken never expires');
  });

  it("with the runtime's events, ends what nobody took when the flows start or stop outside a deploy", () => {
    const events = new EventEmitter();
    const ended: string[] = [];
    const h = new Handovers<string>(1000, (v, why) => ended.push(`${v}:${why}`), events);
    h.park('a', '1');
    h.park('b', '2');
    events.emit('flows:started');
    assert.deepEqual(ended.sort(), ['1:deploy', '2:deploy']);
    h.park('a', '3');
    events.emit('runtime-event', { id: 'runtime-state', payload: { state: 'stop', deploy: true } });
    assert.equal(ended.length, 2, 'not at a deploy');
    events.emit('runtime-event', { id: 'runtime-state', payload: { state: 'stop' } });
    assert.deepEqual(ended.slice(2), ['3:stop']);
    clock.tick(1000);
    assert.equal(ended.length, 3, 'nothing ends twice');
    assert.equal(events.listenerCount('flows:started'), 0);
  });
});
