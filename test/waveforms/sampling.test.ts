import { sampleSpikeIndices } from '../../src/waveforms/sampling';
import { createRng, deriveSeed, rngFromState, sampleWithoutReplacement } from '../../src/util/rng';

const bounds = { nbefore: 40, nafter: 41, num_frames: 1_000_000 };

describe('spike sampling (§7 #4)', () => {
  test('1000 spikes → 300 distinct ascending indices, deterministic per (seed, unit)', () => {
    const train = Array.from({ length: 1000 }, (_, i) => 100 + i * 500);
    const a = sampleSpikeIndices(train, 300, 1, 7, bounds);
    expect(a).toHaveLength(300);
    expect(new Set(a).size).toBe(300);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(sampleSpikeIndices(train, 300, 1, 7, bounds)).toEqual(a);
    expect(sampleSpikeIndices(train, 300, 2, 7, bounds)).not.toEqual(a);
    expect(sampleSpikeIndices(train, 300, 1, 8, bounds)).not.toEqual(a);
  });
  test('250 spikes → all 250; edge spikes dropped → 248', () => {
    const train = Array.from({ length: 250 }, (_, i) => 1000 + i * 100);
    expect(sampleSpikeIndices(train, 300, 1, 0, bounds)).toEqual(train.map((_, i) => i));
    const N = 100_000;
    const edgy = [10, ...Array.from({ length: 248 }, (_, i) => 1000 + i * 100), N - 41];
    const kept = sampleSpikeIndices(edgy, 300, 1, 0, { ...bounds, num_frames: N });
    expect(kept).toHaveLength(248);
    expect(kept[0]).toBe(1);
    expect(kept[kept.length - 1]).toBe(248);
  });
  test('max_waveforms_per_unit null → every index, none dropped', () => {
    expect(sampleSpikeIndices([5, 10, 999_990], null, 1, 0, bounds)).toEqual([0, 1, 2]);
  });
});

describe('rng', () => {
  test('same seed → same stream; state round trip', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    const c = rngFromState(a.state());
    expect(c.nextFloat()).toBe(a.nextFloat());
  });
  test('nextInt is in range and roughly uniform', () => {
    const r = createRng(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.nextInt(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const v = r.nextInt(2 ** 40);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(2 ** 40);
    }
  });
  test('sampleWithoutReplacement covers everything when k = n', () => {
    expect(sampleWithoutReplacement(createRng(1), 50, 50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => sampleWithoutReplacement(createRng(1), 5, 6)).toThrow(RangeError);
  });
  test('deriveSeed separates streams', () => {
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
    expect(deriveSeed(1, 5)).toBe(deriveSeed(1, 5));
  });
});
