/**
 * One unit of the streaming extraction (waveforms_curation §1.5): sample, read the windows
 * around the kept spikes, recentre each spike on its peak, cut the waveforms, and reduce
 * them to the mean / std templates. Memory: one (spikes × nsamples × C) buffer plus one
 * read block.
 */
import type { Recording } from '../io/recording';
import type { ExtractionWindow } from './params';
import type { PeakInfo } from './peak-channel';
import { planReads } from './read-plan';
import { cutWaveform, recentreOffset } from './recentre';
import { sampleSpikeIndices } from './sampling';
import { meanAndStd } from './template-stats';

/** Upper bound for one batched read, in bytes of float32 traces. */
const MAX_BLOCK_BYTES = 32 * 1024 * 1024;

export interface UnitExtraction {
  readonly sampled_index: number[];
  readonly waveform_rows: number[];
  /** The train with each row's spike moved to its recentred frame. */
  readonly spike_train: Float64Array;
  /** (waveform_rows.length × nsamples × C) float32. */
  readonly waveforms: Float32Array;
  readonly average: Float32Array;
  readonly std: Float32Array;
}

export interface UnitExtractionInput {
  readonly unitId: number;
  readonly train: ArrayLike<number>;
  readonly peak: PeakInfo;
  readonly window: ExtractionWindow;
  readonly maxWaveformsPerUnit: number | null;
  readonly seed: number;
}

export function extractUnit(rec: Recording, input: UnitExtractionInput): UnitExtraction {
  const { train, peak, window: win } = input;
  const N = rec.num_frames;
  const C = rec.num_channels;
  const L = win.nsamples * C;
  const sampled = sampleSpikeIndices(train, input.maxWaveformsPerUnit, input.seed, input.unitId, { nbefore: win.nbefore, nafter: win.nafter, num_frames: N });

  const hw = peak.half_window;
  const before = Math.max(win.nbefore, hw);
  const after = Math.max(win.nafter, hw);
  const kept = sampled.filter((i) => train[i] - before >= 0 && train[i] + after <= N);

  const spikeTrain = Float64Array.from({ length: train.length }, (_, i) => Number(train[i]));
  const waveforms = new Float32Array(kept.length * L);

  // Reads go in time order (a train should be ascending, but nothing breaks if it is not);
  // rows stay in sampled order so row r ↔ kept[r].
  const byTime = kept.map((idx, row) => ({ idx, row, t: Number(train[idx]) })).sort((a, b) => a.t - b.t);
  const maxBlockFrames = Math.max(before + after, Math.floor(MAX_BLOCK_BYTES / (4 * Math.max(1, C))));
  const groups = planReads(byTime.map((s) => s.t), { before, after, maxGapFrames: win.nsamples, maxBlockFrames });
  for (const g of groups) {
    const data = rec.getTraces(g.start, g.end);
    const block = { data, start: g.start, frames: g.end - g.start, channels: C };
    for (const m of g.members) {
      const s = byTime[m];
      const tc = s.t + recentreOffset(block, s.t, hw, peak.chan_max_all, peak.use_pos_peak);
      cutWaveform(block, tc, win.nbefore, win.nafter, s.t - before, s.t + after, waveforms, s.row * L);
      spikeTrain[s.idx] = tc;
    }
  }
  const { average, std } = meanAndStd(waveforms, kept.length, L);
  return { sampled_index: sampled, waveform_rows: kept, spike_train: spikeTrain, waveforms, average, std };
}
