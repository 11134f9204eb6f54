/**
 * Maxwell `.raw.h5` (MaxOne / MaxTwo, current and legacy layouts) as a lazy Recording.
 * Samples are streamed: each getTraces call reads one channels × frames hyperslab and
 * transposes it to frame-major µV; nothing reads the whole raw dataset.
 */
import { HDF5PluginMissingError, InvalidRecordingError, SpikeSortingClassifiedError } from '../errors';
import { checkFrameRange } from './frame_range';
import type { H5Wasm } from './h5';
import { type H5Dataset, type H5File, getDataset, isNumericArray, openH5ReadOnly } from './h5_access';
import { type MaxwellStreamLayout, type MaxwellStreamSelection, listStreams, readMaxwellLayout } from './maxwell_layout';
import type { Recording } from './recording';

export type { MaxwellStreamSelection } from './maxwell_layout';

/**
 * Filters h5wasm decodes itself (deflate, shuffle, fletcher32, nbit, scaleoffset). Maxwell's
 * own compression is a native plugin h5wasm cannot load, so such files must fail as an
 * environment problem rather than as a corrupt recording.
 */
const BUILTIN_FILTERS = new Set([1, 2, 3, 5, 6]);

/** Bound on samples per hyperslab read, so wide legacy `/sig` reads keep the wasm heap small. */
const MAX_SAMPLES_PER_READ = 8 * 1024 * 1024;

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

export async function openMaxwell(path: string, opts: MaxwellStreamSelection = {}): Promise<Recording> {
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
    const ds = rawDataset(h5, file, path, layout);
    return new MaxwellRecording(path, file, ds, layout);
  } catch (err) {
    file.close();
    throw classify(path, err);
  }
}

/** h5wasm throws plain Errors on damaged files; those are unusable recordings too. */
function classify(path: string, err: unknown): unknown {
  if (err instanceof SpikeSortingClassifiedError || err instanceof RangeError) return err;
  return new InvalidRecordingError(`${path}: could not read the Maxwell layout (damaged file?): ${String(err)}`, {
    path, field: 'file', expected: 'readable Maxwell .raw.h5',
  }, { cause: err });
}

function rawDataset(h5: H5Wasm, file: H5File, path: string, layout: MaxwellStreamLayout): H5Dataset {
  const ds = getDataset(h5, file, layout.raw_path);
  if (ds === null) throw new InvalidRecordingError(`${path}: missing dataset ${layout.raw_path}`, { path, field: layout.raw_path });
  for (const f of ds.filters) {
    if (!BUILTIN_FILTERS.has(f.id)) {
      throw new HDF5PluginMissingError(
        `${path}: ${layout.raw_path} is compressed with HDF5 filter ${f.id} (${f.name || 'unnamed'}), which the built-in ` +
          'HDF5 reader cannot decode (Maxwell compression needs the vendor plugin); decompress the file first',
        { filter_id: f.id, file: path },
      );
    }
  }
  return ds;
}

class MaxwellRecording implements Recording {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[];
  private readonly rows: Int32Array;
  private readonly rowMin: number;
  private readonly rowSpan: number;
  private readonly gain: number;
  private open = true;

  constructor(
    readonly source_path: string,
    private readonly file: H5File,
    private readonly ds: H5Dataset,
    layout: MaxwellStreamLayout,
  ) {
    const ch = layout.channels;
    this.sampling_frequency = layout.sampling_frequency;
    this.num_channels = ch.length;
    this.num_frames = layout.num_frames;
    this.channel_ids = ch.map((c) => String(c.channel));
    this.locations = ch.map((c): readonly [number, number] => [c.x, c.y]);
    this.electrodes = ch.map((c) => c.electrode);
    this.rows = Int32Array.from(ch, (c) => c.row);
    // One hyperslab over the row range covering every channel: routed rows are usually
    // contiguous, and for sparse legacy /sig the extra rows cost less than many reads.
    this.rowMin = Math.min(...this.rows);
    this.rowSpan = Math.max(...this.rows) - this.rowMin + 1;
    this.gain = layout.gain_to_uv;
  }

  getTraces(startFrame: number, endFrame: number): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    if (!this.open) throw new Error(`${this.source_path}: recording is closed`);
    const nch = this.num_channels;
    const out = new Float32Array((endFrame - startFrame) * nch);
    const step = Math.max(1, Math.floor(MAX_SAMPLES_PER_READ / this.rowSpan));
    for (let s = startFrame; s < endFrame; s += step) {
      const e = Math.min(endFrame, s + step);
      const n = e - s;
      const block = this.readBlock(s, e);
      const outBase = (s - startFrame) * nch;
      for (let c = 0; c < nch; c++) {
        const rowBase = (this.rows[c] - this.rowMin) * n;
        for (let f = 0; f < n; f++) out[outBase + f * nch + c] = block[rowBase + f] * this.gain;
      }
    }
    return out;
  }

  private readBlock(s: number, e: number): ArrayLike<number> {
    let block: unknown;
    try {
      block = this.ds.slice([[this.rowMin, this.rowMin + this.rowSpan], [s, e]]);
    } catch (err) {
      throw new InvalidRecordingError(`${this.source_path}: reading ${this.ds.path} frames [${s}, ${e}) failed: ${String(err)}`, {
        path: this.source_path, field: this.ds.path, expected: 'readable samples',
      }, { cause: err });
    }
    if (!isNumericArray(block) || block.length !== this.rowSpan * (e - s)) {
      throw new InvalidRecordingError(`${this.source_path}: ${this.ds.path} returned an unexpected block for frames [${s}, ${e})`, {
        path: this.source_path, field: this.ds.path, expected: 'integer samples',
      });
    }
    return block;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.file.close();
  }
}
