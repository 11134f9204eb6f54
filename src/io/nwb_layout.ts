/**
 * Reads the structure of an NWB 2.x HDF5 file without touching the samples: which
 * ElectricalSeries it holds, the selected series' data shape and type, its timing, the
 * electrode-table rows it records from, and the stored-unit → µV scaling.
 *
 * Conventions follow SpikeInterface 0.104.9's NwbRecordingExtractor (h5py backend), the
 * reference the pipeline spec (§3.1) loads NWB with, so the same file gives the same channel
 * ids, locations, sampling rate and µV here and there. Where SpikeInterface fails on valid
 * NWB (unsorted electrode regions, no rel_x/rel_y) we read the file and say so in `details`.
 */
import { HDF5PluginMissingError, InvalidRecordingError } from '../errors';
import { type H5Wasm, decodableFilters } from './h5';
import type { H5Dataset, H5File, H5Group } from './h5_access';
import { getDataset, numericDtype, readHyperslab } from './h5_access';
import type { FrameGap } from './recording';

/** HDF5 H5T_class_t values (a stable C enum; h5wasm's default export does not expose it). */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

export const ELECTRODES_TABLE = 'general/extracellular_ephys/electrodes';

/** SpikeInterface estimates a rate from this many leading timestamps (`samples_for_rate_estimation`). */
const TIMESTAMPS_FOR_RATE = 1000;
/** Timestamps read per block when checking regularity, so long recordings stay in bounded memory. */
const TIMESTAMP_BLOCK = 1 << 20;
/** An interval further than this fraction of a period from 1/fs counts as irregular. */
const IRREGULAR_TOLERANCE = 0.1;

const { fround } = Math;

export type NwbDtype = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export interface NwbSeriesRef {
  /** Stream id: the series name under /acquisition, else its path without the leading '/'. */
  stream_id: string;
  /** Path without the leading '/', as SpikeInterface's `electrical_series_path` spells it. */
  series_path: string;
}

export interface NwbLayout {
  stream: NwbSeriesRef;
  streams: NwbSeriesRef[];
  data: H5Dataset;
  dtype: NwbDtype;
  /** Rank-1 data holds a single channel (SpikeInterface reads it as frames × 1). */
  rank: 1 | 2;
  num_frames: number;
  num_channels: number;
  sampling_frequency: number;
  t_start: number;
  frame_gaps: FrameGap[];
  /** Electrode-table row per channel, in data-column order. */
  electrode_rows: number[];
  /** Electrode-table `id` per channel. */
  electrode_ids: number[];
  channel_ids: string[];
  locations: [number, number][];
  /** `group_name` column per channel, null when the table has none. */
  channel_groups: string[] | null;
  /** `location` column (brain area) per channel, null when the table has none. */
  brain_areas: string[] | null;
  /** File scaling as SpikeInterface computes it (before its float32 cast). */
  gain_to_uv: number[];
  offset_to_uv: number[];
  details: Record<string, string | number | boolean | null>;
}

type H5Object = H5Group | H5Dataset;

function invalid(path: string, message: string, field: string, expected: string): InvalidRecordingError {
  return new InvalidRecordingError(`${path}: ${message}`, { path, field, expected });
}

function hasAttr(obj: H5Object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj.attrs, name);
}

function stringAttr(obj: H5Object, name: string): string | null {
  if (!hasAttr(obj, name)) return null;
  const v = obj.attrs[name].value;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  return null;
}

function stringListAttr(obj: H5Object, name: string): string[] {
  if (!hasAttr(obj, name)) return [];
  const v = obj.attrs[name].value;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** A number plus whether HDF5 stores it as float32, which decides numpy's arithmetic precision. */
interface StoredNumber {
  value: number;
  float32: boolean;
}

function numberAttr(obj: H5Object, name: string): StoredNumber | null {
  if (!hasAttr(obj, name)) return null;
  const attr = obj.attrs[name];
  const { type, size } = attr.metadata;
  if (type !== H5T_INTEGER && type !== H5T_FLOAT) return null;
  const value = firstNumber(attr.value);
  return value === null ? null : { value, float32: type === H5T_FLOAT && size === 4 };
}

function firstNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number | bigint>;
    return arr.length === 1 ? Number(arr[0]) : null;
  }
  return null;
}

