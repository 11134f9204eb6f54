/**
 * NWB 2.x (HDF5) ElectricalSeries as a lazy Recording, read with h5wasm: no Python at run
 * time. Samples are streamed: each getTraces call reads bounded frames × channels hyperslabs
 * of `data` (chunked / gzip data decoded by HDF5 itself); nothing reads the whole dataset.
 *
 * µV follow SpikeInterface's `get_traces(return_in_uV=True)` bit for bit: the raw value, the
 * gain and the offset are each cast to float32, then `raw × gain + offset` in float32.
 */
import { statSync } from 'node:fs';
import { InvalidRecordingError, RecordingNotFoundError, SpikeSortingClassifiedError } from '../errors';
import { checkFrameRange } from './frame_range';
import { type H5Dataset, type H5File, numericDtype, openH5ReadOnly, readHyperslab } from './h5_access';
import { type NwbDtype, type NwbLayout, listNwbStreamIds, readNwbLayout } from './nwb_layout';
import { type Recording, type SourceInfo, checkChannelIndices } from './recording';

export interface NwbOpenOptions {
  /** ElectricalSeries to read: its name under /acquisition, or SpikeInterface's `acquisition/<name>` path; null → the only one. */
  stream_id?: string | null;
  /** Replace the file's per-channel gains / offsets (µV = raw × gain + offset). */
  gain_to_uv?: number | null;
  offset_to_uv?: number | null;
}

/** The Recording plus per-channel electrode-table facts the generic interface has no place for. */
export interface NwbRecording extends Recording {
  readonly source_info: SourceInfo;
  /** `group_name` per channel (SpikeInterface's `group` property), null when the table has none. */
  readonly channel_groups: readonly string[] | null;
  /** `location` per channel (SpikeInterface's `brain_area` property), null when the table has none. */
  readonly brain_areas: readonly string[] | null;
  /** Time of frame 0 in seconds (starting_time, or the first timestamp). */
  readonly t_start: number;
}

/** Bound on samples per hyperslab read, so wide reads keep the wasm heap small. */
const MAX_SAMPLES_PER_READ = 4 * 1024 * 1024;

/** Types whose every value is exact in float32, so the raw → float32 cast can be skipped. */
const EXACT_IN_FLOAT32 = new Set<NwbDtype>(['int8', 'uint8', 'int16', 'uint16', 'float32']);

/** ElectricalSeries stream ids in the file (series name under /acquisition, else its path). */
export async function listNwbStreams(path: string): Promise<string[]> {
  assertNwbPath(path);
  const { h5, file } = await openH5ReadOnly(path);
  try {
    return listNwbStreamIds(h5, file);
  } catch (err) {
    throw classify(path, err);
  } finally {
    file.close();
  }
}

export async function openNwb(path: string, opts: NwbOpenOptions = {}): Promise<NwbRecording> {
  assertNwbPath(path);
  for (const key of ['gain_to_uv', 'offset_to_uv'] as const) {
    const v = opts[key];
    if (v !== undefined && v !== null && !Number.isFinite(v)) {
      throw new InvalidRecordingError(`${path}: ${key} must be a finite number, got ${v}`, { path, field: key, expected: 'finite number' });
    }
  }
  const { h5, file } = await openH5ReadOnly(path);
  try {
    const layout = readNwbLayout(h5, file, path, opts.stream_id ?? null);
    return new NwbHdf5Recording(path, file, layout, opts);
  } catch (err) {
    file.close();
    throw classify(path, err);
  }
}

/** NWB Zarr stores are directories; say so instead of the generic "not an HDF5 file". */
function assertNwbPath(path: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RecordingNotFoundError(`NWB file not found: ${path}`, { path });
    throw err;
  }
  if (isDir) {
    throw new InvalidRecordingError(`${path} is a directory: only HDF5 NWB files are supported (not NWB Zarr stores)`, {
      path, field: 'path', expected: 'NWB 2.x HDF5 file',
    });
  }
}

/** h5wasm throws plain Errors on damaged files; those are unusable recordings too. */
function classify(path: string, err: unknown): unknown {
  if (err instanceof SpikeSortingClassifiedError || err instanceof RangeError) return err;
  return new InvalidRecordingError(`${path}: could not read the NWB layout (damaged file?): ${String(err)}`, {
    path, field: 'file', expected: 'readable NWB 2.x HDF5 file',
  }, { cause: err });
}

class NwbHdf5Recording implements NwbRecording {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[];
  readonly channel_groups: readonly string[] | null;
  readonly brain_areas: readonly string[] | null;
  readonly t_start: number;
  readonly source_info: SourceInfo;
  private readonly data: H5Dataset;
  private readonly rank: 1 | 2;
  private readonly exact: boolean;
  /** The float32 values getTraces applies. */
  private readonly gains: Float32Array;
  private readonly offsets: Float32Array;
  private open = true;

