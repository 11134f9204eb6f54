/**
 * Maxwell `.raw.h5` (MaxOne / MaxTwo, current and legacy layouts) as a lazy Recording.
 * Samples are streamed: each read takes one channels × frames hyperslab (or a few, for very
 * wide requests) and hands it out as frame-major µV (getTraces), channel-major µV, or the
 * stored rows themselves with their scaling; nothing reads the whole raw dataset. Opening
 * also settles what `source_info` reports: scaling, the file's wells, compression and
 * frame-number gaps.
 */
import { HDF5PluginMissingError, InvalidRecordingError, SpikeSortingClassifiedError } from '../errors';
import { checkFrameRange } from './frame_range';
import { BUILTIN_FILTERS, type H5Wasm, decodableFilters, h5Runtime } from './h5';
import {
  type H5Dataset, type H5ElementArray, type H5File, type H5NumericArray, type NumericDtype, getDataset, numericDtype,
  openH5ReadOnly, readHyperslab, readHyperslabToHeap,
} from './h5_access';
import { type FrameNumberScan, bisectFrameGaps, scanFrameGaps } from './maxwell_frames';
import { type MaxwellStreamLayout, type MaxwellStreamSelection, listStreams, readMaxwellLayout } from './maxwell_layout';
import { type Recording, type SourceInfo, type StoredTraces, checkChannelIndices } from './recording';

export type { MaxwellStreamSelection } from './maxwell_layout';

export interface MaxwellOpenOptions extends MaxwellStreamSelection {
  /**
   * Scalar stored-unit → µV scale for every channel (spec §3.3, RecordingConfig of the same
   * names): µV = raw × gain_to_uv + offset_to_uv. null keeps the file's lsb gain / zero offset.
   */
  gain_to_uv?: number | null;
  offset_to_uv?: number | null;
}

/** Bound on samples per hyperslab read, so wide legacy `/sig` reads keep the wasm heap small. */
const MAX_SAMPLES_PER_READ = 8 * 1024 * 1024;
/** Frame numbers per read while scanning for gaps (8 MiB of uint64). */
const FRAME_NOS_PER_READ = 1 << 20;

/** Stream ids (wells) in a Maxwell file; `['well000']` for MaxOne. */
export async function listMaxwellStreams(path: string): Promise<string[]> {
  const { h5, file } = await openH5ReadOnly(path);
  try {
    return listStreams(h5, file, path);
  } catch (err) {
    throw classify(path, err);
  } finally {
    file.close();
  }
}

export async function openMaxwell(path: string, opts: MaxwellOpenOptions = {}): Promise<Recording> {
  const gainOverride = scalarOption(path, 'gain_to_uv', opts.gain_to_uv);
  const offsetOverride = scalarOption(path, 'offset_to_uv', opts.offset_to_uv);
  const { h5, file } = await openH5ReadOnly(path);
  try {
    const layout = readMaxwellLayout(h5, file, path, opts);
    if (layout.channels.length === 0) {
      throw new InvalidRecordingError(`${path}: stream ${layout.stream_id} has 0 routed channels`, {
        path, field: 'settings/mapping', expected: 'at least one mapping row with channel >= 0',
      });
    }
    if (layout.num_frames === 0) {
      throw new InvalidRecordingError(`${path}: ${layout.raw_path} has 0 samples (Cannot estimate noise levels on an empty recording)`, {
        path, field: layout.raw_path, expected: 'at least one sample',
      });
    }
    // Filters are settled before any sample is processed: a missing plugin must not surface
    // hours into a sort. (A chunk damaged later in the file still fails when it is read.)
    const ds = rawDataset(h5, file, path, layout);
    const frames = frameNumbers(h5, file, path, layout, ds);
    const gain = gainOverride ?? layout.gain_to_uv;
    const offset = offsetOverride ?? 0;
    const info = sourceInfo(layout, ds, frames, gain, offset, gainOverride !== null);
    return new MaxwellRecording(path, file, ds, layout, gain, offset, info);
  } catch (err) {
    file.close();
    throw classify(path, err);
  }
}

