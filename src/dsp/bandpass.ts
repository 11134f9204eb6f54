/**
 * The pipeline's only filter (pipeline spec §3.4): a lazy zero-phase Butterworth band-pass.
 * Each request is filtered on its own, with a margin of real data on each side (cut short
 * at the recording's ends, never padded with zeros) that is discarded afterwards, so any
 * chunking of the recording gives (nearly) the same samples as filtering it whole.
 */
import { InvalidRecordingError } from '../errors';
import { checkFrameRange } from '../io/frame_range';
import { DerivedRecording, type Recording, checkChannelIndices } from '../io/recording';
import { butterBandpassSos } from './butterworth';
import { type FilterInput, filtfiltBlock } from './filtfilt_frames';
import { type ZeroPhaseFilter, zeroPhaseFilter } from './sosfilt';

export interface BandpassOptions {
  /** Butterworth order (poles of the low-pass prototype); default 5. */
  order?: number;
  /** Margin each side; default 5 periods of freq_min (5000 / freq_min ms, SpikeInterface 0.104). */
  margin_ms?: number;
}

/** SpikeInterface's low-cut guard: below this the margins would need to be enormous. */
export const MIN_FREQ_MIN_HZ = 100;
/** Butterworth order of the pipeline's band-pass (spec §3.4). */
export const BANDPASS_ORDER = 5;

/** Margin in frames: trunc(margin_ms · fs / 1000). */
export function bandpassMarginFrames(freqMin: number, fs: number, marginMs?: number): number {
  return Math.trunc(((marginMs ?? 5000 / freqMin) * fs) / 1000);
}

/**
 * Everything that decides a band-passed sample besides the input: the filter and the
 * margins. The lazy recording and the parallel writer (src/preprocess) both filter through
 * it, so their samples are the same to the bit.
 */
export interface BandpassPlan {
  readonly filter: ZeroPhaseFilter;
  readonly margin_frames: number;
  readonly num_frames: number;
}

/** Validates the band and the recording's length and designs the filter (spec §3.4). */
export function planBandpass(rec: Recording, freq_min: number, freq_max: number, opts: BandpassOptions = {}): BandpassPlan {
  const fs = rec.sampling_frequency;
  if (!(freq_min >= MIN_FREQ_MIN_HZ)) {
    throw new RangeError(`freq_min = ${freq_min} Hz is below the ${MIN_FREQ_MIN_HZ} Hz minimum of the band-pass filter`);
  }
  if (!(freq_max < fs / 2)) {
    throw new RangeError(`freq_max = ${freq_max} Hz must be below the Nyquist frequency ${fs / 2} Hz (fs = ${fs} Hz)`);
  }
  if (!(freq_min < freq_max)) throw new RangeError(`freq_min = ${freq_min} Hz must be below freq_max = ${freq_max} Hz`);
  const margin = bandpassMarginFrames(freq_min, fs, opts.margin_ms);
  if (!(margin >= 0)) throw new RangeError(`margin_ms must be ≥ 0, got ${opts.margin_ms}`);
  const filter = zeroPhaseFilter(butterBandpassSos(opts.order ?? BANDPASS_ORDER, freq_min, freq_max, fs));
  if (rec.num_frames <= filter.padlen) {
    throw new InvalidRecordingError(
      `${rec.source_path}: ${rec.num_frames} frames is too short to band-pass filter (needs more than ${filter.padlen})`,
      { path: rec.source_path, field: 'num_frames', expected: `> ${filter.padlen} frames` },
    );
  }
  return { filter, margin_frames: margin, num_frames: rec.num_frames };
}

/** The source frames [start, end) that a request for [startFrame, endFrame) filters (its margins, cut short at the ends). */
export function bandpassWindow(plan: BandpassPlan, startFrame: number, endFrame: number): { start: number; end: number } {
  let start = Math.max(0, startFrame - plan.margin_frames);
  let end = Math.min(plan.num_frames, endFrame + plan.margin_frames);
  // The odd-extension padding needs more than padlen samples; a tiny request with tiny
  // margins borrows a little more real data (the recording is known to be long enough).
  while (end - start <= plan.filter.padlen) {
    start = Math.max(0, start - 1);
    end = Math.min(plan.num_frames, end + 1);
  }
  return { start, end };
}

/**
 * The source block `[start, end)` of `rec` in the cheapest layout it offers: stored integers
 * (half the bytes, scaled by the kernel), else channel-major µV, else frame-major µV. The
 * filter gives the same output for any of them. `into`: a block stored samples may be read
 * into (see Recording.getStoredChannelMajor).
 */
export function readFilterInput(rec: Recording, start: number, end: number, channels?: readonly number[], into?: ArrayBuffer): FilterInput {
  if (rec.getStoredChannelMajor !== undefined) {
    const { samples, gain, offset } = rec.getStoredChannelMajor(start, end, channels, into);
    return { layout: 'stored', data: samples, gain, offset };
  }
  if (rec.getTracesChannelMajor !== undefined) return { layout: 'channels', data: rec.getTracesChannelMajor(start, end, channels) };
  return { layout: 'frames', data: rec.getTraces(start, end, channels) };
}

/**
 * Filters frames [startFrame, endFrame) given the source block `input` (`nch` channels)
 * over bandpassWindow's range, into float32 or the sorter's int16 (frame-major).
 */
export function filterWindow(plan: BandpassPlan, input: FilterInput, nch: number, startFrame: number, endFrame: number, out: Float32Array | Int16Array): void {
  const { start } = bandpassWindow(plan, startFrame, endFrame);
  filtfiltBlock(plan.filter, input, nch, startFrame - start, endFrame - startFrame, out);
}

export function bandpassRecording(rec: Recording, freq_min: number, freq_max: number, opts: BandpassOptions = {}): Recording {
  return new BandpassRecording(rec, planBandpass(rec, freq_min, freq_max, opts));
}

class BandpassRecording extends DerivedRecording {
  readonly num_frames: number;
  readonly margin_frames: number;

  constructor(parent: Recording, private readonly plan: BandpassPlan) {
    super(parent);
    this.num_frames = parent.num_frames;
    this.margin_frames = plan.margin_frames;
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    // Each channel filters independently: a selection filters only the requested ones.
    if (channels !== undefined) checkChannelIndices(this, channels);
    const nch = channels?.length ?? this.num_channels;
    const out = new Float32Array((endFrame - startFrame) * nch);
    if (endFrame === startFrame || nch === 0) return out;
    const { start, end } = bandpassWindow(this.plan, startFrame, endFrame);
    filterWindow(this.plan, readFilterInput(this.parent, start, end, channels), nch, startFrame, endFrame, out);
    return out;
  }
}
