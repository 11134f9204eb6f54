/**
 * What a recording file holds and hints about its data quality, from a few short windows
 * spread over it (never the whole file): flat channels, channels at the ADC / dtype rails,
 * NaN / inf samples, and the noisiest channels. Plain functions over a Recording, so the
 * CLI, reports and tests share them.
 */
import { BANDPASS_ORDER } from '../dsp/bandpass';
import { butterBandpassSos } from '../dsp/butterworth';
import { type ZeroPhaseFilter, zeroPhaseFilter } from '../dsp/sosfilt';
import { medianInPlace } from '../dsp/median';
import { type ChannelScaling, type ChannelWindowStats, type Rails, windowStats } from './inspect_stats';
import { openForInspect } from './inspect_source';
import type { OpenRecordingOptions } from './open';
import type { FrameGap, Recording, SourceInfo } from './recording';

export interface InspectOptions {
  /** Seconds read in total, in windows of at most `window_s` spread evenly; default 5. */
  sample_s?: number;
  /** Longest single window; default 1 s. */
  window_s?: number;
  /** Band of the noise estimate; default 300–6000 Hz (the pipeline's band), capped below Nyquist. */
  noise_band_hz?: readonly [number, number];
  /** Fraction of samples at a rail from which a channel counts as saturated; default 0.001. */
  saturated_fraction?: number;
  /** How many of the noisiest channels to list; default 5. */
  n_noisiest?: number;
}

export const INSPECT_DEFAULTS = { sample_s: 5, window_s: 1, noise_band_hz: [300, 6000], saturated_fraction: 0.001, n_noisiest: 5 } as const;

export type ChannelFlag = 'flat' | 'saturated' | 'non_finite';

export interface ChannelReport {
  readonly index: number;
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly electrode: number | null;
  /** Largest std of the raw µV over the windows (flat ⇔ small in every window). */
  readonly std_uv: number | null;
  /** Median over the windows of the robust noise level; null when not computable. */
  readonly noise_uv: number | null;
  readonly saturated_fraction: number | null;
  readonly non_finite: number;
  readonly flags: readonly ChannelFlag[];
}

/** A per-channel scale factor as the report shows it: one value, or a range. */
export interface ScalingSummary {
  readonly min: number;
  readonly max: number;
  readonly uniform: boolean;
}

export interface InspectHints {
  /** Channel ids, in channel order. */
  readonly flat: readonly string[];
  readonly flat_rule: string;
  readonly saturated: readonly { channel_id: string; fraction: number }[];
  readonly saturated_rule: string | null;
  readonly non_finite: readonly { channel_id: string; count: number }[];
  readonly noisiest: readonly { channel_id: string; noise_uv: number; ratio_to_median: number | null }[];
  readonly median_noise_uv: number | null;
  readonly noise_method: string;
  /** Checks that could not run, and why. */
  readonly notes: readonly string[];
}

export interface InspectReport {
  readonly path: string;
  readonly format: string;
  readonly source_info_from: 'reader' | 'inspect';
  readonly streams: readonly string[];
  readonly stream_id: string | null;
  readonly stream_note: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
  readonly num_channels: number;
  readonly sampling_frequency: number;
  readonly num_frames: number;
  readonly duration_s: number;
  readonly dtype: string;
  readonly gain_to_uv: ScalingSummary | null;
  readonly offset_to_uv: ScalingSummary | null;
  readonly frame_gaps: readonly FrameGap[];
  readonly frame_gaps_checked: boolean;
  readonly rails: Rails | null;
  readonly sample: { readonly windows: readonly WindowPlan[]; readonly seconds: number; readonly fraction_of_recording: number };
  readonly channels: readonly ChannelReport[];
  readonly hints: InspectHints;
}

export interface WindowPlan {
  readonly start_frame: number;
  readonly end_frame: number;
}

const INTEGER_LIMITS: Readonly<Record<string, readonly [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint32: [0, 4294967295], int32: [-2147483648, 2147483647],
};

/**
 * MaxOne / MaxTwo digitise with a 10-bit ADC (spec §3.3's 3.3 V / 1024 levels) and store the
 * codes as uint16, so a clipped Maxwell channel sits at 0 or 1023, never at 65535.
 */
const MAXWELL_ADC_HIGH = 1023;

/** Flat for float sources: below any real amplifier's noise by orders of magnitude. */
const FLOAT_FLAT_STD_UV = 1e-3;

