import assert from 'node:assert/strict';
import { DedupeWindow, type DedupeData } from '../../../nodes/lib/consumer/memory';

const HOUR = 3_600_000;

describe('consumer/memory: DedupeWindow', () => {
  it('knows a key once it was remembered, and not before', () => {
    const w = new DedupeWindow({ maxEntries: 10, maxAgeMs: HOUR });
    assert.equal(w.has('a', 0), false);
    assert.equal(w.remember('a', 0), true);
    assert.equal(w.has('a', 1), true);
    assert.equal(w.remember('a', 2), false, 'a second remember is a no-op');
    assert.equal(w.size, 1);
  });

  it('forgets the oldest key when it holds maxEntries', () => {
    const w = new DedupeWindow({ maxEntries: 3, maxAgeMs: HOUR });
    for (const k of ['a', 'b', 'c', 'd']) w.remember(k, 0);
    assert.equal(w.size, 3);
    assert.equal(w.has('a', 0), false);
    assert.deepEqual(
      ['b', 'c', 'd'].map((k) => w.has(k, 0)),
      [true, true, true],
    );
  });

  it('forgets keys older than maxAgeMs, even before the window is full', () => {
    const w = new DedupeWindow({ maxEntries: 100, maxAgeMs: 1000 });
    w.remember('old', 0);
    w.remember('new', 900);
    assert.equal(w.has('old', 1001), false, 'too old to count');
    w.remember('newest', 1500);
    assert.equal(w.size, 2, 'the expired entry was dropped');
    assert.equal(w.has('new', 1500), true);
  });

  it('stays consistent through many wraps of its capacity', () => {
    const w = new DedupeWindow({ maxEntries: 7, maxAgeMs: HOUR });
    for (let i = 0; i < 1000; i++) {
      w.remember(`k${i}`, i);
      assert.equal(w.has(`k${i}`, i), true);
      if (i >= 7) assert.equal(w.has(`k${i - 7}`, i), false);
    }
    assert.equal(w.size, 7, 'the window never grows past its capacity');
  });

  it('lets a key remembered again after expiry survive the eviction of its old slot', () => {
    const w = new DedupeWindow({ maxEntries: 3, maxAgeMs: 100 });
    w.remember('x', 0);
    w.remember('y', 50);
    // 'x' expired at 101: remembered again in a new slot; evicting the old slot must not drop it.
    w.remember('x', 120);
    w.remember('z', 130);
    w.remember('w', 140);
    assert.equal(w.has('x', 140), true);
  });

  it('persists as plain JSON that a new window rebuilds its index from', () => {
    const w = new DedupeWindow({ maxEntries: 4, maxAgeMs: HOUR });
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) w.remember(k, 10);
    const copy = JSON.parse(JSON.stringify(w)) as DedupeData;
    const again = new DedupeWindow({ maxEntries: 4, maxAgeMs: HOUR }, copy);
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => again.has(k, 11)),
      [false, false, true, true, true, true],
    );
    again.remember('g', 12);
    assert.equal(again.has('c', 12), false, 'the restored order of age is kept');
  });

  it('takes over a window handed over in memory (a redeploy without a context store)', () => {
    const w = new DedupeWindow({ maxEntries: 4, maxAgeMs: HOUR });
    w.remember('a', 0);
    const again = new DedupeWindow({ maxEntries: 4, maxAgeMs: HOUR }, w);
    assert.equal(again.has('a', 1), true);
  });

  it('keeps the newest entries when loaded with a smaller capacity', () => {
    const w = new DedupeWindow({ maxEntries: 5, maxAgeMs: HOUR });
    for (const k of ['a', 'b', 'c', 'd', 'e']) w.remember(k, 0);
    const small = new DedupeWindow({ maxEntries: 2, maxAgeMs: HOUR }, JSON.parse(JSON.stringify(w)));
    assert.deepEqual(
      ['c', 'd', 'e'].map((k) => small.has(k, 0)),
      [false, true, true],
    );
  });

  it('starts empty from a saved value that is not a window', () => {
    // The last two are windows saved by earlier versions (keys of another hash or form).
    const v2 = { v: 2, entries: [['0123456789abcdef', 0]] };
    for (const bad of [null, 42, 'x', { v: 3 }, { v: 3, entries: [['a', 'b']] }, v2, { v: 1, cap: 2, keys: ['a', 'b'], times: [0, 0], head: 0, size: 2 }]) {
      const w = new DedupeWindow({ maxEntries: 3, maxAgeMs: HOUR }, bad);
      assert.equal(w.size, 0);
    }
  });

  // A small window (full all the time) and a larger one, reloaded half-way.
  const shapes = [
    { name: 'capacity 37', cap: 37, keys: 120, maxAge: 400, reloadAt: -1 },
    { name: 'capacity 1,500, reloaded', cap: 1500, keys: 4000, maxAge: 9000, reloadAt: 10_000 },
  ];
  for (const shape of shapes) {
    {
      const keyOf = (n: number): string => `k${n}`;
      it(`answers as a plain list would, through 20,000 random remembers and expiries (${shape.name})`, () => {
        // The reference: a list of [key, time], oldest first, cut to maxEntries and maxAgeMs.
        const { cap, maxAge } = shape;
        let w = new DedupeWindow({ maxEntries: cap, maxAgeMs: maxAge });
        let model: Array<[string, number]> = [];
        let seed = 7;
        const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
        let now = 0;
        for (let step = 0; step < 20_000; step++) {
          if (step === shape.reloadAt) w = new DedupeWindow({ maxEntries: cap, maxAgeMs: maxAge }, JSON.parse(JSON.stringify(w)));
          now += rand(10);
          const key = keyOf(rand(shape.keys));
          model = model.filter(([, t]) => now - t <= maxAge);
          const known = model.some(([k]) => k === key);
          assert.equal(w.remember(key, now), !known, `remember ${key} at step ${step}`);
          if (!known) {
            model.push([key, now]);
            if (model.length > cap) model.shift();
          }
          const probe = keyOf(rand(shape.keys));
          assert.equal(
            w.has(probe, now),
            model.some(([k]) => k === probe),
            `has ${probe} at step ${step}`,
          );
        }
        assert.equal(w.size, model.length);
      });
    }
  }
});
