import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachChunk } from '../../src/dsp/chunks';
import { type GroundTruth, computeAccuracy, countMatches, readGroundTruth } from '../../src/io/ground_truth';
import { openMaxwell } from '../../src/io/maxwell';
import { SYNTHETIC_DC_OFFSET, writeSyntheticMaxOne } from '../../src/io/synthetic';
import { makeTempDir } from './python';

const UV_PER_BIT = 6.3;

describe('writeSyntheticMaxOne', () => {
  const tmp = makeTempDir('synthetic');
  afterAll(() => tmp.cleanup());
  const path = join(tmp.dir, 'a.raw.h5');
  let gt: GroundTruth;
  beforeAll(async () => {
    gt = await writeSyntheticMaxOne(path, { num_channels: 16, duration_s: 8, n_units: 6, seed: 5 });
  });

  it('writes the ground truth beside the file, matching the returned value', () => {
    expect(existsSync(`${path}.ground_truth.json`)).toBe(true);
    expect(readGroundTruth(path)).toEqual(gt);
    expect(gt.sampling_frequency).toBe(20000);
    expect(gt.num_frames).toBe(160000);
    expect(gt.units).toHaveLength(6);
    for (const u of gt.units) {
      expect(u.amplitude_uv).toBeGreaterThanOrEqual(80);
      expect(u.amplitude_uv).toBeLessThanOrEqual(220);
      expect(u.spike_frames.length).toBeGreaterThan(0);
      // 2 ms refractory period (40 frames at 20 kHz, ±1 frame of rounding).
      for (let i = 1; i < u.spike_frames.length; i++) expect(u.spike_frames[i] - u.spike_frames[i - 1]).toBeGreaterThanOrEqual(39);
    }
  });

  it('is deterministic from the seed', async () => {
    const again = join(tmp.dir, 'again.raw.h5');
    const other = join(tmp.dir, 'other.raw.h5');
    expect(await writeSyntheticMaxOne(again, { num_channels: 16, duration_s: 8, n_units: 6, seed: 5 })).toEqual(gt);
    const gtOther = await writeSyntheticMaxOne(other, { num_channels: 16, duration_s: 8, n_units: 6, seed: 6 });
    expect(gtOther.units[0].spike_frames).not.toEqual(gt.units[0].spike_frames);
    const [a, b] = [await openMaxwell(path, {}), await openMaxwell(again, {})];
    expect(b.getTraces(0, 40000)).toEqual(a.getTraces(0, 40000));
    a.close();
    b.close();
  });

  it('puts each unit\'s negative peak (≈ amplitude_uv) on its peak channel at the spike frames', async () => {
    const rec = await openMaxwell(path, {});
    try {
      for (const u of gt.units) {
        expect(rec.channel_ids[u.peak_channel_index]).toBe(u.channel_id);
        let sum = 0;
        for (const f of u.spike_frames) sum += rec.getTraces(f, f + 1)[u.peak_channel_index] - SYNTHETIC_DC_OFFSET * UV_PER_BIT;
        const mean = sum / u.spike_frames.length;
        // Overlapping units and noise shift single spikes; the average stays within 15 %.
        expect(mean).toBeLessThan(-0.85 * u.amplitude_uv);
        expect(mean).toBeGreaterThan(-1.15 * u.amplitude_uv);
      }
    } finally {
      rec.close();
    }
  });

  it('spikes: false gives pure noise with the requested RMS', async () => {
    const noise = join(tmp.dir, 'noise.raw.h5');
    const g = await writeSyntheticMaxOne(noise, { num_channels: 4, duration_s: 2, spikes: false, noise_uv: 8, seed: 1 });
    expect(g.units).toEqual([]);
    const rec = await openMaxwell(noise, {});
    const t = rec.getTraces(0, rec.num_frames);
    let ss = 0;
    for (const v of t) ss += (v - SYNTHETIC_DC_OFFSET * UV_PER_BIT) ** 2;
    const rms = Math.sqrt(ss / t.length);
    // 8 µV noise plus 6.3 µV quantisation steps (≈ 1.8 µV RMS).
    expect(rms).toBeGreaterThan(7.5);
    expect(rms).toBeLessThan(9.5);
    rec.close();
  });

  it('60 s × 32 channels: generated and read back in chunks within the time budget', async () => {
    const big = join(tmp.dir, 'big.raw.h5');
    const t0 = performance.now();
    await writeSyntheticMaxOne(big, { seed: 3 }); // defaults: 32 ch, 60 s, 20 kHz, 8 units
    const t1 = performance.now();
    const rec = await openMaxwell(big, {});
    let frames = 0;
    await forEachChunk(rec, {}, (traces, s, e) => { frames += e - s; expect(traces.length).toBe((e - s) * 32); });
    rec.close();
    const t2 = performance.now();
    expect(frames).toBe(1_200_000);
    expect(readFileSync(big).length).toBeGreaterThan(1_200_000 * 32 * 2);
    process.stdout.write(`[synthetic] 32 ch × 60 s: generate+write ${((t1 - t0) / 1000).toFixed(2)} s, read ${((t2 - t1) / 1000).toFixed(2)} s\n`);
    expect(t2 - t0).toBeLessThan(20000);
  }, 30000);
});