function scalarOption(path: string, name: string, v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${path}: ${name} must be a finite number or null, got ${String(v)}`);
  return v;
}

/** h5wasm throws plain Errors on damaged files; those are unusable recordings too. */
function classify(path: string, err: unknown): unknown {
  if (err instanceof SpikeSortingClassifiedError || err instanceof RangeError) return err;
  return new InvalidRecordingError(`${path}: could not read the Maxwell layout (damaged file?): ${String(err)}`, {
    path, field: 'file', expected: 'readable Maxwell .raw.h5',
  }, { cause: err });
}

/** Pipeline order, short names (plugins report whole sentences as their names). */
function filterList(ds: H5Dataset): string {
  const fs = ds.filters;
  const known = decodableFilters();
  return fs.length === 0 ? 'none' : fs.map((f) => `${known.get(f.id) ?? (f.name || 'unnamed')}(${f.id})`).join('+');
}

/**
 * Refuses a dataset whose filter pipeline names a filter we cannot decode, before any sample
 * is read: h5wasm would otherwise fail on the first chunk mid-run. Maxwell's own compression
 * is a native plugin, which a WebAssembly HDF5 can never load.
 */
function checkFilters(path: string, ds: H5Dataset): void {
  const decodable = decodableFilters();
  const f = undecodableFilter(ds);
  if (f !== undefined) {
    const names = [...decodable].map(([id, name]) => `${name}(${id})`).join(', ');
    throw new HDF5PluginMissingError(
      `${path}: ${ds.path} is compressed with HDF5 filter ${f.id} (${f.name || 'unregistered name'}), which this reader ` +
        `cannot decode (it decodes ${names}). Maxwell's own compression needs the vendor's native plugin, which the ` +
        'WebAssembly HDF5 used here cannot load: decompress the file first, e.g. `h5repack -f NONE in.raw.h5 out.raw.h5` ' +
        'with HDF5_PLUGIN_PATH pointing at the plugin',
      { filter_id: f.id, file: path },
    );
  }
}

function undecodableFilter(ds: H5Dataset): H5Dataset['filters'][number] | undefined {
  const decodable = decodableFilters();
  return ds.filters.find((f) => !decodable.has(f.id));
}

/**
 * Reads one value through the whole filter pipeline. A failure with a plugin filter means the
 * plugin is there but does not work (an environment problem); with built-in filters only, the
 * file is damaged.
 */
function probeRead(path: string, ds: H5Dataset, dtype: NumericDtype, ranges: [number, number][]): void {
  try {
    readHyperslab(ds, dtype, ranges);
  } catch (err) {
    const plugin = ds.filters.find((f) => !BUILTIN_FILTERS.has(f.id));
    if (plugin !== undefined) {
      throw new HDF5PluginMissingError(
        `${path}: ${ds.path} uses HDF5 filter ${plugin.id} (${plugin.name || 'unnamed'}), whose plugin is installed but ` +
          `could not decode the first chunk: ${String(err)}`,
        { filter_id: plugin.id, file: path }, { cause: err },
      );
    }
    throw new InvalidRecordingError(`${path}: the first sample of ${ds.path} cannot be read (damaged file?): ${String(err)}`, {
      path, field: ds.path, expected: 'readable samples',
    }, { cause: err });
  }
}

function rawDataset(h5: H5Wasm, file: H5File, path: string, layout: MaxwellStreamLayout): H5Dataset {
  const ds = getDataset(h5, file, layout.raw_path);
  if (ds === null) throw new InvalidRecordingError(`${path}: missing dataset ${layout.raw_path}`, { path, field: layout.raw_path });
  checkFilters(path, ds);
  probeRead(path, ds, layout.raw_dtype, [[0, 1], [0, 1]]);
  return ds;
}

/** Exact for integers below 2⁵³; 64-bit values are assembled from their 32-bit halves (no BigInt per value). */
function toFloat64(a: H5ElementArray): Float64Array {
  if (!(a instanceof BigUint64Array || a instanceof BigInt64Array)) return Float64Array.from(a);
  const w = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const signed = a instanceof BigInt64Array;
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) {
    const hi = signed ? w[2 * i + 1] | 0 : w[2 * i + 1];
    out[i] = hi * 4294967296 + w[2 * i];
  }
  return out;
}

interface FrameNumbersRead {
  source: string | null;
  scan: FrameNumberScan | null;
  /** Length of the frame-number dataset when it differs from the sample count. */
  length_mismatch: number | null;
  /** Why the frame numbers were not checked although the file has them. */
  error: string | null;
}

function frameNumbers(h5: H5Wasm, file: H5File, path: string, layout: MaxwellStreamLayout, raw: H5Dataset): FrameNumbersRead {
  const where = layout.frame_numbers;
  if (where === null) return { source: null, scan: null, length_mismatch: null, error: null };
  const n = layout.num_frames;
  const failed = (field: string, err: unknown): InvalidRecordingError =>
    new InvalidRecordingError(`${path}: reading frame numbers from ${field} failed: ${String(err)}`, {
      path, field, expected: 'readable frame numbers',
    }, { cause: err });

  if (where.kind === 'sig_rows') {
    const { low_row: lo, high_row: hi } = where;
    const source = `/sig rows ${lo} (low 16 bits) and ${hi} (high 16 bits)`;
    // Those rows are interleaved with the samples, so a full scan would decode all of /sig;
    // bisection touches about log₂(n) chunks per gap instead.
    const at = (i: number): number => {
      let v: H5ElementArray;
      try {
        v = readHyperslab(raw, layout.raw_dtype, [[lo, hi + 1], [i, i + 1]]);
      } catch (err) {
        throw failed('/sig', err);
      }
      const f = toFloat64(v);
      return (f[1] & 0xffff) * 65536 + (f[0] & 0xffff);
    };
    const scan = bisectFrameGaps(n, at);
    const error = scan.searched ? null
      : `frame numbers go from ${scan.first} to ${scan.last} over ${n} samples, so they are no running counter; gaps not checked`;
    return { source, scan: scan.searched ? scan : null, length_mismatch: null, error };
  }

  const ds = getDataset(h5, file, where.path);
  const dtype = ds === null ? null : numericDtype(ds.metadata);
  if (ds === null || dtype === null || ds.shape === null) {
    throw new InvalidRecordingError(`${path}: ${where.path} disappeared or is not numeric`, { path, field: where.path });
  }
  // The samples do not depend on frame numbers (the reference reader never reads them), so a
  // filter we lack here only costs the gap check, not the recording.
  const missing = undecodableFilter(ds);
  if (missing !== undefined) {
    return {
      source: where.path, scan: null, length_mismatch: null,
      error: `compressed with HDF5 filter ${missing.id} (${missing.name || 'unregistered name'}), which this reader cannot decode; gaps not checked`,
    };
  }
  const len = ds.shape[0];
  const read = (s: number, e: number): Float64Array => {
    try {
      return toFloat64(readHyperslab(ds, dtype, [[s, e]]));
    } catch (err) {
      throw failed(where.path, err);
    }
  };
  return {
    source: where.path, scan: scanFrameGaps(Math.min(len, n), read, FRAME_NOS_PER_READ), length_mismatch: len === n ? null : len, error: null,
  };
}

function sourceInfo(
  layout: MaxwellStreamLayout, raw: H5Dataset, frames: FrameNumbersRead, gain: number, offset: number, overridden: boolean,
): SourceInfo {
  const nch = layout.channels.length;
  const scan = frames.scan;
  return {
    format: 'maxwell',
    dtype: layout.raw_dtype,
    gain_to_uv: new Array<number>(nch).fill(gain),
    offset_to_uv: new Array<number>(nch).fill(offset),
    stream_id: layout.stream_id,
    streams: layout.streams,
    details: {
      version: layout.version,
      layout: layout.kind,
      rec_name: layout.rec_name,
      raw_dataset: layout.raw_path,
      raw_rows: layout.raw_rows,
      compression: filterList(raw),
      gain_source: overridden ? 'override' : layout.gain_source,
      file_gain_to_uv: layout.gain_to_uv,
      lsb: layout.lsb,
      frame_numbers: frames.source,
      // false whenever the list below means "not looked", not "no gaps" (read by `inspect`).
      frame_gaps_checked: scan !== null,
      first_frame_number: scan?.first ?? null,
      last_frame_number: scan?.last ?? null,
      frame_gap_count: scan?.gap_count ?? null,
      missing_frames: scan?.missing_frames ?? null,
      frame_number_backsteps: scan?.backsteps ?? null,
      frame_gaps_truncated: scan?.truncated ?? null,
      frame_nos_length: frames.length_mismatch,
      frame_numbers_error: frames.error,
    },
    frame_gaps: scan?.gaps ?? [],
  };
}

interface BlockRequest {
  startFrame: number;
  endFrame: number;
  /** Raw row of each requested channel, in request order. */
  rows: Int32Array;
  rowMin: number;
  rowSpan: number;
}

interface HeapView {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): H5NumericArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** Typed views for the sample types a block can be scaled from (64-bit integers are no ADC samples). */
const HEAP_VIEWS: Partial<Record<NumericDtype, HeapView>> = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  float32: Float32Array, float64: Float64Array,
};

class MaxwellRecording implements Recording {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[];
  private readonly rows: Int32Array;
  private readonly allChannels: readonly number[];
  private readonly offset32: number;
  private open = true;
  /** Only for 16-bit stored samples (every Maxwell file so far); other types read as µV. */
  readonly getStoredChannelMajor?: (startFrame: number, endFrame: number, channels?: readonly number[], into?: ArrayBuffer) => StoredTraces;

  constructor(
    readonly source_path: string,
    private readonly file: H5File,
    private readonly ds: H5Dataset,
    private readonly layout: MaxwellStreamLayout,
    private readonly gain: number,
    offset: number,
    readonly source_info: SourceInfo,
  ) {
    const ch = layout.channels;
    this.sampling_frequency = layout.sampling_frequency;
    this.num_channels = ch.length;
    this.num_frames = layout.num_frames;
    this.channel_ids = ch.map((c) => String(c.channel));
    this.locations = ch.map((c): readonly [number, number] => [c.x, c.y]);
    this.electrodes = ch.map((c) => c.electrode);
    this.rows = Int32Array.from(ch, (c) => c.row);
    this.allChannels = ch.map((_, i) => i);
    this.offset32 = Math.fround(offset);
    if (layout.raw_dtype === 'uint16' || layout.raw_dtype === 'int16') this.getStoredChannelMajor = this.readStored.bind(this);
  }

  /**
   * µV = float32(raw × gain) + float32(offset), rounded to float32 (scaleStored): the pipeline's
   * scale step (SpikeInterface's ScaleRecording: float32 traces times float64 gains, plus
   * float32 offsets).
   */
  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    const req = this.request(startFrame, endFrame, channels);
    const k = req.rows.length;
    const out = new Float32Array((endFrame - startFrame) * k);
    this.forEachBlock(req, (block, s, n) => scaleToFrames(block, req, n, out, (s - startFrame) * k, this.gain, this.offset32));
    return out;
  }

  /** getTraces' values, one channel row after another: a contiguous scaling of each stored row. */
  getTracesChannelMajor(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    const req = this.request(startFrame, endFrame, channels);
    const k = req.rows.length;
    const total = endFrame - startFrame;
    const out = new Float32Array(total * k);
    this.forEachBlock(req, (block, s, n) => {
      for (let j = 0; j < k; j++) scaleRow(block, (req.rows[j] - req.rowMin) * n, n, out, j * total + (s - startFrame), this.gain, this.offset32);
    });
    return out;
  }

  /** The stored rows themselves; into `into` when it is large enough (a caller's recycled block). */
  private readStored(startFrame: number, endFrame: number, channels?: readonly number[], into?: ArrayBuffer): StoredTraces {
    const req = this.request(startFrame, endFrame, channels);
    const k = req.rows.length;
    const total = endFrame - startFrame;
    const storedType = this.layout.raw_dtype === 'int16' ? Int16Array : Uint16Array;
    const samples = into !== undefined && into.byteLength >= total * k * 2 ? new storedType(into, 0, total * k) : new storedType(total * k);
    this.forEachBlock(req, (block, s, n) => {
      const rows = block as Uint16Array | Int16Array;
      for (let j = 0; j < k; j++) {
        const rowBase = (req.rows[j] - req.rowMin) * n;
        samples.set(rows.subarray(rowBase, rowBase + n), j * total + (s - startFrame));
      }
    });
    return { samples, gain: this.gain, offset: this.offset32 };
  }

  /** Checks a request and settles the raw rows it reads. */
  private request(startFrame: number, endFrame: number, channels: readonly number[] | undefined): BlockRequest {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    if (channels !== undefined) checkChannelIndices(this, channels);
    if (!this.open) throw new Error(`${this.source_path}: recording is closed`);
    const sel = channels ?? this.allChannels;
    const rows = Int32Array.from(sel, (c) => this.rows[c]);
    let rowMin = rows.length > 0 ? rows[0] : 0;
    let rowMax = rowMin;
    for (const r of rows) {
      if (r < rowMin) rowMin = r;
      if (r > rowMax) rowMax = r;
    }
    return { startFrame, endFrame, rows, rowMin, rowSpan: rowMax - rowMin + 1 };
  }

  /**
   * One hyperslab over the row range covering the requested channels per block of frames:
   * routed rows are usually contiguous, and for sparse legacy /sig the extra rows cost less
   * than many reads. `use` gets each block (rowSpan rows × n frames from frame s) as a view of
   * HDF5's heap, valid during the call only: copying out of the heap straight into the
   * caller's layout spares a fresh block per read, whose page faults cost more than the copy.
   */
  private forEachBlock(req: BlockRequest, use: (block: H5NumericArray, s: number, n: number) => void): void {
    const { startFrame, endFrame, rowMin, rowSpan } = req;
    if (req.rows.length === 0 || endFrame === startFrame) return;
    const View = HEAP_VIEWS[this.layout.raw_dtype];
    if (View === undefined) {
      throw new InvalidRecordingError(`${this.source_path}: ${this.ds.path} holds 64-bit integers, not ADC samples`, {
        path: this.source_path, field: this.ds.path, expected: 'uint16 samples',
      });
    }
    const step = Math.max(1, Math.floor(MAX_SAMPLES_PER_READ / rowSpan));
    const mod = h5Runtime();
    const bytes = View.BYTES_PER_ELEMENT;
    const ptr = mod._malloc(Math.min(endFrame - startFrame, step) * rowSpan * bytes);
    if (ptr === 0) throw new RangeError(`${this.ds.path}: could not allocate a read block on the HDF5 heap`);
    try {
      for (let s = startFrame; s < endFrame; s += step) {
        const e = Math.min(endFrame, s + step);
        this.readBlock(rowMin, rowSpan, s, e, ptr);
        // Read after the call: a read may grow (and so replace) the heap.
        use(new View(mod.HEAPU8.buffer, ptr, rowSpan * (e - s)), s, e - s);
      }
    } finally {
      mod._free(ptr);
    }
  }

  /** H5Dread of one block into the heap at `ptr`; a failed read (corrupt chunk, filter error) throws. */
  private readBlock(rowMin: number, rowSpan: number, s: number, e: number, ptr: number): void {
    try {
      readHyperslabToHeap(this.ds, [[rowMin, rowMin + rowSpan], [s, e]], ptr);
    } catch (err) {
      throw this.readFailed(s, e, err instanceof Error ? err.message : String(err), err);
    }
  }

  private readFailed(s: number, e: number, detail: string, cause: unknown): InvalidRecordingError {
    return new InvalidRecordingError(`${this.source_path}: reading ${this.ds.path} frames [${s}, ${e}) failed: ${detail}`, {
      path: this.source_path, field: this.ds.path, expected: 'readable samples',
    }, { cause });
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.file.close();
  }
}

/** Local alias for the per-sample loops (global lookups are slow inside jest's vm contexts). */
const { fround } = Math;

/** Row `from` (n samples) of a block, scaled, to out[at …]. */
function scaleRow(block: H5NumericArray, from: number, n: number, out: Float32Array, at: number, g: number, o: number): void {
  for (let f = 0; f < n; f++) out[at + f] = fround(block[from + f] * g) + o;
}

/**
 * The requested rows of a block (n frames), scaled, into frame-major `out` from `at`. Frame
 * tiles: a whole channel written down a frame-major block strides by the row length (2 KB at
 * 512 channels) through the entire output; a tile keeps the frames being filled in cache
 * while every channel visits them.
 */
function scaleToFrames(block: H5NumericArray, req: BlockRequest, n: number, out: Float32Array, at: number, g: number, o: number): void {
  const k = req.rows.length;
  const TILE = 128;
  for (let f0 = 0; f0 < n; f0 += TILE) {
    const f1 = Math.min(n, f0 + TILE);
    for (let j = 0; j < k; j++) {
      const rowBase = (req.rows[j] - req.rowMin) * n;
      for (let f = f0, i = at + f0 * k + j; f < f1; f++, i += k) out[i] = fround(block[rowBase + f] * g) + o;
    }
  }
}
