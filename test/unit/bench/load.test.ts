import assert from 'node:assert/strict';
import { holdsCell, judgeLoad } from '../../../bench/load';
import { formatTable, type Row } from '../../../bench/table';

describe('bench/load: judging targets only on a machine that was quiet at the start', () => {
  it('judges when the 1-minute load average is at or below the number of cores', () => {
    assert.deepEqual(judgeLoad(0, 2), { judged: true });
    assert.deepEqual(judgeLoad(1.99, 2), { judged: true });
    assert.deepEqual(judgeLoad(2, 2), { judged: true }, 'equal to the cores: every core busy, nothing waiting');
  });

  it('withholds the verdicts above the number of cores, and says why in a line', () => {
    const v = judgeLoad(2.01, 2);
    assert.equal(v.judged, false);
    assert.match(v.note ?? '', /load average was 2\.01 at the start, above the 2 cores/);
    assert.match(v.note ?? '', /n\/a \(load\)/);
    assert.equal(judgeLoad(9, 8).judged, false);
    assert.equal(judgeLoad(9, 16).judged, true);
  });

  it('judges when the load average cannot be read (e.g. 0 cores reported, NaN)', () => {
    assert.equal(judgeLoad(Number.NaN, 2).judged, true);
    assert.equal(judgeLoad(5, 0).judged, true);
  });

  it('prints yes/NO/n/a when judged, n/a (load) for every row otherwise', () => {
    assert.equal(holdsCell(true, true), 'yes');
    assert.equal(holdsCell(false, true), 'NO');
    assert.equal(holdsCell(undefined, true), 'n/a');
    for (const h of [true, false, undefined]) assert.equal(holdsCell(h, false), 'n/a (load)');
  });

  it('puts the verdict into the table', () => {
    const rows: Row[] = [
      { id: 'P1', what: 'a', measured: 'm', ratio: '1.01', target: '<= 1.05', holds: true, spread: 'median of 3: 1.01, spread 1.00-1.02' },
      { id: 'P2', what: 'b', measured: 'm', ratio: '0.60', target: '>= 0.70', holds: false },
    ];
    const judged = formatTable(rows);
    assert.match(judged, /\| P1 .*\| median of 3: 1\.01, spread 1\.00-1\.02 \|.*\| yes +\|/);
    assert.match(judged, /\| P2 .*\| - +\|.*\| NO +\|/);
    const loaded = formatTable(rows, false);
    assert.equal(loaded.match(/n\/a \(load\)/g)?.length, 2);
    assert.doesNotMatch(loaded, /\| (yes|NO) +\|$/m);
  });
});