describe('computeAccuracy', () => {
  const gt: GroundTruth = {
    sampling_frequency: 20000, num_frames: 100000, num_channels: 1,
    units: [
      { unit_id: 0, peak_channel_index: 0, channel_id: '0', x: 0, y: 0, amplitude_uv: 100, firing_rate_hz: 5, spike_frames: [100, 500, 900, 1300] },
      { unit_id: 1, peak_channel_index: 0, channel_id: '0', x: 0, y: 0, amplitude_uv: 100, firing_rate_hz: 5, spike_frames: [2000, 4000] },
    ],
  };

  it('counts one-to-one matches within the tolerance', () => {
    expect(countMatches([10, 20, 30], [11, 12, 29], 2)).toBe(2);
    expect(countMatches([], [1], 5)).toBe(0);
  });

  it('scores perfect, jittered, partial and missing sortings', () => {
    // Tolerance 0.4 ms = 8 frames at 20 kHz.
    const perfect = computeAccuracy(gt, [{ spike_frames: [2000, 4000] }, { spike_frames: [100, 500, 900, 1300] }], 20000);
    expect(perfect.per_unit.map((u) => [u.accuracy, u.best_sorted_index])).toEqual([[1, 1], [1, 0]]);
    expect(perfect.n_well_detected).toBe(2);
    expect(perfect.tolerance_frames).toBeCloseTo(8, 12);

    const jitter = computeAccuracy(gt, [{ spike_frames: [107, 493, 905, 1301] }], 20000);
    expect(jitter.per_unit[0].accuracy).toBe(1);
    expect(computeAccuracy(gt, [{ spike_frames: [109, 509, 909, 1309] }], 20000).per_unit[0].accuracy).toBe(0);

    // 2 of 4 found plus 2 false positives: 2 / (4 + 4 − 2).
    const partial = computeAccuracy(gt, [{ spike_frames: [100, 500, 3000, 3500] }], 20000);
    expect(partial.per_unit[0].accuracy).toBeCloseTo(1 / 3, 12);
    expect(partial.per_unit[1]).toMatchObject({ accuracy: 0, best_sorted_index: null });
    expect(partial.n_well_detected).toBe(0);
    expect(partial.mean_accuracy).toBeCloseTo(1 / 6, 12);
  });
});

describe('synthetic unit placement', () => {
  it('spreads units along the strip, two rows (35 µm) apart or more, so a sorter can separate them', async () => {
    const { dir } = makeTempDir('placement');
    const gt = await writeSyntheticMaxOne(join(dir, 'p.raw.h5'), { num_channels: 32, duration_s: 1, n_units: 8, seed: 3 });
    const ys = gt.units.map((u) => u.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i] - ys[i - 1]).toBeGreaterThan(35 - 8.01);
  });
});