/** Every element of a numeric dataset as numbers (small datasets only: columns, regions). */
function numericColumn(ds: H5Dataset): { values: number[]; float32: boolean } | null {
  const { type, size } = ds.metadata;
  if (type !== H5T_INTEGER && type !== H5T_FLOAT) return null;
  const v = ds.value;
  let values: number[];
  if (typeof v === 'number' || typeof v === 'bigint') values = [Number(v)];
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) values = Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  else return null;
  return { values, float32: type === H5T_FLOAT && size === 4 };
}

function stringColumn(ds: H5Dataset): string[] | null {
  if (ds.metadata.type !== H5T_STRING) return null;
  const v = ds.value;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  return null;
}

export function dtypeName(ds: H5Dataset): NwbDtype | null {
  const { type, size, signed, littleEndian } = ds.metadata;
  // h5wasm hands back the stored bytes in a host-order typed array, so big-endian data would
  // come out byte-swapped.
  if (!littleEndian && size > 1) return null;
  if (type === H5T_INTEGER && [1, 2, 4, 8].includes(size)) return `${signed ? 'int' : 'uint'}${size * 8}` as NwbDtype;
  if (type === H5T_FLOAT && (size === 4 || size === 8)) return `float${size * 8}` as NwbDtype;
  return null;
}

/**
 * Every group whose `neurodata_type` is exactly ElectricalSeries, anywhere in the file, in
 * the walk order SpikeInterface's `_find_neurodata_type_from_backend` uses (so subtypes such
 * as SpikeEventSeries are not streams there either).
 */
export function findElectricalSeries(h5: H5Wasm, file: H5File): NwbSeriesRef[] {
  const out: NwbSeriesRef[] = [];
  const walk = (g: H5Group, prefix: string, depth: number): void => {
    // NWB nests a handful of levels; the bound guards against link cycles.
    if (depth > 12) return;
    for (const name of g.keys()) {
      // Schema text only; walking it costs time and can hold no series.
      if (prefix === '' && name === 'specifications') continue;
      const child = g.get(name);
      if (!(child instanceof h5.Group)) continue;
      const p = prefix === '' ? name : `${prefix}/${name}`;
      if (stringAttr(child, 'neurodata_type') === 'ElectricalSeries') out.push({ series_path: p, stream_id: streamIdOf(p) });
      walk(child, p, depth + 1);
    }
  };
  walk(file, '', 0);
  return out;
}

function streamIdOf(seriesPath: string): string {
  const m = /^acquisition\/([^/]+)$/.exec(seriesPath);
  return m ? m[1] : seriesPath;
}

/** Accepts our ids (`ElectricalSeries`) and SpikeInterface's (`acquisition/ElectricalSeries`, with or without a leading '/'). */
function matchStream(streams: NwbSeriesRef[], wanted: string): NwbSeriesRef | null {
  const w = wanted.replace(/^\/+/, '');
  return streams.find((s) => s.stream_id === w || s.series_path === w) ?? null;
}

function pickSeries(path: string, h5: H5Wasm, file: H5File, wanted: string | null): { stream: NwbSeriesRef; streams: NwbSeriesRef[] } {
  const acquisition = file.keys().includes('acquisition') ? file.get('acquisition') : null;
  const streams = findElectricalSeries(h5, file);
  if (!(acquisition instanceof h5.Group) && streams.length === 0) {
    throw invalid(path, 'missing group /acquisition: not an NWB 2.x file with raw data (expected /acquisition/<ElectricalSeries>)',
      '/acquisition', 'NWB 2.x file with an ElectricalSeries');
  }
  const ids = streams.map((s) => s.stream_id);
  if (streams.length === 0) {
    const found = acquisition instanceof h5.Group ? acquisition.keys() : [];
    throw invalid(path, `contains no ElectricalSeries (/acquisition holds: ${found.length ? found.join(', ') : 'nothing'})`,
      'ElectricalSeries', 'at least one ElectricalSeries');
  }
  if (wanted !== null) {
    const hit = matchStream(streams, wanted);
    if (hit === null) {
      throw invalid(path, `ElectricalSeries '${wanted}' not found; available streams: ${ids.join(', ')}`, 'stream_id',
        `one of ${ids.join(', ')}`);
    }
    return { stream: hit, streams };
  }
  if (streams.length > 1) {
    throw invalid(path, `contains ${streams.length} ElectricalSeries (${ids.join(', ')}); choose one with stream_id`, 'stream_id',
      `one of ${ids.join(', ')}`);
  }
  return { stream: streams[0], streams };
}

