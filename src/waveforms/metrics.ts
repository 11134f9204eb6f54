/**
 * Per-unit template metrics (waveforms_curation §2.2–§2.4): windowed template, per-channel
 * peaks and amplitudes, SNR and std-norm. Pure functions of the templates, the noise
 * levels and the peak channel, so they can be checked against an independent NumPy
 * computation.
 */
import { compiledWindow, msToSamples, type CompiledWindow, type ExtractionWindow, type MetricsParams } from './params';

export { estimateNoiseLevels, noiseChunkStarts, EmptyRecordingError, type NoiseOptions } from './noise';

/** Rows [win.start, win.end) of a (nsamples × C) template: `template_windowed`. */
export function windowTemplate(template: Float32Array, channels: number, win: CompiledWindow): Float32Array {
  return template.slice(win.start * channels, win.end * channels);
}

/** Per channel: first argmax over time of |x|, and |x| there. */
export function channelPeaks(windowed: Float32Array, channels: number): { peak_inds: Int32Array; amplitudes: Float32Array } {
  const rows = windowed.length / channels;
  const peak_inds = new Int32Array(channels);
  const amplitudes = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let best = -1;
    let bestAbs = -Infinity;
    for (let t = 0; t < rows; t++) {
      const a = Math.abs(windowed[t * channels + c]);
      // NaN: NumPy's argmax reports the first NaN; mirror it so NaN is not silently skipped.
      if (Number.isNaN(a)) { best = t; bestAbs = NaN; break; }
      if (a > bestAbs) { best = t; bestAbs = a; }
    }
    peak_inds[c] = Math.max(0, best);
    amplitudes[c] = rows === 0 ? 0 : bestAbs;
  }
  return { peak_inds, amplitudes };
}

/** amplitude / noise at the peak channel; noise 1.0 when the channel has no noise entry, SNR 0 when noise ≤ 0. */
export function signalToNoise(amplitude: number, noiseLevels: ArrayLike<number>, chanMax: number): number {
  const noise = chanMax < noiseLevels.length ? noiseLevels[chanMax] : 1.0;
  return noise > 0 ? amplitude / noise : 0.0;
}

/**
 * std template value per channel at that channel's peak (std_at_peak), or the mean of
 * the std rows [p − nb, p + na) clipped to the template. The reference's clipped-window
 * variant raises a type error (per-channel array bounds); this is the intended behaviour.
 */
export function stdAtPeaks(
  std: Float32Array,
  channels: number,
  nsamples: number,
  peakInds: Int32Array,
  pib: number,
  params: Pick<MetricsParams, 'std_at_peak' | 'std_over_window_ms_before' | 'std_over_window_ms_after'>,
  fs: number,
): Float64Array {
  const out = new Float64Array(channels);
  const nb = msToSamples(params.std_over_window_ms_before, fs);
  const na = msToSamples(params.std_over_window_ms_after, fs) + 1;
  for (let c = 0; c < channels; c++) {
    const p = pib + peakInds[c];
    if (params.std_at_peak) {
      out[c] = std[p * channels + c];
      continue;
    }
    const lo = Math.max(0, p - nb);
    const hi = Math.min(nsamples, p + na);
    let sum = 0;
    for (let t = lo; t < hi; t++) sum += std[t * channels + c];
    out[c] = hi > lo ? sum / (hi - lo) : NaN;
  }
  return out;
}

/** std / amplitude per channel; +∞ where the amplitude is 0. */
export function stdNorms(stds: Float64Array, amplitudes: Float32Array): Float32Array {
  const out = new Float32Array(amplitudes.length);
  for (let c = 0; c < amplitudes.length; c++) out[c] = amplitudes[c] > 0 ? stds[c] / amplitudes[c] : Infinity;
  return out;
}

export interface UnitMetrics {
  readonly template_windowed: Float32Array;
  readonly peak_inds: Int32Array;
  readonly amplitudes: Float32Array;
  readonly amplitude: number;
  readonly snr: number;
  readonly std_norms_all: Float32Array;
  readonly std_norm: number;
}

export interface UnitMetricsInput {
  /** (nsamples × C) mean and std templates. */
  readonly average: Float32Array;
  readonly std: Float32Array;
  readonly channels: number;
  readonly chan_max: number;
  readonly noise_levels: ArrayLike<number>;
  readonly window: ExtractionWindow;
  readonly fs: number;
}

export function unitMetrics(input: UnitMetricsInput, params: MetricsParams): UnitMetrics {
  const { average, std, channels: C, chan_max, window: win, fs } = input;
  const cw = compiledWindow(params, win, fs);
  const template_windowed = windowTemplate(average, C, cw);
  const { peak_inds, amplitudes } = channelPeaks(template_windowed, C);
  const amplitude = amplitudes[chan_max];
  const stds = stdAtPeaks(std, C, win.nsamples, peak_inds, cw.start, params, fs);
  const std_norms_all = stdNorms(stds, amplitudes);
  return {
    template_windowed,
    peak_inds,
    amplitudes,
    amplitude,
    snr: signalToNoise(amplitude, input.noise_levels, chan_max),
    std_norms_all,
    std_norm: std_norms_all[chan_max],
  };
}
