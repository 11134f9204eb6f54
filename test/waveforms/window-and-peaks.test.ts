import { compiledWindow, extractionWindow, msToSamples, WaveformWindowError } from '../../src/waveforms/params';
import { halfWindow, isPositivePeak, peakChannel, peakInfo, type TemplateView } from '../../src/waveforms/peak-channel';

/** Template (T × C) zero except the given (sample, channel, value) entries. */
function tpl(T: number, C: number, entries: readonly [number, number, number][]): TemplateView {
  const data = new Float32Array(T * C);
  for (const [t, c, v] of entries) data[t * C + c] = v;
  return { data, samples: T, channels: C };
}

describe('window arithmetic (§7 #1, #11)', () => {
  test('20 kHz → 40/41/81/40 and 30 kHz → 60/61/121/60', () => {
    expect(extractionWindow(2, 2, 20000)).toEqual({ nbefore: 40, nafter: 41, nsamples: 81, peak_ind: 40 });
    expect(extractionWindow(2, 2, 30000)).toEqual({ nbefore: 60, nafter: 61, nsamples: 121, peak_ind: 60 });
  });
  test('ms→samples truncates', () => {
    expect(msToSamples(0.5, 32000)).toBe(16);
    expect(msToSamples(1.5, 20000) + 1).toBe(31);
    expect(msToSamples(0.99, 1000)).toBe(0);
  });
  test('compiled 1/1 ms → rows [20, 61)', () => {
    const w = extractionWindow(2, 2, 20000);
    expect(compiledWindow({ compiled_ms_before: 1, compiled_ms_after: 1 }, w, 20000)).toEqual({ nb_c: 20, na_c: 21, start: 20, end: 61 });
    expect(compiledWindow({ compiled_ms_before: 2, compiled_ms_after: 2 }, w, 20000)).toEqual({ nb_c: 40, na_c: 41, start: 0, end: 81 });
  });
  test('a compiled window wider than the extraction window is refused (quirk fix)', () => {
    const w = extractionWindow(2, 2, 20000);
    expect(() => compiledWindow({ compiled_ms_before: 3, compiled_ms_after: 1 }, w, 20000)).toThrow(WaveformWindowError);
    expect(() => compiledWindow({ compiled_ms_before: 1, compiled_ms_after: 2.5 }, w, 20000)).toThrow(WaveformWindowError);
  });
});

describe('polarity and peak channel (§7 #2, pipeline §6 #27)', () => {
  test('min −10 on ch1, max +20 on ch3, thresh 2 → positive, chan 3 (20 ≥ 20)', () => {
    const t = tpl(10, 4, [[3, 1, -10], [5, 3, 20]]);
    expect(isPositivePeak(t, 2)).toBe(true);
    expect(peakChannel(t, true)).toBe(3);
  });
  test('max 19.9 → negative, chan 1', () => {
    const t = tpl(10, 4, [[3, 1, -10], [5, 3, 19.9]]);
    expect(isPositivePeak(t, 2)).toBe(false);
    expect(peakChannel(t, false)).toBe(1);
  });
  test('all zeros → positive; NaN → negative', () => {
    expect(isPositivePeak(tpl(5, 2, []), 2)).toBe(true);
    expect(isPositivePeak(tpl(5, 2, [[1, 1, NaN], [2, 0, 50]]), 2)).toBe(false);
  });
  test('pipeline #27: min −10 on ch 2, max 15 on ch 0 → negative ch 2; max 25 → positive ch 0; mapped through channel_map', () => {
    const neg = tpl(20, 3, [[8, 2, -10], [12, 0, 15]]);
    expect(peakInfo(neg, 2, null, 3)).toMatchObject({ use_pos_peak: false, chan_max_kilosort: 2, chan_max_all: 2 });
    const pos = tpl(20, 3, [[8, 2, -10], [12, 0, 25]]);
    expect(peakInfo(pos, 2, null, 3)).toMatchObject({ use_pos_peak: true, chan_max_kilosort: 0, chan_max_all: 0 });
    expect(peakInfo(neg, 2, [3, 4, 7], 8)).toMatchObject({ chan_max_kilosort: 2, chan_max_all: 7 });
  });
  test('channel_map [0, 2, 5]: KS chan 2 → recording chan 5', () => {
    const t = tpl(10, 3, [[4, 2, -30]]);
    expect(peakInfo(t, 2, [0, 2, 5], 6)).toMatchObject({ chan_max_kilosort: 2, chan_max_all: 5 });
  });
  test('ties → first channel', () => {
    const t = tpl(10, 3, [[4, 1, -30], [6, 2, -30]]);
    expect(peakChannel(t, false)).toBe(1);
  });
});

describe('half window (§7 #3)', () => {
  test('82 samples, non-zero 32..50 with peak 1.0 at 41 → hw 7', () => {
    const trace = new Float64Array(82);
    for (let i = 32; i <= 50; i++) trace[i] = 0.5;
    trace[41] = 1.0;
    expect(halfWindow(trace)).toBe(7);
  });
  test('all zeros → 0; no sub-threshold sample before mid → trunc(41 × 0.75) = 30', () => {
    expect(halfWindow(new Float64Array(82))).toBe(0);
    const full = new Float64Array(82).fill(0.5);
    full[41] = 1;
    expect(halfWindow(full)).toBe(30);
  });
  test('no floor of 1 in the pipeline version (size 1 → 0)', () => {
    const trace = new Float64Array(82);
    trace[41] = 1;
    trace[40] = 0.5; // index 39 is the last sub-1 % sample → size 2 → trunc(1.5) = 1
    expect(halfWindow(trace)).toBe(1);
    const single = new Float64Array(82);
    single[41] = -1; // RT-Sort synthetic template: index 40 → size 1 → 0
    expect(halfWindow(single)).toBe(0);
  });
});