export function listNwbStreamIds(h5: H5Wasm, file: H5File): string[] {
  return findElectricalSeries(h5, file).map((s) => s.stream_id);
}

function checkFilters(path: string, ds: H5Dataset): string | null {
  const names: string[] = [];
  const decodable = decodableFilters();
  for (const f of ds.filters) {
    if (!decodable.has(f.id)) {
      throw new HDF5PluginMissingError(
        `${path}: ${ds.path} is compressed with HDF5 filter ${f.id} (${f.name || 'unnamed'}), which this HDF5 reader ` +
          `cannot decode (it has ${[...decodable.values()].join(', ')}); rewrite the file with gzip or no compression (e.g. h5repack -f NONE)`,
        { filter_id: f.id, file: path },
      );
    }
    names.push(f.id === 1 ? 'gzip' : f.name || `filter ${f.id}`);
  }
  return names.length ? names.join('+') : null;
}

export function readNwbLayout(h5: H5Wasm, file: H5File, path: string, streamId: string | null): NwbLayout {
  const { stream, streams } = pickSeries(path, h5, file, streamId);
  const sp = stream.series_path;
  const data = getDataset(h5, file, `${sp}/data`);
  if (data === null) throw invalid(path, `missing dataset /${sp}/data`, `/${sp}/data`, 'frames × channels samples');
  const dtype = dtypeName(data);
  if (dtype === null) {
    const m = data.metadata;
    throw invalid(path, `/${sp}/data has an unsupported sample type (HDF5 class ${m.type}, ${m.size} bytes, ` +
      `${m.littleEndian ? 'little' : 'big'}-endian)`, `/${sp}/data`, 'little-endian integer or float32/float64 samples');
  }
  const compression = checkFilters(path, data);
  const shape = data.shape ?? [];
  const region = readRegion(h5, file, path, sp);
  if (shape.length !== 2 && !(shape.length === 1 && region.length === 1)) {
    throw invalid(path, `/${sp}/data has shape [${shape.join(', ')}]; expected 2 dimensions (frames × channels)` +
      (shape.length === 1 ? ' or 1 dimension for a single-electrode series' : ''), `/${sp}/data`, 'frames × channels');
  }
  const numFrames = shape[0];
  const numChannels = shape.length === 2 ? shape[1] : 1;
  if (region.length !== numChannels) {
    throw invalid(path, `/${sp}/electrodes lists ${region.length} electrodes but /${sp}/data has ${numChannels} channels`,
      `/${sp}/electrodes`, `${numChannels} electrode-table rows`);
  }
  if (numChannels === 0) throw invalid(path, `/${sp}/data has 0 channels`, `/${sp}/data`, 'at least one channel');
  if (numFrames === 0) {
    throw invalid(path, `/${sp}/data has 0 samples (Cannot estimate noise levels on an empty recording)`, `/${sp}/data`,
      'at least one sample');
  }

  const table = readElectrodes(h5, file, path, region);
  const time = readTiming(h5, file, path, sp, numFrames);
  const scaling = readScaling(h5, file, path, sp, data, region, numChannels);
  const details: Record<string, string | number | boolean | null> = {
    nwb_version: stringAttr(file, 'nwb_version'),
    electrical_series_path: sp,
    electrodes_table: `/${ELECTRODES_TABLE}`,
    unit: stringAttr(data, 'unit'),
    compression,
    chunks: data.metadata.chunks ? data.metadata.chunks.join('x') : null,
    ...time.details,
    ...scaling.details,
    ...table.details,
  };
  return {
    stream, streams, data, dtype, rank: shape.length === 2 ? 2 : 1, num_frames: numFrames, num_channels: numChannels,
    sampling_frequency: time.sampling_frequency, t_start: time.t_start, frame_gaps: time.frame_gaps,
    electrode_rows: region, electrode_ids: table.ids, channel_ids: table.channel_ids, locations: table.locations,
    channel_groups: table.groups, brain_areas: table.areas,
    gain_to_uv: scaling.gains, offset_to_uv: scaling.offsets, details,
  };
}

