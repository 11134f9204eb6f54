/**
 * Standalone preprocessing (pipeline spec §3.4, §3.6, §3.7): load a recording exactly as the
 * load stage does (src/io/load.ts: open, select frames, flip y, refuse NaN), band-pass it and
 * write the sorter's int16 µV binary plus a JSON sidecar that the raw-binary reader takes, so
 * a sorter or another tool can start from it without our pipeline.
 * The binary is written under a temporary name and renamed, so a killed run never leaves a
 * file under the final name that looks complete.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ChunkOptions } from '../dsp/chunks';
import { recordingStem } from '../pipeline/layout';
import { writeJsonAtomic } from '../util/fsx';
import type { Int16BinaryWriteResult } from '../io/binary';
import type { RecordingChunk } from '../io/concat';
import { type LoadOptions, loadRecording } from '../io/load';
import type { Recording } from '../io/recording';
import { BANDPASS_ORDER, MIN_FREQ_MIN_HZ } from '../dsp/bandpass';
import { writeFilteredInt16Binary } from './write_filtered';


/** Where to read (open options and frame selection, as the config's recording section) and what to write. */
export interface PreprocessRequest extends LoadOptions {
  readonly path: string;
  readonly out_dir: string;
  readonly freq_min: number;
  readonly freq_max: number;
  /** Replace existing outputs; default false (refuse). */
  readonly overwrite?: boolean;
  readonly onProgress?: ChunkOptions['onProgress'];
  readonly signal?: AbortSignal;
}

export interface PreprocessOutputs {
  readonly binary: string;
  readonly sidecar: string;
}

export interface PreprocessResult extends PreprocessOutputs {
  readonly num_channels: number;
  readonly num_frames: number;
  readonly sampling_frequency: number;
  /** Frame ranges [start, end) of the source that were written, in order. */
  readonly source_ranges: readonly (readonly [number, number])[];
  /** Pieces of the output (joined ranges or files), in output frames; empty when one piece. */
  readonly chunks: readonly RecordingChunk[];
  readonly bytes: number;
  /** Notes worth telling the user (end time clipped to the duration, …). */
  readonly notes: readonly string[];
}

