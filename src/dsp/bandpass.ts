/**
 * The pipeline's only filter (pipeline spec §3.4): a lazy zero-phase Butterworth band-pass.
 * Each request is filtered on its own, with a margin of real data on each side (cut short
 * at the recording's ends, never padded with zeros) that is discarded afterwards, so any
 * chunking of the recording gives (nearly) the same samples as filtering it whole.
 */
import { InvalidRecordingError } from '../errors';
import { checkFrameRange } from '../io/frame_range';
import { DerivedRecording } from '../io/recording';
import type { Recording } from '../io/recording';
import { butterBandpassSos } from './butterworth';
import { type ZeroPhaseFilter, sosfiltfilt, zeroPhaseFilter } from './sosfilt';

export interface BandpassOptions {
  /** Butterworth order (poles of the low-pass prototype); default 5. */
  order?: number;
  /** Margin each side; default 5 periods of freq_min (5000 / freq_min ms, SpikeInterface 0.104). */
  margin_ms?: number;
}

/** SpikeInterface's low-cut guard: below this the margins would need to be enormous. */
const MIN_FREQ_MIN_HZ = 100;

/** Margin in frames: trunc(margin_ms · fs / 1000). */
export function bandpassMarginFrames(freqMin: number, fs: number, marginMs?: number): number {
  return Math.trunc(((marginMs ?? 5000 / freqMin) * fs) / 1000);
}

export function bandpassRecording(rec: Recording, freq_min: number, freq_max: number, opts: BandpassOptions = {}): Recording {
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
  const filter = zeroPhaseFilter(butterBandpassSos(opts.order ?? 5, freq_min, freq_max, fs));
  if (rec.num_frames <= filter.padlen) {
    throw new InvalidRecordingError(
      `${rec.source_path}: ${rec.num_frames} frames is too short to band-pass filter (needs more than ${filter.padlen})`,
      { path: rec.source_path, field: 'num_frames', expected: `> ${filter.padlen} frames` },
    );
  }
  return new BandpassRecording(rec, filter, margin);
}

/** Frames per transpose block: a block of every channel stays in cache (512 ch × 128 × 4 B = 256 KB). */
const TRANSPOSE_BLOCK = 128;

class BandpassRecording extends DerivedRecording {
  readonly num_frames: number;

  constructor(parent: Recording, private readonly filter: ZeroPhaseFilter, readonly margin_frames: number) {
    super(parent);
    this.num_frames = parent.num_frames;
  }

  getTraces(startFrame: number, endFrame: number): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    const nch = this.num_channels;
    const out = new Float32Array((endFrame - startFrame) * nch);
    if (endFrame === startFrame) return out;
    let s0 = Math.max(0, startFrame - this.margin_frames);
    let e0 = Math.min(this.num_frames, endFrame + this.margin_frames);
    // The odd-extension padding needs more than padlen samples; a tiny request with tiny
    // margins borrows a little more real data (the recording is known to be long enough).
    while (e0 - s0 <= this.filter.padlen) {
      s0 = Math.max(0, s0 - 1);
      e0 = Math.min(this.num_frames, e0 + 1);
    }
    const raw = this.parent.getTraces(s0, e0);
    const n = e0 - s0;
    // Filtering runs down each channel, but traces are frame-major: transpose once, in
    // cache-sized blocks, instead of striding through the whole chunk for every channel.
    // Float32 columns: sosfiltfilt then builds its edge extension in float32, as SciPy does.
    const columns = new Float32Array(n * nch);
    for (let f0 = 0; f0 < n; f0 += TRANSPOSE_BLOCK) {
      const f1 = Math.min(n, f0 + TRANSPOSE_BLOCK);
      for (let c = 0; c < nch; c++) {
        const base = c * n;
        for (let f = f0; f < f1; f++) columns[base + f] = raw[f * nch + c];
      }
    }
    const keep = startFrame - s0;
    const len = endFrame - startFrame;
    const filtered = new Float32Array(len * nch);
    for (let c = 0; c < nch; c++) {
      const y = sosfiltfilt(this.filter, columns.subarray(c * n, (c + 1) * n));
      filtered.set(y.subarray(keep, keep + len), c * len);
    }
    for (let f0 = 0; f0 < len; f0 += TRANSPOSE_BLOCK) {
      const f1 = Math.min(len, f0 + TRANSPOSE_BLOCK);
      for (let c = 0; c < nch; c++) {
        const base = c * len;
        for (let f = f0; f < f1; f++) out[f * nch + c] = filtered[base + f];
      }
    }
    return out;
  }
}