function readRegion(h5: H5Wasm, file: H5File, path: string, sp: string): number[] {
  const ds = getDataset(h5, file, `${sp}/electrodes`);
  const col = ds === null ? null : numericColumn(ds);
  if (ds === null || col === null) {
    throw invalid(path, `missing or non-integer dataset /${sp}/electrodes (the electrode-table region of the series)`,
      `/${sp}/electrodes`, 'DynamicTableRegion of electrode-table row indices');
  }
  return col.values;
}

interface ElectrodeFacts {
  ids: number[];
  channel_ids: string[];
  locations: [number, number][];
  groups: string[] | null;
  areas: string[] | null;
  details: Record<string, string | number | boolean | null>;
}

function readElectrodes(h5: H5Wasm, file: H5File, path: string, rows: number[]): ElectrodeFacts {
  const tablePath = `/${ELECTRODES_TABLE}`;
  const table = file.keys().includes('general') ? h5Group(h5, file, ELECTRODES_TABLE) : null;
  if (table === null) throw invalid(path, `missing electrodes table ${tablePath}`, tablePath, 'NWB ElectrodesTable');
  const column = (name: string): H5Dataset | null => (table.keys().includes(name) ? getDataset(h5, table, name) : null);
  const idDs = column('id');
  const ids = idDs === null ? null : numericColumn(idDs);
  if (ids === null) throw invalid(path, `missing or non-integer ${tablePath}/id`, `${tablePath}/id`, 'electrode ids');
  const nRows = ids.values.length;
  rows.forEach((r) => {
    if (!Number.isInteger(r) || r < 0 || r >= nRows) {
      throw invalid(path, `electrode region refers to row ${r} but ${tablePath} has ${nRows} rows`, tablePath, `rows in [0, ${nRows})`);
    }
  });
  const pick = <T>(values: readonly T[], name: string): T[] => {
    if (values.length !== nRows) {
      throw invalid(path, `${tablePath}/${name} has ${values.length} rows but the table has ${nRows}`, `${tablePath}/${name}`,
        `${nRows} rows`);
    }
    return rows.map((r) => values[r]);
  };
  const strings = (name: string): string[] | null => {
    const ds = column(name);
    if (ds === null) return null;
    const v = stringColumn(ds);
    if (v === null) throw invalid(path, `${tablePath}/${name} is not a string column`, `${tablePath}/${name}`, 'strings');
    return pick(v, name);
  };
  const numbers = (name: string): number[] | null => {
    const ds = column(name);
    if (ds === null) return null;
    const v = numericColumn(ds);
    if (v === null) throw invalid(path, `${tablePath}/${name} is not a numeric column`, `${tablePath}/${name}`, 'numbers');
    return pick(v.values, name);
  };

  const electrodeIds = pick(ids.values, 'id');
  // SpikeInterface's choice: `channel_name` when the table declares it, else the row ids.
  const colnames = stringListAttr(table, 'colnames');
  const names = colnames.includes('channel_name') ? strings('channel_name') : null;
  const channelIds = names ?? electrodeIds.map(String);
  const dup = channelIds.find((id, i) => channelIds.indexOf(id) !== i);
  if (dup !== undefined) {
    throw invalid(path, `channel id '${dup}' appears twice among the series' electrodes (${names ? 'channel_name' : 'id'} column)`,
      `${tablePath}/${names ? 'channel_name' : 'id'}`, 'unique channel ids');
  }

  // rel_x/rel_y (position on the probe) is what SpikeInterface uses; x/y (brain coordinates)
  // is our fallback where it has none, since a sorter needs some geometry.
  let source: string | null = null;
  let xs: number[] | null = null;
  let ys: number[] | null = null;
  for (const [cx, cy] of [['rel_x', 'rel_y'], ['x', 'y']]) {
    if (column(cx) !== null && column(cy) !== null) {
      xs = numbers(cx);
      ys = numbers(cy);
      source = `${cx}/${cy}`;
      break;
    }
  }
  if (xs === null || ys === null || source === null) {
    throw invalid(path, `${tablePath} has no rel_x/rel_y or x/y columns, so channel locations are unknown`, tablePath,
      'rel_x and rel_y (or x and y) columns');
  }
  const locations = xs.map((x, i): [number, number] => [x, (ys as number[])[i]]);
  const bad = locations.findIndex(([x, y]) => !Number.isFinite(x) || !Number.isFinite(y));
  if (bad >= 0) {
    throw invalid(path, `${tablePath} ${source} of channel ${channelIds[bad]} is not a finite number`, `${tablePath}/${source}`,
      'finite µm coordinates');
  }
  const groups = strings('group_name');
  const areas = strings('location');
  const unique = (v: string[] | null): string | null => (v === null ? null : [...new Set(v)].join(', '));
  return {
    ids: electrodeIds, channel_ids: channelIds, locations, groups, areas,
    details: {
      channel_ids_from: names ? 'channel_name' : 'id',
      locations_from: source,
      groups: unique(groups),
      brain_areas: unique(areas),
      electrode_region_sorted: rows.every((r, i) => i === 0 || rows[i - 1] < r),
    },
  };
}