  constructor(readonly source_path: string, private readonly file: H5File, layout: NwbLayout, opts: NwbOpenOptions) {
    this.sampling_frequency = layout.sampling_frequency;
    this.num_channels = layout.num_channels;
    this.num_frames = layout.num_frames;
    this.channel_ids = layout.channel_ids;
    this.locations = layout.locations;
    this.electrodes = layout.electrode_ids;
    this.channel_groups = layout.channel_groups;
    this.brain_areas = layout.brain_areas;
    this.t_start = layout.t_start;
    this.data = layout.data;
    this.rank = layout.rank;
    this.exact = EXACT_IN_FLOAT32.has(layout.dtype);
    const gainOverride = opts.gain_to_uv ?? null;
    const offsetOverride = opts.offset_to_uv ?? null;
    this.gains = Float32Array.from(layout.gain_to_uv, (g) => gainOverride ?? g);
    this.offsets = Float32Array.from(layout.offset_to_uv, (o) => offsetOverride ?? o);
    this.source_info = {
      format: 'nwb',
      dtype: layout.dtype,
      gain_to_uv: Array.from(this.gains),
      offset_to_uv: Array.from(this.offsets),
      stream_id: layout.stream.stream_id,
      streams: layout.streams.map((s) => s.stream_id),
      details: {
        ...layout.details,
        gain_from: gainOverride === null ? 'file' : 'gain_to_uv option',
        offset_from: offsetOverride === null ? layout.details.offset_from ?? null : 'offset_to_uv option',
      },
      frame_gaps: layout.frame_gaps,
    };
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    if (channels !== undefined) checkChannelIndices(this, channels);
    if (!this.open) throw new Error(`${this.source_path}: recording is closed`);
    const sel = channels ?? null;
    const k = sel === null ? this.num_channels : sel.length;
    const out = new Float32Array((endFrame - startFrame) * k);
    if (k === 0 || endFrame === startFrame) return out;
    // One hyperslab over the column span covering the request: HDF5 reads whole chunks
    // anyway, and one read beats one per channel.
    let c0 = 0;
    let c1 = this.num_channels;
    if (sel !== null) {
      c0 = Infinity;
      c1 = -Infinity;
      for (const c of sel) {
        if (c < c0) c0 = c;
        if (c >= c1) c1 = c + 1;
      }
    }
    const span = c1 - c0;
    const cols = Int32Array.from(sel ?? Array.from({ length: k }, (_, j) => j), (c) => c - c0);
    const g = Float32Array.from(cols, (c) => this.gains[c + c0]);
    const o = Float32Array.from(cols, (c) => this.offsets[c + c0]);
    const step = Math.max(1, Math.floor(MAX_SAMPLES_PER_READ / span));
    const { fround } = Math;
    for (let s = startFrame; s < endFrame; s += step) {
      const e = Math.min(endFrame, s + step);
      const n = e - s;
      const block = this.readBlock(s, e, c0, c1);
      const base = (s - startFrame) * k;
      if (block instanceof BigInt64Array || block instanceof BigUint64Array) {
        for (let f = 0; f < n; f++) {
          for (let j = 0; j < k; j++) out[base + f * k + j] = fround(fround(Number(block[f * span + cols[j]])) * g[j]) + o[j];
        }
      } else if (this.exact) {
        for (let f = 0; f < n; f++) {
          for (let j = 0; j < k; j++) out[base + f * k + j] = fround(block[f * span + cols[j]] * g[j]) + o[j];
        }
      } else {
        for (let f = 0; f < n; f++) {
          for (let j = 0; j < k; j++) out[base + f * k + j] = fround(fround(block[f * span + cols[j]]) * g[j]) + o[j];
        }
      }
    }
    return out;
  }

  private readBlock(s: number, e: number, c0: number, c1: number): ArrayLike<number> | BigInt64Array | BigUint64Array {
    let block: unknown;
    try {
      // h5wasm's own slice() ignores HDF5's read status (a bad chunk reads as garbage).
      const dtype = numericDtype(this.data.metadata);
      if (dtype === null) throw new Error(`not a numeric dataset (${JSON.stringify(this.data.metadata.type)})`);
      block = readHyperslab(this.data, dtype, this.rank === 2 ? [[s, e], [c0, c1]] : [[s, e]]);
    } catch (err) {
      throw new InvalidRecordingError(`${this.source_path}: reading ${this.data.path} frames [${s}, ${e}) failed: ${String(err)}`, {
        path: this.source_path, field: this.data.path, expected: 'readable samples',
      }, { cause: err });
    }
    const expected = (e - s) * (c1 - c0);
    if (!ArrayBuffer.isView(block) || block instanceof DataView || (block as unknown as ArrayLike<unknown>).length !== expected) {
      throw new InvalidRecordingError(`${this.source_path}: ${this.data.path} returned an unexpected block for frames [${s}, ${e})`, {
        path: this.source_path, field: this.data.path, expected: 'numeric samples',
      });
    }
    return block as unknown as ArrayLike<number> | BigInt64Array | BigUint64Array;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.file.close();
  }
}
