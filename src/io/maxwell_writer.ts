/**
 * Writes current-layout Maxwell `.raw.h5` files (pipeline spec §3.2, §6 #41): a 1-element
 * `version` byte string, `/wells/<well>/<rec>/settings/{mapping, sampling, lsb|gain}`,
 * `groups/routed/{raw, channels}` and the `/data_store/data0000/groups/routed/raw` probe
 * target (a hard link to the first well's raw). Samples come from a callback in frame
 * blocks, so a long recording is never held in memory.
 */
import { renameSync, rmSync } from 'node:fs';
import type { H5Wasm } from './h5';
import { loadH5Wasm } from './h5';
import { type H5File, ensureGroup } from './h5_access';
import type { MaxwellMappingRow } from './maxwell_channels';

export interface MaxwellWellToWrite {
  well: string;
  /** Recording group name; default `rec0000`. */
  rec?: string;
  sampling_frequency: number;
  /** Volts per bit; written as `settings/lsb` when given. */
  lsb?: number;
  /** Written as `settings/gain` when given (readers use it only without lsb). */
  gain?: number;
  /** Written as is: a well-formed file has one row per routed channel, in raw-row order. */
  mapping: readonly MaxwellMappingRow[];
  /** Channel number per raw row; default: the mapping's channels ≥ 0, in mapping order. */
  routed_channels?: readonly number[];
  /** false: leave `groups/routed/channels` out (older files lack it). Default true. */
  write_routed_channels?: boolean;
  num_frames: number;
  /**
   * Fills `out` (raw rows × (endFrame − startFrame), row-major, uint16) for frames
   * [startFrame, endFrame). Called with consecutive, increasing ranges, one well at a time.
   */
  fill: (startFrame: number, endFrame: number, out: Uint16Array) => void;
}

export interface MaxwellWriteOptions {
  /** `version` string; anything > 20160704 selects the current layout. Default `20190530`. */
  version?: string;
  /** Write the `/data_store` probe target the reference extractor requires. Default true. */
  data_store?: boolean;
}

/** Bytes per HDF5 chunk of the raw dataset: small enough for HDF5's 1 MiB chunk cache. */
const CHUNK_BYTES = 256 * 1024;
/** About one second at 20 kHz per fill() call, rounded to whole chunks. */
const TARGET_BLOCK_FRAMES = 20000;

export async function writeMaxwellH5(path: string, wells: readonly MaxwellWellToWrite[], opts: MaxwellWriteOptions = {}): Promise<void> {
  if (wells.length === 0) throw new RangeError(`${path}: writeMaxwellH5 needs at least one well`);
  const h5 = await loadH5Wasm();
  // Write beside the target and rename at the end, so an interrupted run never leaves a
  // half-written file under the final name.
  const partial = `${path}.partial-${process.pid}`;
  const file = new h5.File(partial, 'w');
  try {
    const version = opts.version ?? '20190530';
    file.create_dataset({ name: 'version', data: [version], dtype: `S${version.length}` });
    let firstRaw: string | null = null;
    for (const well of wells) {
      const rawPath = writeWell(h5, file, well);
      firstRaw ??= rawPath;
    }
    if ((opts.data_store ?? true) && firstRaw !== null) {
      ensureGroup(h5, file, 'data_store/data0000/groups/routed');
      file.create_hard_link(firstRaw, 'data_store/data0000/groups/routed/raw');
    }
    file.close();
    renameSync(partial, path);
  } catch (err) {
    try { file.close(); } catch { /* already closed */ }
    rmSync(partial, { force: true });
    throw err;
  }
}

function writeWell(h5: H5Wasm, file: H5File, w: MaxwellWellToWrite): string {
  const base = `wells/${w.well}/${w.rec ?? 'rec0000'}`;
  const settings = ensureGroup(h5, file, `${base}/settings`);
  settings.create_dataset({
    name: 'mapping',
    data: new Map<string, Int32Array | Float64Array>([
      ['channel', Int32Array.from(w.mapping, (m) => m.channel)],
      ['electrode', Int32Array.from(w.mapping, (m) => m.electrode)],
      ['x', Float64Array.from(w.mapping, (m) => m.x)],
      ['y', Float64Array.from(w.mapping, (m) => m.y)],
    ]),
    dtype: [['channel', '<i4'], ['electrode', '<i4'], ['x', '<f8'], ['y', '<f8']],
  });
  settings.create_dataset({ name: 'sampling', data: new Float64Array([w.sampling_frequency]) });
  if (w.lsb !== undefined) settings.create_dataset({ name: 'lsb', data: new Float64Array([w.lsb]) });
  if (w.gain !== undefined) settings.create_dataset({ name: 'gain', data: new Float64Array([w.gain]) });

  const routed = w.routed_channels ?? w.mapping.filter((m) => m.channel >= 0).map((m) => m.channel);
  const group = ensureGroup(h5, file, `${base}/groups/routed`);
  if (w.write_routed_channels ?? true) group.create_dataset({ name: 'channels', data: Int32Array.from(routed) });

  const rows = routed.length;
  if (rows === 0 || w.num_frames === 0) {
    // Chunk dimensions must be positive, so an empty raw dataset is stored contiguous.
    group.create_dataset({ name: 'raw', data: new Uint16Array(0), shape: [rows, w.num_frames], dtype: '<H' });
    return `/${base}/groups/routed/raw`;
  }
  const chunkFrames = Math.max(64, Math.floor(CHUNK_BYTES / (2 * rows)));
  const blockFrames = chunkFrames * Math.max(1, Math.round(TARGET_BLOCK_FRAMES / chunkFrames));
  const raw = group.create_dataset({
    name: 'raw', data: new Uint16Array(0), shape: [rows, 0], maxshape: [rows, null], chunks: [rows, chunkFrames], dtype: '<H',
  });
  raw.resize([rows, w.num_frames]);
  const block = new Uint16Array(rows * blockFrames);
  for (let s = 0; s < w.num_frames; s += blockFrames) {
    const e = Math.min(w.num_frames, s + blockFrames);
    const view = block.subarray(0, rows * (e - s));
    w.fill(s, e, view);
    raw.write_slice([[0, rows], [s, e]], view);
  }
  return `/${base}/groups/routed/raw`;
}