function h5Group(h5: H5Wasm, root: H5Group, p: string): H5Group | null {
  let g: H5Group = root;
  for (const part of p.split('/')) {
    if (!g.keys().includes(part)) return null;
    const child = g.get(part);
    if (!(child instanceof h5.Group)) return null;
    g = child;
  }
  return g;
}

interface Timing {
  sampling_frequency: number;
  t_start: number;
  frame_gaps: FrameGap[];
  details: Record<string, string | number | boolean | null>;
}

function readTiming(h5: H5Wasm, file: H5File, path: string, sp: string, numFrames: number): Timing {
  const starting = getDataset(h5, file, `${sp}/starting_time`);
  if (starting !== null) {
    const rate = numberAttr(starting, 'rate');
    const t0 = numericColumn(starting);
    if (rate === null || !(rate.value > 0) || !Number.isFinite(rate.value)) {
      throw invalid(path, `/${sp}/starting_time has no positive 'rate' attribute`, `/${sp}/starting_time`, 'rate attribute in Hz');
    }
    const tStart = t0?.values[0] ?? 0;
    return { sampling_frequency: rate.value, t_start: tStart, frame_gaps: [], details: { time_from: 'rate', t_start: tStart } };
  }
  const ts = getDataset(h5, file, `${sp}/timestamps`);
  if (ts === null) {
    throw invalid(path, `/${sp} has neither starting_time nor timestamps (TimeSeries must have either starting_time or timestamps)`,
      `/${sp}/starting_time`, 'starting_time with a rate, or timestamps');
  }
  const { type, size } = ts.metadata;
  const n = (ts.shape ?? [])[0] ?? 0;
  if ((type !== H5T_FLOAT && type !== H5T_INTEGER) || (ts.shape ?? []).length !== 1 || n < 2) {
    throw invalid(path, `/${sp}/timestamps must be a 1-D numeric dataset with at least 2 values`, `/${sp}/timestamps`,
      'one time per frame (s)');
  }
  if (n !== numFrames) {
    throw invalid(path, `/${sp}/timestamps has ${n} values but /${sp}/data has ${numFrames} frames`, `/${sp}/timestamps`,
      `${numFrames} timestamps`);
  }
  const f32 = type === H5T_FLOAT && size === 4;
  const head = readFloats(ts, 0, Math.min(n, TIMESTAMPS_FOR_RATE));
  const fs = rateFromTimestamps(head, f32);
  if (!(fs > 0) || !Number.isFinite(fs)) {
    throw invalid(path, `/${sp}/timestamps do not increase (estimated rate ${fs} Hz)`, `/${sp}/timestamps`, 'increasing times (s)');
  }
  const scan = scanTimestamps(ts, n, fs);
  return {
    sampling_frequency: fs, t_start: head[0], frame_gaps: scan.gaps,
    details: {
      time_from: 'timestamps', t_start: head[0],
      timestamps_regular: scan.irregular === 0,
      timestamps_irregular_intervals: scan.irregular,
      timestamps_min_interval_s: scan.min,
      timestamps_max_interval_s: scan.max,
      // Clock drift against the estimated rate over the whole recording.
      timestamps_drift_s: scan.last - head[0] - (n - 1) / fs,
    },
  };
}

function readFloats(ds: H5Dataset, s: number, e: number): Float64Array {
  const dtype = numericDtype(ds.metadata);
  if (dtype === null) throw new Error(`${ds.path}: timestamps are not numeric`);
  const v = readHyperslab(ds, dtype, [[s, e]]);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Float64Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  throw new Error(`${ds.path}: unexpected timestamp block`);
}

