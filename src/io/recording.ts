/**
 * The lazy, chunked recording abstraction every stage walks. Sources (Maxwell, NWB,
 * binary) and wrappers (slice, bandpass) implement it; nothing holds a whole recording
 * in memory.
 */
export type RecordingFormat = 'maxwell' | 'nwb' | 'binary' | 'concatenation' | 'memory';

/** A run of missing frames in a source with frame numbers (Maxwell `frame_nos`). */
export interface FrameGap {
  /** Sample index (0-based, in this recording) after which frames are missing. */
  after_frame: number;
  /** How many frame numbers are missing there. */
  missing_frames: number;
}

export interface SourceInfo {
  format: RecordingFormat;
  /** Stored sample type (`uint16`, `int16`, `float32`, …). */
  dtype: string;
  /** Per-channel stored-unit → µV scaling that getTraces applies: µV = raw × gain + offset. */
  gain_to_uv: readonly number[];
  offset_to_uv: readonly number[];
  /** Stream (Maxwell well, NWB ElectricalSeries) this recording reads, and the file's others. */
  stream_id: string | null;
  streams: readonly string[];
  /** Format-specific facts worth showing (`version`, `rec_name`, `electrodes_table`, …). */
  details: Readonly<Record<string, string | number | boolean | null>>;
  frame_gaps: readonly FrameGap[];
}

export interface Recording {
  /** File the samples come from (for messages and fingerprints). */
  readonly source_path: string;
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  /** Channel ids as decimal strings (Maxwell: the routed channel number). */
  readonly channel_ids: readonly string[];
  /** (x, y) in µm per channel. */
  readonly locations: readonly (readonly [number, number])[];
  /** Electrode number per channel where the format has one. */
  readonly electrodes: readonly number[] | null;
  /** What the source file holds and how its samples became µV (for `inspect` and reports). */
  readonly source_info?: SourceInfo;
  /**
   * Traces in µV for frames [startFrame, endFrame), frame-major interleaved:
   * `out[(f - startFrame) * k + j]` for the j-th of the k requested channel indices
   * (all channels, k = num_channels, when `channels` is omitted). Out-of-range requests throw.
   */
  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array;
  /** Release file handles. Idempotent. */
  close(): void;
}

/**
 * A recording that reads from a parent and keeps its channel metadata (slices, filters, …):
 * each wrapper only says how many frames it has and how it turns the parent's traces into its own.
 */
export abstract class DerivedRecording implements Recording {
  readonly source_path: string;
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[] | null;
  readonly source_info?: SourceInfo;
  abstract readonly num_frames: number;

  protected constructor(protected readonly parent: Recording) {
    this.source_path = parent.source_path;
    this.sampling_frequency = parent.sampling_frequency;
    this.num_channels = parent.num_channels;
    this.channel_ids = parent.channel_ids;
    this.locations = parent.locations;
    this.electrodes = parent.electrodes;
    this.source_info = parent.source_info;
  }

  abstract getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array;

  close(): void {
    this.parent.close();
  }
}

/** Throws a RangeError naming the recording unless every index is a valid channel index. */
export function checkChannelIndices(rec: Pick<Recording, 'source_path' | 'num_channels'>, channels: readonly number[]): void {
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= rec.num_channels) {
      throw new RangeError(`${rec.source_path}: channel index ${c} is out of range (recording has ${rec.num_channels} channels)`);
    }
  }
}

/**
 * The columns `channels` of frame-major traces with `numChannels` columns; the traces
 * themselves when no selection is given. Sources without a cheaper native selection use it.
 */
export function pickChannels(traces: Float32Array, numChannels: number, channels: readonly number[] | undefined): Float32Array {
  if (channels === undefined) return traces;
  const k = channels.length;
  const frames = traces.length / numChannels;
  const out = new Float32Array(frames * k);
  for (let j = 0; j < k; j++) {
    const c = channels[j];
    for (let f = 0; f < frames; f++) out[f * k + j] = traces[f * numChannels + c];
  }
  return out;
}
