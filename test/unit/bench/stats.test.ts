import assert from 'node:assert/strict';
import { describeSpread, median, spread } from '../../../bench/stats';

describe('bench/stats: medians and spreads of rounds', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.ok(Number.isNaN(median([])));
  });

  it("does not reorder the caller's array", () => {
    const xs = [3, 1, 2];
    median(xs);
    assert.deepEqual(xs, [3, 1, 2]);
  });

  it('describes the median with the lowest and highest round', () => {
    const s = spread([0.73, 0.69, 0.71]);
    assert.deepEqual(s, { n: 3, median: 0.71, min: 0.69, max: 0.73 });
    assert.equal(
      describeSpread(s, (x) => x.toFixed(2)),
      'median of 3: 0.71, spread 0.69-0.73',
    );
    assert.equal(
      describeSpread(spread([0.7]), (x) => x.toFixed(2)),
      '1 round: 0.70',
    );
  });
});
