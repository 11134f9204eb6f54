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

export function durationSeconds(rec: Recording): number {
  return rec.num_frames / rec.sampling_frequency;
}
