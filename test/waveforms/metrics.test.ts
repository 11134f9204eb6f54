import { join } from 'node:path';
import { extractWaveforms } from '../../src/waveforms/extract';
import { medianInPlace } from '../../src/dsp/median';
import { EmptyRecordingError, estimateNoiseLevels, signalToNoise, unitMetrics } from '../../src/waveforms/metrics';
import { extractionWindow, type MetricsParams, type WaveformParams } from '../../src/waveforms/params';
import { buildUnitSet, selectUnits, trainMs } from '../../src/waveforms/unit-set';
import { readUnitSet, writeUnitSet } from '../../src/waveforms/unit-set-store';
import { createRng } from '../../src/util/rng';
import { arrayRecording, expectClose, tempDir } from './helpers';
import { synthSet, wideTemplate, type SyntheticUnit } from './synthetic';

const FS = 20000;
const C = 4;
const wfParams: WaveformParams = { ms_before: 2, ms_after: 2, pos_peak_thresh: 2, max_waveforms_per_unit: 300, save_waveform_files: true, random_seed: 1 };
const mParams: MetricsParams = { compiled_ms_before: 2, compiled_ms_after: 2, std_at_peak: true, std_over_window_ms_before: 0.5, std_over_window_ms_after: 1.5, scale_compiled_waveforms: true };
const NOISE = 1 / 0.6745;

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => { tmp = tempDir('metrics'); });
afterEach(() => tmp.cleanup());

describe('noise levels (§7 #8)', () => {
  test('whole-trace path with a warning: [1, 2, 3, 4, 100] → 1.4825797; [0, 0, 1, 1] → 0.7412898', async () => {
    const warnings: string[] = [];
    const a = await estimateNoiseLevels(arrayRecording(Float32Array.from([1, 2, 3, 4, 100]), 1, FS), { onWarning: (w) => warnings.push(w) });
    expectClose(a[0], 1.4825797);
    expect(warnings[0]).toMatch(/shorter than chunk_size/);
    const b = await estimateNoiseLevels(arrayRecording(Float32Array.from([0, 0, 1, 1]), 1, FS));
    expectClose(b[0], 0.7412898);
  });
  test('empty recording → error', async () => {
    await expect(estimateNoiseLevels(arrayRecording(new Float32Array(0), 2, FS))).rejects.toThrow(EmptyRecordingError);
    await expect(estimateNoiseLevels(arrayRecording(new Float32Array(0), 2, FS))).rejects.toThrow('Cannot estimate noise levels on an empty recording');
  });
  test('N = 200 000: deterministic; channel groups under a small budget give the same values', async () => {
    const r = createRng(9);
    const x = Float32Array.from({ length: 200_000 * 3 }, () => r.nextFloat() * 10 - 5);
    const rec = arrayRecording(x, 3, FS);
    const one = await estimateNoiseLevels(rec);
    const two = await estimateNoiseLevels(rec);
    expect(Array.from(two)).toEqual(Array.from(one));
    const grouped = await estimateNoiseLevels(rec, { max_buffer_bytes: 8 * 200_000 });
    expect(Array.from(grouped)).toEqual(Array.from(one));
    expect(rec.reads.filter((q) => q.end - q.start === 10_000).length).toBe(20 + 20 + 60);
  });
  test('median selection agrees with sorting', () => {
    const r = createRng(4);
    for (const n of [1, 2, 3, 10, 11, 1000, 1001]) {
      const v = Float64Array.from({ length: n }, () => Math.round(r.nextFloat() * 20));
      const s = Array.from(v).sort((a, b) => a - b);
      const expected = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      expect(medianInPlace(v)).toBe(expected);
    }
  });
});

describe('unit metrics', () => {
  const win = extractionWindow(2, 2, FS);

  test('SNR edges (§7 #9)', () => {
    expect(signalToNoise(100, [4], 0)).toBe(25);
    expect(signalToNoise(100, [0], 0)).toBe(0);
    expect(signalToNoise(100, [4], 3)).toBe(100);
  });

  test('per-channel std-norm (§7 #10): amplitudes [100, 20, 0], std at peaks [20, 5, 3] → [0.2, 0.25, +∞]', () => {
    const C3 = 3;
    const average = new Float32Array(81 * C3);
    const std = new Float32Array(81 * C3).fill(3);
    average[40 * C3 + 0] = -100;
    average[30 * C3 + 1] = 20;
    std[40 * C3 + 0] = 20;
    std[30 * C3 + 1] = 5;
    const m = unitMetrics({ average, std, channels: C3, chan_max: 0, noise_levels: [4, 4, 4], window: win, fs: FS }, mParams);
    expect(Array.from(m.peak_inds)).toEqual([40, 30, 0]);
    expect(Array.from(m.amplitudes)).toEqual([100, 20, 0]);
    expectClose(m.std_norms_all[0], 0.2);
    expectClose(m.std_norms_all[1], 0.25);
    expect(m.std_norms_all[2]).toBe(Infinity);
    expectClose(m.std_norm, 0.2);
    expect(m.amplitude).toBe(100);
    expect(m.snr).toBe(25);
  });

  test('compiled window 1/1 ms (§7 #11): a −150 outside the window is ignored', () => {
    const average = new Float32Array(81);
    average[10] = -150;
    average[45] = -60;
    const m = unitMetrics({ average, std: new Float32Array(81), channels: 1, chan_max: 0, noise_levels: [1], window: win, fs: FS }, { ...mParams, compiled_ms_before: 1, compiled_ms_after: 1 });
    expect(m.template_windowed).toHaveLength(41);
    expect(m.amplitude).toBe(60);
    expect(m.peak_inds[0]).toBe(25);
  });

  test('std_at_peak = false (§7 #12): window mean of a constant std 4, amplitude 80 → 0.05; clipped at the edges', () => {
    const average = new Float32Array(81);
    average[40] = -80;
    const std = new Float32Array(81).fill(4);
    const m = unitMetrics({ average, std, channels: 1, chan_max: 0, noise_levels: [1], window: win, fs: FS }, { ...mParams, std_at_peak: false });
    expectClose(m.std_norm, 0.05);
    // peak at row 2: window [2 − 10, 2 + 31) clipped to [0, 33)
    const avg2 = new Float32Array(81);
    avg2[2] = -10;
    const std2 = new Float32Array(81);
    for (let t = 0; t < 81; t++) std2[t] = t;
    const m2 = unitMetrics({ average: avg2, std: std2, channels: 1, chan_max: 0, noise_levels: [1], window: win, fs: FS }, { ...mParams, std_at_peak: false });
    expectClose(m2.std_norm, 16 / 10); // mean of 0..32 = 16
  });
});

