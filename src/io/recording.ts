/**
 * The lazy, chunked recording abstraction every stage walks. Sources (Maxwell, NWB,
 * binary) and wrappers (slice, bandpass) implement it; nothing holds a whole recording
 * in memory.
 */
import { checkFrameRange } from './frame_range';

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
  /**
   * Optional: the same µV values as getTraces, channel-major: `out[j * n + f]` with
   * n = endFrame − startFrame. Only sources that store channels as rows (Maxwell) and the
   * wrappers passing them through have it, so a reader that can take either layout uses it
   * to skip a transpose it would otherwise pay twice (source → frame-major → per channel).
   */
  getTracesChannelMajor?(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array;
  /**
   * Optional: the stored integers behind getTracesChannelMajor, channel-major, with the one
   * scaling that turns every one of them into getTraces' float32 µV value. Half the bytes of
   * µV, and the scaling can run wherever the samples go (the filter workers). With `into`
   * large enough, the samples are a view of its start (a caller recycling its blocks spares
   * the page faults of a fresh one per call); otherwise they get their own buffer.
   */
  getStoredChannelMajor?(startFrame: number, endFrame: number, channels?: readonly number[], into?: ArrayBuffer): StoredTraces;
  /** Release file handles. Idempotent. */
  close(): void;
}

/**
 * Stored samples, channel-major (`samples[j * n + f]`), and their scaling: the µV value is
 * exactly `scaleStored(raw, gain, offset)` for every sample and channel.
 */
export interface StoredTraces {
  samples: Uint16Array | Int16Array;
  gain: number;
  offset: number;
}

/**
 * float32(float32(raw × gain) + float32(offset)): SpikeInterface's ScaleRecording step
 * (float32 traces times float64 gains, plus float32 offsets). Readers and the filter kernel
 * both compute exactly this, so stored samples scaled anywhere equal getTraces to the bit.
 */
export function scaleStored(raw: number, gain: number, offset: number): number {
  return Math.fround(Math.fround(raw * gain) + Math.fround(offset));
}

/** The optional channel-major readers of Recording, as function types (wrappers assign them). */
type ChannelMajorReader = (startFrame: number, endFrame: number, channels?: readonly number[]) => Float32Array;
type StoredReader = (startFrame: number, endFrame: number, channels?: readonly number[], into?: ArrayBuffer) => StoredTraces;

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
  /** Set by forwardChannelMajor only: a wrapper that changes samples must not inherit the parent's. */
  getTracesChannelMajor?: ChannelMajorReader;
  getStoredChannelMajor?: StoredReader;

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

  /**
   * For wrappers whose frame f is the parent's frame `frameOffset + f`, samples unchanged:
   * gives this wrapper the parent's channel-major readers, where the parent has them.
   * `check` sees every µV block before it is returned (FiniteSamplesRecording); stored
   * integers are forwarded only without one, since a check needs the scaled values.
   */
  protected forwardChannelMajor(frameOffset: number, check?: (t: Float32Array, startFrame: number, channels?: readonly number[]) => void): void {
    const p = this.parent;
    const range = (s: number, e: number): void => checkFrameRange(this.source_path, this.num_frames, s, e);
    if (p.getTracesChannelMajor !== undefined) {
      this.getTracesChannelMajor = (s, e, channels) => {
        range(s, e);
        const t = (p.getTracesChannelMajor as ChannelMajorReader).call(p, frameOffset + s, frameOffset + e, channels);
        check?.(t, s, channels);
        return t;
      };
    }
    if (p.getStoredChannelMajor !== undefined && check === undefined) {
      this.getStoredChannelMajor = (s, e, channels, into) => {
        range(s, e);
        return (p.getStoredChannelMajor as StoredReader).call(p, frameOffset + s, frameOffset + e, channels, into);
      };
    }
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