/**
 * `1.0 / np.median(np.diff(timestamps[:1000]))` with numpy's arithmetic: float32 timestamps
 * keep every step in float32 (numpy 2 promotion), float64 ones in double.
 */
export function rateFromTimestamps(head: Float64Array, float32: boolean): number {
  const r = float32 ? fround : (x: number): number => x;
  const d = new Float64Array(head.length - 1);
  for (let i = 0; i < d.length; i++) d[i] = r(head[i + 1] - head[i]);
  d.sort();
  const m = d.length;
  const median = m % 2 === 1 ? d[(m - 1) / 2] : r(r(d[m / 2 - 1] + d[m / 2]) / 2);
  return r(1 / median);
}

function scanTimestamps(ts: H5Dataset, n: number, fs: number): { gaps: FrameGap[]; irregular: number; min: number; max: number; last: number } {
  const gaps: FrameGap[] = [];
  let irregular = 0;
  let min = Infinity;
  let max = -Infinity;
  let prev = Number.NaN;
  const { abs, round } = Math;
  for (let s = 0; s < n; s += TIMESTAMP_BLOCK) {
    const block = readFloats(ts, s, Math.min(n, s + TIMESTAMP_BLOCK));
    for (let i = 0; i < block.length; i++) {
      const t = block[i];
      if (s + i > 0) {
        const d = t - prev;
        if (d < min) min = d;
        if (d > max) max = d;
        const periods = d * fs;
        if (!(abs(periods - 1) <= IRREGULAR_TOLERANCE)) {
          irregular++;
          if (periods > 1.5) gaps.push({ after_frame: s + i - 1, missing_frames: round(periods) - 1 });
        }
      }
      prev = t;
    }
  }
  return { gaps, irregular, min, max, last: prev };
}

interface Scaling {
  gains: number[];
  offsets: number[];
  details: Record<string, string | number | boolean | null>;
}

/**
 * SpikeInterface's `_fetch_main_properties_backend`: gain = conversion × 1e6 [× channel_conversion],
 * offset = offset × 1e6, or the electrodes table's `offset` column × 1e6 when the series offset
 * is 0. Products follow numpy 2's promotion: a float32 HDF5 value times the Python float 1e6
 * stays float32; float32 × float64 arrays become float64.
 */
function readScaling(h5: H5Wasm, file: H5File, path: string, sp: string, data: H5Dataset, rows: number[], nch: number): Scaling {
  const conv = numberAttr(data, 'conversion') ?? { value: 1, float32: false };
  const off = numberAttr(data, 'offset') ?? { value: 0, float32: false };
  const mul = (a: number, b: number, f32: boolean): number => (f32 ? fround(a * b) : a * b);

  let gains = new Array<number>(nch).fill(mul(conv.value, 1e6, conv.float32));
  const ccDs = getDataset(h5, file, `${sp}/channel_conversion`);
  if (ccDs !== null) {
    const cc = numericColumn(ccDs);
    if (cc === null || cc.values.length !== nch) {
      throw invalid(path, `/${sp}/channel_conversion must hold one number per channel (${nch})`, `/${sp}/channel_conversion`,
        `${nch} numbers`);
    }
    gains = gains.map((g, i) => mul(g, cc.values[i], conv.float32 && cc.float32));
  }

  let offsets = new Array<number>(nch).fill(mul(off.value, 1e6, off.float32));
  let offsetFrom = hasAttr(data, 'offset') ? 'offset attribute' : 'none';
  const col = off.value === 0 ? getDataset(h5, file, `${ELECTRODES_TABLE}/offset`) : null;
  if (col !== null) {
    const v = numericColumn(col);
    if (v === null || rows.some((r) => r >= v.values.length)) {
      throw invalid(path, `/${ELECTRODES_TABLE}/offset is not a numeric column covering the series' electrodes`,
        `/${ELECTRODES_TABLE}/offset`, 'one offset (V) per electrode-table row');
    }
    offsets = rows.map((r) => mul(v.values[r], 1e6, v.float32));
    offsetFrom = 'electrodes offset column';
  }
  return {
    gains, offsets,
    details: {
      conversion: conv.value, offset: off.value, channel_conversion: ccDs !== null, offset_from: offsetFrom,
      resolution: numberAttr(data, 'resolution')?.value ?? null,
    },
  };
}
