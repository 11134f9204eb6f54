/**
 * The lazy, chunked recording abstraction every stage walks. Sources (Maxwell, NWB,
 * binary) and wrappers (slice, bandpass) implement it; nothing holds a whole recording
 * in memory.
 */
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
  /**
   * Traces in µV for frames [startFrame, endFrame), frame-major interleaved:
   * `out[(f - startFrame) * num_channels + c]`. Out-of-range requests throw.
   */
  getTraces(startFrame: number, endFrame: number): Float32Array;
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
  abstract readonly num_frames: number;

  protected constructor(protected readonly parent: Recording) {
    this.source_path = parent.source_path;
    this.sampling_frequency = parent.sampling_frequency;
    this.num_channels = parent.num_channels;
    this.channel_ids = parent.channel_ids;
    this.locations = parent.locations;
    this.electrodes = parent.electrodes;
  }

  abstract getTraces(startFrame: number, endFrame: number): Float32Array;

  close(): void {
    this.parent.close();
  }
}