/** A request value that cannot work; `field` is the request's (= config's) field name. */
export class PreprocessParamError extends Error {
  override readonly name = 'PreprocessParamError';
  constructor(readonly field: string, readonly value: unknown, readonly reason: string) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/** Outputs already exist and the request does not allow replacing them. */
export class PreprocessOutputExistsError extends Error {
  override readonly name = 'PreprocessOutputExistsError';
  constructor(readonly paths: readonly string[]) {
    super(`output already exists: ${paths.join(', ')}`);
  }
}

/** What the sidecar holds: the raw-binary reader's keys, then how the file was made. */
export interface PreprocessSidecar {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  readonly dtype: 'int16';
  readonly gain_to_uv: 1;
  readonly offset_to_uv: 0;
  /** 0: frame-major (all channels of frame 0, then frame 1, …). */
  readonly time_axis: 0;
  readonly file_offset_bytes: 0;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[] | null;
  readonly binary: string;
  readonly preprocessing: {
    readonly source_path: string;
    readonly stream_id: string | null;
    readonly rec_name: string | null;
    readonly source_format: string | null;
    readonly source_num_frames: number;
    readonly source_ranges: readonly (readonly [number, number])[];
    readonly chunks: readonly RecordingChunk[];
    readonly start_time_s: number | null;
    readonly end_time_s: number | null;
    readonly first_n_mins: number | null;
    readonly rec_chunks: readonly (readonly [number, number])[] | null;
    readonly rec_chunks_s: readonly (readonly [number, number])[] | null;
    readonly mea_y_max: number | null;
    readonly gain_to_uv_override: number | null;
    readonly offset_to_uv_override: number | null;
    readonly freq_min: number;
    readonly freq_max: number;
    readonly filter: string;
    readonly values: string;
    readonly created_by: string;
  };
}

export function preprocessOutputs(path: string, outDir: string): PreprocessOutputs {
  const stem = `${recordingStem(resolve(path))}_scaled_filtered`;
  return { binary: join(outDir, `${stem}.dat`), sidecar: join(outDir, `${stem}.json`) };
}

/** Checks that need no file: ranges and orderings of the numbers given. */
export function checkPreprocessRequest(req: PreprocessRequest): void {
  const fail = (field: string, value: unknown, reason: string): never => { throw new PreprocessParamError(field, value, reason); };
  if (!(Number.isFinite(req.freq_min) && req.freq_min >= MIN_FREQ_MIN_HZ)) fail('freq_min', req.freq_min, `expected a number ≥ ${MIN_FREQ_MIN_HZ} Hz`);
  if (!(Number.isFinite(req.freq_max) && req.freq_max > req.freq_min)) fail('freq_max', req.freq_max, `expected a number > freq_min (${req.freq_min} Hz)`);
  const { start_time_s: start, end_time_s: end, first_n_mins: mins } = req;
  if (start != null && !(Number.isFinite(start) && start >= 0)) fail('start_time_s', start, 'expected a number of seconds ≥ 0');
  if (end != null && !(Number.isFinite(end) && end > 0)) fail('end_time_s', end, 'expected a number of seconds > 0');
  if (start != null && end != null && !(start < end)) fail('end_time_s', end, `expected a time after start_time_s (${start} s)`);
  if (mins != null && !(Number.isFinite(mins) && mins >= 0)) fail('first_n_mins', mins, 'expected a number of minutes ≥ 0 (0 = whole recording)');
  if (req.gain_to_uv != null && !(Number.isFinite(req.gain_to_uv) && req.gain_to_uv !== 0)) fail('gain_to_uv', req.gain_to_uv, 'expected a finite, non-zero µV per stored unit');
  if (req.offset_to_uv != null && !Number.isFinite(req.offset_to_uv)) fail('offset_to_uv', req.offset_to_uv, 'expected a finite µV offset');
}

function checkNyquist(req: PreprocessRequest, rec: Recording): void {
  const fs = rec.sampling_frequency;
  if (!(req.freq_max < fs / 2)) {
    throw new PreprocessParamError('freq_max', req.freq_max, `must be below the Nyquist frequency ${fs / 2} Hz of ${rec.source_path} (sampling rate ${fs} Hz)`);
  }
}

/** The selection clips end_time_s to the duration silently (spec §3.6); the user hears of it. */
function clippedEndNote(req: PreprocessRequest, rec: Recording): string | null {
  const duration = rec.num_frames / rec.sampling_frequency;
  const timeRange = (req.rec_chunks?.length ?? 0) === 0 && (req.rec_chunks_s?.length ?? 0) === 0;
  return timeRange && req.end_time_s != null && req.end_time_s > duration
    ? `end_time_s ${req.end_time_s} s is past the end; clipped to the duration ${duration} s`
    : null;
}

/**
 * A scalar gain / offset override must have reached the samples. Readers apply it through
 * openRecording; one that does not report its scaling cannot show that it did, and writing
 * unscaled data under a µV label would be silently wrong.
 */
function checkScalingApplied(req: PreprocessRequest, rec: Recording): void {
  const info = rec.source_info;
  for (const [field, wanted, actual] of [
    ['gain_to_uv', req.gain_to_uv, info?.gain_to_uv],
    ['offset_to_uv', req.offset_to_uv, info?.offset_to_uv],
  ] as const) {
    if (wanted == null) continue;
    if (actual === undefined) {
      throw new PreprocessParamError(field, wanted, `the reader of ${rec.source_path} does not report its scaling, so the override cannot be confirmed; leave it out to use the file's own values`);
    }
    if (actual.length === 0 || actual.some((v) => v !== wanted)) {
      throw new PreprocessParamError(field, wanted, `was not applied by the reader of ${rec.source_path} (it scales by ${[...new Set(actual)].join(', ')})`);
    }
  }
}

/**
 * The one place the filtered recording becomes the int16 file: a faster (parallel) filter
 * and writer replaces exactly this call.
 */
export function writeFilteredInt16(rec: Recording, freqMin: number, freqMax: number, path: string, opts: ChunkOptions): Promise<Int16BinaryWriteResult> {
  return writeFilteredInt16Binary(rec, path, { ...opts, freq_min: freqMin, freq_max: freqMax, order: BANDPASS_ORDER });
}

export async function preprocessToInt16(req: PreprocessRequest): Promise<PreprocessResult> {
  checkPreprocessRequest(req);
  const outputs = preprocessOutputs(req.path, req.out_dir);
  const existing = [outputs.binary, outputs.sidecar].filter((p) => existsSync(p));
  if (existing.length > 0 && req.overwrite !== true) throw new PreprocessOutputExistsError(existing);

  const loaded = await loadRecording(req.path, req);
  const { source, selected } = loaded;
  try {
    checkNyquist(req, source);
    checkScalingApplied(req, source);
    const clipped = clippedEndNote(req, source);
    const notes = clipped === null ? [...loaded.warnings] : [...loaded.warnings, clipped];
    const ranges = loaded.source_ranges;
    mkdirSync(req.out_dir, { recursive: true });
    const partial = `${outputs.binary}.partial-${process.pid}`;
    let written: Int16BinaryWriteResult;
    try {
      written = await writeFilteredInt16(selected, req.freq_min, req.freq_max, partial, { signal: req.signal, onProgress: req.onProgress });
      // An old sidecar must never describe the new binary, even for a moment.
      rmSync(outputs.sidecar, { force: true });
      renameSync(partial, outputs.binary);
    } catch (err) {
      rmSync(partial, { force: true });
      throw err;
    }
    writeJsonAtomic(outputs.sidecar, sidecarOf(req, source, selected, outputs, ranges, loaded.chunks));
    return {
      ...outputs,
      num_channels: selected.num_channels,
      num_frames: selected.num_frames,
      sampling_frequency: selected.sampling_frequency,
      source_ranges: ranges,
      chunks: loaded.chunks,
      bytes: written.bytes,
      notes,
    };
  } finally {
    source.close();
  }
}

function sidecarOf(
  req: PreprocessRequest, source: Recording, sliced: Recording, outputs: PreprocessOutputs, ranges: [number, number][], chunks: readonly RecordingChunk[],
): PreprocessSidecar {
  const info = source.source_info;
  return {
    sampling_frequency: sliced.sampling_frequency,
    num_channels: sliced.num_channels,
    num_frames: sliced.num_frames,
    dtype: 'int16',
    gain_to_uv: 1,
    offset_to_uv: 0,
    time_axis: 0,
    file_offset_bytes: 0,
    channel_ids: sliced.channel_ids,
    locations: sliced.locations,
    electrodes: sliced.electrodes,
    binary: basename(outputs.binary),
    preprocessing: {
      source_path: resolve(req.path),
      stream_id: info?.stream_id ?? req.stream_id ?? null,
      rec_name: req.rec_name ?? (typeof info?.details.rec_name === 'string' ? info.details.rec_name : null),
      source_format: info?.format ?? null,
      source_num_frames: source.num_frames,
      source_ranges: ranges,
      chunks,
      start_time_s: req.start_time_s ?? null,
      end_time_s: req.end_time_s ?? null,
      first_n_mins: req.first_n_mins ?? null,
      rec_chunks: req.rec_chunks ?? null,
      rec_chunks_s: req.rec_chunks_s ?? null,
      mea_y_max: req.mea_y_max ?? null,
      gain_to_uv_override: req.gain_to_uv ?? null,
      offset_to_uv_override: req.offset_to_uv ?? null,
      freq_min: req.freq_min,
      freq_max: req.freq_max,
      filter: `Butterworth band-pass order ${BANDPASS_ORDER}, second-order sections, forward-backward (zero phase), per 1 s chunk with a margin of 5 periods of freq_min`,
      values: 'filtered µV truncated toward zero and saturated to int16, little-endian',
      created_by: 'spikelab preprocess',
    },
  };
}