describe('UnitSet from an extraction (§7 #7)', () => {
  const negUnit: SyntheticUnit = { id: 3, times: Array.from({ length: 40 }, (_, i) => 500 + i * 200), amplitudes: [-90, -110], channels: { 0: 1, 1: 0.5 }, storedShift: 3 };
  const posUnit: SyntheticUnit = { id: 0, times: Array.from({ length: 40 }, (_, i) => 600 + i * 200), amplitudes: [50], channels: { 2: 1 } };

  async function build(metrics: MetricsParams = mParams) {
    const { rec, sorting } = synthSet(10000, C, FS, [negUnit, posUnit], (u) => wideTemplate(C, u === negUnit ? 0 : 2, u === negUnit ? -1 : 1));
    const wf = await extractWaveforms(rec, sorting, wfParams, join(tmp.dir, 'waveforms'));
    const noise = await estimateNoiseLevels(rec);
    return buildUnitSet(rec, wf, metrics, { noise_levels: noise, sorter_name: 'kilosort2' });
  }

  test('negative unit: amplitude 100, std_norm 0.1, noise 1.4825797, SNR 67.45; positive unit: std_norm 0, SNR 33.725', async () => {
    const set = await build();
    expectClose(set.noise_levels[0], NOISE);
    const neg = set.units.find((u) => u.unit_id === 3)!;
    expectClose(neg.amplitude, 100);
    expectClose(neg.std_norm, 0.1);
    expectClose(neg.snr, 67.45);
    expect(neg.has_pos_peak).toBe(false);
    expect(neg.template[40]).toBeCloseTo(-100, 4);
    expect(neg).toMatchObject({ channel: 0, channel_id: '0', x: 0, y: 0, electrode: 0, template_peak_ind: 40, _waveforms_window: [0, 81] });
    expect(neg.template_full).toHaveLength(81 * C);
    expect(neg.template_windowed).toHaveLength(81 * C);
    const pos = set.units.find((u) => u.unit_id === 0)!;
    expect(pos.std_norm).toBe(0);
    expectClose(pos.snr, 33.725);
    expect(pos.has_pos_peak).toBe(true);
    expect(pos).toMatchObject({ channel: 2, x: 20, y: 35 });
  });

  test('metadata, length fix and ms trains (§2.7)', async () => {
    const set = await build();
    expect(set.metadata).toMatchObject({ source_file: '/tmp/test-recording.raw.h5', source_format: 'Kilosort2', fs_Hz: FS, n_samples: 10000 });
    expect(set.length_ms).toBe(500);
    expect(trainMs(set.units[0], FS)[0]).toBe(25);
    expect(selectUnits(set, [0]).units.map((u) => u.unit_id)).toEqual([0]);
  });

  test('stores and reloads exactly', async () => {
    const set = await build({ ...mParams, compiled_ms_before: 1, compiled_ms_after: 1 });
    writeUnitSet(set, join(tmp.dir, 'unit_set'));
    const back = readUnitSet(join(tmp.dir, 'unit_set'));
    expect(back.units.map((u) => u._waveforms_window)).toEqual([[20, 61], [20, 61]]);
    expect(back.compiled_window).toEqual(set.compiled_window);
    expect(back.metadata).toEqual(set.metadata);
    expect(Array.from(back.noise_levels)).toEqual(Array.from(set.noise_levels));
    back.units.forEach((u, i) => {
      const o = set.units[i];
      for (const k of ['unit_id', 'channel', 'channel_id', 'x', 'y', 'electrode', 'amplitude', 'snr', 'std_norm', 'has_pos_peak', 'template_peak_ind', '_waveforms_path'] as const) expect(u[k]).toEqual(o[k]);
      for (const k of ['template', 'template_full', 'template_windowed', 'amplitudes', 'peak_inds', 'std_norms_all', 'spike_train_samples'] as const) expect(Array.from(u[k])).toEqual(Array.from(o[k]));
    });
  });
});
