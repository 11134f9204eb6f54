/**
 * What extraction produces, in memory and (via `store.ts`) on disk.
 */
import type { ExtractionWindow } from './params';

/** Scalars of one unit; also the per-unit checkpoint record (`units/<id>.json`). */
export interface UnitWaveformRecord {
  readonly unit_id: number;
  readonly use_pos_peak: boolean;
  readonly chan_max_kilosort: number;
  readonly chan_max_all: number;
  readonly half_window: number;
  /** false: the sorter had no template for this id; it was averaged from the recording. */
  readonly template_from_sorter: boolean;
  readonly n_spikes: number;
  readonly n_waveforms: number;
  readonly has_waveform_file: boolean;
}

export interface UnitWaveforms extends UnitWaveformRecord {
  /** Train indices chosen by sampling (§1.4), as in `sampled_index_<id>.npy`. */
  readonly sampled_index: readonly number[];
  /** Train index of each row of the waveform file / each spike in the templates. */
  readonly waveform_rows: readonly number[];
  /** The unit's whole train in stored order; spikes in `waveform_rows` hold their recentred frame. */
  readonly spike_train: Float64Array;
  /** `waveforms_<id>.npy`, or null when not written (no spike left, or files off). */
  readonly waveforms_path: string | null;
}

export interface WaveformResult {
  readonly folder: string;
  readonly recording_path: string;
  readonly sampling_frequency: number;
  readonly num_frames: number;
  readonly num_channels: number;
  readonly window: ExtractionWindow;
  /** In the sorting's unit order. */
  readonly units: readonly UnitWaveforms[];
  /** (max unit id + 1, nsamples, C) float32, row = unit id. */
  readonly templates_average_path: string;
  readonly templates_std_path: string;
}

export interface ExtractionProgress {
  readonly fraction_done: number;
  /** Units finished so far (also the `start_unit` to resume from). */
  readonly unit: number;
  readonly n_units: number;
}

export interface ExtractOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExtractionProgress) => void;
  /**
   * Resume: units before this index are taken from their checkpoints when those are
   * complete (recomputed otherwise). Absent or 0 → a fresh extraction that clears the folder.
   */
  readonly start_unit?: number;
}
