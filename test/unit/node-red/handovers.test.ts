import assert from 'node:assert/strict';
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
    const h = new Handovers<string>(60_000, (v) => expired.push(v));
    h.park('k', 'early');
    clock.tick(30_000);
    h.park('k', 'late');
    clock.tick(30_000);
    assert.deepEqual(expired, ['early']);
    assert.deepEqual(h.take('k'), ['late']);
    clock.tick(60_000);
    assert.deepEqual(expired, ['early'], 'what was taken never expires');
  });

  it('takes everything at once', () => {
    const expired: string[] = [];
    const h = new Handovers<string>(1000, (v) => expired.push(v));
    h.park('a', '1');
    h.park('b', '2');
    assert.deepEqual(h.takeAll().sort(), ['1', '2']);
    clock.tick(1000);
    assert.deepEqual(expired, []);
    assert.deepEqual(h.takeAll(), []);
  });
});