export function railsFor(info: Pick<SourceInfo, 'format' | 'dtype'>): Rails | null {
  if (info.format === 'maxwell' && info.dtype === 'uint16') return { low: 0, high: MAXWELL_ADC_HIGH, basis: 'Maxwell 10-bit ADC codes stored as uint16' };
  const limits = INTEGER_LIMITS[info.dtype];
  return limits === undefined ? null : { low: limits[0], high: limits[1], basis: `${info.dtype} limits` };
}

/**
 * Up to ceil(sample_s / window_s) windows of equal length, first at the start, last at the
 * end, evenly spaced between; fewer (down to one) when the recording is too short for them.
 */
export function planWindows(numFrames: number, fs: number, sampleS: number, windowS: number): WindowPlan[] {
  if (!(sampleS > 0) || !(windowS > 0)) throw new RangeError(`sample_s and window_s must be > 0, got ${sampleS} and ${windowS}`);
  if (numFrames <= 0) return [];
  let count = Math.max(1, Math.ceil(sampleS / windowS - 1e-9));
  const len = Math.max(1, Math.min(numFrames, Math.round((sampleS / count) * fs)));
  count = Math.max(1, Math.min(count, Math.floor(numFrames / len)));
  if (count === 1) {
    const start = Math.floor((numFrames - len) / 2);
    return [{ start_frame: start, end_frame: start + len }];
  }
  const step = (numFrames - len) / (count - 1);
  return Array.from({ length: count }, (_, i) => {
    const start = Math.round(i * step);
    return { start_frame: start, end_frame: start + len };
  });
}

function summarize(values: readonly number[]): ScalingSummary | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, uniform: min === max };
}

/** One value per channel, or null when the source reports something else (then rails are not checked). */
function perChannel(values: readonly number[], n: number): readonly number[] | null {
  if (values.length === n) return values;
  if (values.length === 1) return new Array<number>(n).fill(values[0]);
  return null;
}

function noiseFilter(fs: number, band: readonly [number, number]): { filter: ZeroPhaseFilter | null; method: string } {
  const lo = band[0];
  // Keep the high corner clear of Nyquist, where the design would be ill-conditioned.
  const hi = Math.min(band[1], 0.45 * fs);
  const robust = 'MAD / 0.6745 (robust σ)';
  if (!(lo > 0 && hi > lo)) return { filter: null, method: `${robust} of the raw µV window samples (fs ${fs} Hz is too low for a ${lo} Hz band-pass), median over windows` };
  return {
    filter: zeroPhaseFilter(butterBandpassSos(BANDPASS_ORDER, lo, hi, fs)),
    method: `${robust} of the ${lo}–${hi} Hz band-passed window samples (Butterworth order ${BANDPASS_ORDER}, zero-phase), median over windows`,
  };
}

