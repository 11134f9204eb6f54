/**
 * Per-unit values read from a template of shape (T, C): polarity, peak channel and half
 * window (waveforms_curation §1.2). The pipeline feeds it the sorter's own template, never
 * the extracted waveforms, so the peak channel does not depend on sampling.
 */

/** One unit's template, time-major: `data[t * channels + c]`. */
export interface TemplateView {
  readonly data: ArrayLike<number>;
  readonly samples: number;
  readonly channels: number;
}

/**
 * Positive when the largest value reaches `posPeakThresh` × |smallest value|. All zeros is
 * positive (0 ≥ 0); any NaN makes the whole max/min NaN, so the unit is negative.
 */
export function isPositivePeak(tpl: TemplateView, posPeakThresh: number): boolean {
  let max = -Infinity;
  let min = Infinity;
  const n = tpl.samples * tpl.channels;
  for (let i = 0; i < n; i++) {
    const v = tpl.data[i];
    if (Number.isNaN(v)) return false;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (n === 0) return true;
  return max >= posPeakThresh * Math.abs(min);
}

/**
 * Positive units: channel with the largest per-channel maximum; negative units: channel
 * with the smallest per-channel minimum. First channel on ties; a NaN channel wins (as
 * NumPy's argmax/argmin report the first NaN).
 */
export function peakChannel(tpl: TemplateView, positive: boolean): number {
  let best = 0;
  let bestValue = positive ? -Infinity : Infinity;
  for (let c = 0; c < tpl.channels; c++) {
    let ext = positive ? -Infinity : Infinity;
    for (let t = 0; t < tpl.samples; t++) {
      const v = tpl.data[t * tpl.channels + c];
      if (Number.isNaN(v)) { ext = NaN; break; }
      if (positive ? v > ext : v < ext) ext = v;
    }
    if (Number.isNaN(ext)) return c;
    if (positive ? ext > bestValue : ext < bestValue) { best = c; bestValue = ext; }
  }
  return best;
}

/**
 * Half window on one channel's trace: distance from the trace's middle back to the last
 * sample under 1 % of the peak, × 0.75, truncated. No floor of 1 (the pipeline version;
 * the stand-alone helper in the reference floors at 1).
 */
export function halfWindow(trace: ArrayLike<number>): number {
  const T = trace.length;
  const mid = Math.trunc(T / 2);
  let peak = 0;
  for (let i = 0; i < T; i++) {
    const a = Math.abs(trace[i]);
    if (a > peak || Number.isNaN(a)) peak = a;
  }
  if (peak === 0) return 0;
  const limit = 0.01 * peak;
  let k = -1;
  for (let i = mid - 1; i >= 0; i--) {
    if (Math.abs(trace[i]) < limit) { k = i; break; }
  }
  const size = k >= 0 ? mid - k : mid;
  return Math.trunc(size * 0.75);
}

export function channelTrace(tpl: TemplateView, channel: number): Float64Array {
  const out = new Float64Array(tpl.samples);
  for (let t = 0; t < tpl.samples; t++) out[t] = tpl.data[t * tpl.channels + channel];
  return out;
}

export interface PeakInfo {
  readonly use_pos_peak: boolean;
  /** Channel index inside the template's channel set. */
  readonly chan_max_kilosort: number;
  /** `channel_map[chan_max_kilosort]`: index into the recording's channels. */
  readonly chan_max_all: number;
  readonly half_window: number;
}

export class ChannelMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelMapError';
  }
}

export function peakInfo(tpl: TemplateView, posPeakThresh: number, channelMap: ArrayLike<number> | null, numRecordingChannels: number): PeakInfo {
  const positive = isPositivePeak(tpl, posPeakThresh);
  const ks = peakChannel(tpl, positive);
  let all = ks;
  if (channelMap !== null) {
    if (ks >= channelMap.length) throw new ChannelMapError(`template channel ${ks} is past the channel map (${channelMap.length} entries)`);
    all = Number(channelMap[ks]);
  }
  if (!(all >= 0 && all < numRecordingChannels)) {
    throw new ChannelMapError(`peak channel ${all} (template channel ${ks}) is outside the recording's ${numRecordingChannels} channels`);
  }
  return { use_pos_peak: positive, chan_max_kilosort: ks, chan_max_all: all, half_window: halfWindow(channelTrace(tpl, ks)) };
}