/** Reads the planned windows of `rec` (one at a time) and derives the report. */
export function inspectRecording(rec: Recording, info: SourceInfo, opts: InspectOptions = {}, extra: { source_info_from?: 'reader' | 'inspect'; stream_note?: string | null } = {}): InspectReport {
  const o = { ...INSPECT_DEFAULTS, ...opts };
  const nch = rec.num_channels;
  const fs = rec.sampling_frequency;
  const notes: string[] = [];
  const gains = perChannel(info.gain_to_uv, nch);
  const offsets = perChannel(info.offset_to_uv, nch);
  let rails = railsFor(info);
  if (rails !== null && (gains === null || offsets === null)) {
    notes.push(`saturation not checked: the reader reports ${info.gain_to_uv.length} gains / ${info.offset_to_uv.length} offsets for ${nch} channels`);
    rails = null;
  } else if (rails === null) {
    notes.push(info.dtype === 'unknown'
      ? 'saturation not checked: the reader does not report the stored sample type'
      : `saturation not checked: ${info.dtype} samples have no fixed rails`);
  }
  const scaling: ChannelScaling[] | null = gains !== null && offsets !== null ? gains.map((g, c) => ({ gain: g, offset: offsets[c] })) : null;
  const integerSource = INTEGER_LIMITS[info.dtype] !== undefined && scaling !== null;
  const flatLimit = (c: number): number => (integerSource && scaling !== null ? 0.5 * Math.abs(scaling[c].gain) : FLOAT_FLAT_STD_UV);
  const { filter, method } = noiseFilter(fs, o.noise_band_hz);

  const windows = planWindows(rec.num_frames, fs, o.sample_s, o.window_s);
  const perWindow: ChannelWindowStats[][] = [];
  for (const w of windows) perWindow.push(windowStats(rec.getTraces(w.start_frame, w.end_frame), nch, scaling, rails, filter));

  const channels: ChannelReport[] = [];
  for (let c = 0; c < nch; c++) {
    const stats = perWindow.map((ws) => ws[c]);
    const samples = stats.reduce((s, x) => s + x.samples, 0);
    const nonFinite = stats.reduce((s, x) => s + x.non_finite, 0);
    const atRail = stats.reduce((s, x) => s + x.at_rail, 0);
    const stds = stats.map((x) => x.std_uv);
    const flat = stds.length > 0 && stds.every((s) => s <= flatLimit(c));
    const noises = Float64Array.from(stats.map((x) => x.noise_uv).filter((v) => Number.isFinite(v)));
    const saturatedFraction = rails !== null && samples > 0 ? atRail / samples : null;
    const flags: ChannelFlag[] = [];
    if (flat) flags.push('flat');
    if (saturatedFraction !== null && saturatedFraction >= o.saturated_fraction) flags.push('saturated');
    if (nonFinite > 0) flags.push('non_finite');
    const [x, y] = rec.locations[c];
    channels.push({
      index: c, id: rec.channel_ids[c], x, y, electrode: rec.electrodes?.[c] ?? null,
      std_uv: stds.some((s) => Number.isNaN(s)) || stds.length === 0 ? null : Math.max(...stds),
      noise_uv: noises.length > 0 ? medianInPlace(noises) : null,
      saturated_fraction: saturatedFraction,
      non_finite: nonFinite,
      flags,
    });
  }

  const withNoise = channels.filter((ch): ch is ChannelReport & { noise_uv: number } => ch.noise_uv !== null);
  const medianNoise = withNoise.length > 0 ? medianInPlace(Float64Array.from(withNoise, (ch) => ch.noise_uv)) : null;
  const noisiest = [...withNoise].sort((a, b) => b.noise_uv - a.noise_uv || a.index - b.index).slice(0, o.n_noisiest).map((ch) => ({
    channel_id: ch.id, noise_uv: ch.noise_uv, ratio_to_median: medianNoise !== null && medianNoise > 0 ? ch.noise_uv / medianNoise : null,
  }));
  const sampledFrames = windows.reduce((s, w) => s + w.end_frame - w.start_frame, 0);
  return {
    path: rec.source_path,
    format: info.format,
    source_info_from: extra.source_info_from ?? 'reader',
    streams: info.streams,
    stream_id: info.stream_id,
    stream_note: extra.stream_note ?? null,
    details: info.details,
    num_channels: nch,
    sampling_frequency: fs,
    num_frames: rec.num_frames,
    duration_s: rec.num_frames / fs,
    dtype: info.dtype,
    gain_to_uv: summarize(info.gain_to_uv),
    offset_to_uv: summarize(info.offset_to_uv),
    frame_gaps: info.frame_gaps,
    // A reader says it could not look for gaps either explicitly, or (Maxwell) by finding no frame numbers.
    frame_gaps_checked: info.details.frame_gaps_checked !== false && info.details.frame_numbers !== null,
    rails,
    sample: { windows, seconds: sampledFrames / fs, fraction_of_recording: rec.num_frames > 0 ? sampledFrames / rec.num_frames : 0 },
    channels,
    hints: {
      flat: channels.filter((ch) => ch.flags.includes('flat')).map((ch) => ch.id),
      flat_rule: integerSource
        ? 'std of the µV samples below half a quantisation step (0.5 × gain) in every window'
        : `std of the µV samples below ${FLOAT_FLAT_STD_UV} µV in every window`,
      saturated: channels.filter((ch) => ch.flags.includes('saturated')).map((ch) => ({ channel_id: ch.id, fraction: ch.saturated_fraction ?? 0 })),
      saturated_rule: rails === null ? null
        : `≥ ${o.saturated_fraction * 100} % of the samples at the rails ${rails.low} / ${rails.high} (${rails.basis}), raw = (µV − offset) / gain`,
      non_finite: channels.filter((ch) => ch.non_finite > 0).map((ch) => ({ channel_id: ch.id, count: ch.non_finite })),
      noisiest,
      median_noise_uv: medianNoise,
      noise_method: method,
      notes,
    },
  };
}

/** Opens `path` (first stream when several and none chosen), inspects it, closes it. */
export async function inspectFile(path: string, open: OpenRecordingOptions = {}, opts: InspectOptions = {}): Promise<InspectReport> {
  const target = await openForInspect(path, open);
  try {
    return inspectRecording(target.recording, target.source_info, opts, { source_info_from: target.source_info_from, stream_note: target.stream_note });
  } finally {
    target.recording.close();
  }
}
