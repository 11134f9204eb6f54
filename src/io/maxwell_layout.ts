/**
 * Reads the structure of a Maxwell `.raw.h5` file (pipeline spec §3.2) without touching the
 * samples: version, streams (wells), the selected stream's settings, mapping and the raw
 * dataset's shape. Everything wrong with the layout becomes an InvalidRecordingError that
 * names the file and the missing or malformed dataset.
 */
import { InvalidRecordingError } from '../errors';
import type { H5Wasm } from './h5';
import {
  type H5Dataset, type H5File, type NumericDtype, getDataset, groupKeys, numericDtype, readFirstString, readNumbers,
} from './h5_access';
import {
  type MaxwellChannel, type MaxwellGainSource, type MaxwellLayoutKind, type MaxwellMappingRow, type MaxwellSetting,
  maxwellGainToUv, resolveMaxwellChannels,
} from './maxwell_channels';

/** Last version of the legacy MaxOne layout (`/sig`, `/mapping`, fs fixed at 20 kHz). */
export const MAXWELL_LEGACY_VERSION = 20160704;
const LEGACY_SAMPLING_FREQUENCY = 20000;
const LEGACY_STREAM = 'well000';
/**
 * Legacy `/sig`: MaxOne's 1024 amplifier channels, then status rows whose last two hold the
 * frame number's low and high 16 bits (what SpikeInterface's MaxwellEventExtractor reads).
 */
const LEGACY_CHANNEL_ROWS = 1024;

export interface MaxwellStreamSelection {
  stream_id?: string | null;
  rec_name?: string | null;
}

/** Where a stream's frame numbers live. */
export type MaxwellFrameNumbers =
  | { kind: 'dataset'; path: string }
  | { kind: 'sig_rows'; low_row: number; high_row: number };

export interface MaxwellStreamLayout {
  kind: MaxwellLayoutKind;
  version: number;
  stream_id: string;
  /** Every well of the file (`['well000']` for legacy), whether or not it holds the chosen recording. */
  streams: string[];
  /** Recording group (`rec0000`…); null for the legacy layout. */
  rec_name: string | null;
  /** Absolute dataset path of the channels × samples integer data. */
  raw_path: string;
  raw_dtype: NumericDtype;
  raw_rows: number;
  num_frames: number;
  sampling_frequency: number;
  gain_to_uv: number;
  gain_source: MaxwellGainSource;
  /** `settings/lsb` (V/bit) when present. */
  lsb: number | null;
  frame_numbers: MaxwellFrameNumbers | null;
  channels: MaxwellChannel[];
}

function invalid(path: string, message: string, field: string, expected: string): InvalidRecordingError {
  return new InvalidRecordingError(`${path}: ${message}`, { path, field, expected });
}

export function readMaxwellVersion(h5: H5Wasm, file: H5File, path: string): number {
  const ds = getDataset(h5, file, 'version');
  if (ds === null) {
    throw invalid(path, 'missing dataset /version: not a Maxwell .raw.h5 file (expected /version and /wells or /sig)', '/version',
      'Maxwell .raw.h5 layout');
  }
  const text = readFirstString(ds) ?? readNumbers(ds)?.[0]?.toString() ?? null;
  const version = text === null ? Number.NaN : Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(version)) {
    throw invalid(path, `/version does not hold an integer string (got ${JSON.stringify(text)})`, '/version', 'e.g. [b"20190530"]');
  }
  if (version < MAXWELL_LEGACY_VERSION) {
    throw invalid(path, `Maxwell file version ${version} is not supported (oldest known layout is ${MAXWELL_LEGACY_VERSION})`,
      '/version', `>= ${MAXWELL_LEGACY_VERSION}`);
  }
  return version;
}

/** Well → recording-group names of the current layout, sorted. */
function wellRecs(h5: H5Wasm, file: H5File, path: string): Map<string, string[]> {
  const wells = groupKeys(h5, file, 'wells');
  if (wells === null) {
    throw invalid(path, 'missing group /wells (current Maxwell layout: /wells/<well>/<rec>/groups/routed/raw)', '/wells',
      'Maxwell .raw.h5 layout');
  }
  const out = new Map<string, string[]>();
  for (const well of [...wells].sort()) out.set(well, [...(groupKeys(h5, file, `wells/${well}`) ?? [])].sort());
  return out;
}

/** Stream ids (wells) of a Maxwell file: `well000` for the legacy layout. */
export function listStreams(h5: H5Wasm, file: H5File, path: string): string[] {
  const version = readMaxwellVersion(h5, file, path);
  if (version === MAXWELL_LEGACY_VERSION) return [LEGACY_STREAM];
  return [...wellRecs(h5, file, path).keys()];
}

function pickRecName(path: string, recs: Map<string, string[]>, wanted: string | null): string {
  const distinct = [...new Set([...recs.values()].flat())].sort();
  if (wanted !== null) {
    if (!distinct.includes(wanted)) {
      throw invalid(path, `recording '${wanted}' not found. Available wells/recs: ${JSON.stringify(pairs(recs))}`, 'rec_name',
        `one of ${JSON.stringify(distinct)}`);
    }
    return wanted;
  }
  if (distinct.length === 0) throw invalid(path, 'no recording groups under /wells', '/wells', 'at least one /wells/<well>/<rec>');
  if (distinct.length > 1) {
    throw invalid(path, `Detected multiple recording IDs ${JSON.stringify(distinct)}; choose one with rec_name`, 'rec_name',
      `one of ${JSON.stringify(distinct)}`);
  }
  return distinct[0];
}

function pairs(recs: Map<string, string[]>): [string, string][] {
  return [...recs.entries()].flatMap(([w, rs]) => rs.map((r): [string, string] => [w, r]));
}

function pickStream(path: string, streams: string[], wanted: string | null): string {
  if (streams.length === 0) {
    throw invalid(path, 'no well has routed data (no /wells/<well>/<rec>/groups/routed)', '/wells', 'at least one well with groups/routed/raw');
  }
  if (wanted !== null) {
    if (!streams.includes(wanted)) {
      throw invalid(path, `stream '${wanted}' not found; available streams: ${streams.join(', ')}`, 'stream_id',
        `one of ${streams.join(', ')}`);
    }
    return wanted;
  }
  if (streams.length !== 1) {
    throw invalid(path, `contains ${streams.length} streams (${streams.join(', ')}); choose one with stream_id`, 'stream_id',
      `one of ${streams.join(', ')}`);
  }
  return streams[0];
}

function readSetting(h5: H5Wasm, file: H5File, path: string, dsPath: string): MaxwellSetting | null {
  const ds = getDataset(h5, file, dsPath);
  if (ds === null) return null;
  const v = readNumbers(ds)?.[0];
  if (v === undefined || !Number.isFinite(v)) {
    throw invalid(path, `/${dsPath} must be a 1-element numeric array`, `/${dsPath}`, '1-element numeric array');
  }
  return { value: v, float32: numericDtype(ds.metadata) === 'float32' };
}

function scaling(h5: H5Wasm, file: H5File, path: string, settings: string): Pick<MaxwellStreamLayout, 'gain_to_uv' | 'gain_source' | 'lsb'> {
  const lsb = readSetting(h5, file, path, `${settings}/lsb`);
  const { gain_to_uv, source } = maxwellGainToUv(lsb, readSetting(h5, file, path, `${settings}/gain`));
  if (!(gain_to_uv > 0) || !Number.isFinite(gain_to_uv)) {
    const field = source === 'lsb' ? `/${settings}/lsb` : `/${settings}/gain`;
    throw invalid(path, `${field} gives a gain of ${gain_to_uv} µV/bit`, field, 'a positive, finite value');
  }
  return { gain_to_uv, gain_source: source, lsb: lsb?.value ?? null };
}

/** Decodes the compound mapping dataset (fields channel, electrode, x, y). */
function readMapping(h5: H5Wasm, file: H5File, path: string, dsPath: string): MaxwellMappingRow[] {
  const ds = getDataset(h5, file, dsPath);
  if (ds === null) throw invalid(path, `missing dataset /${dsPath}`, `/${dsPath}`, 'compound dataset (channel, electrode, x, y)');
  const members = ds.metadata.compound_type?.members.map((m) => m.name) ?? null;
  if (members === null) throw invalid(path, `/${dsPath} is not a compound dataset`, `/${dsPath}`, 'compound (channel, electrode, x, y)');
  const index = (name: string): number => {
    const i = members.indexOf(name);
    if (i < 0) throw invalid(path, `/${dsPath} has no field '${name}' (fields: ${members.join(', ')})`, `/${dsPath}.${name}`, 'field present');
    return i;
  };
  const [ic, ie, ix, iy] = [index('channel'), index('electrode'), index('x'), index('y')];
  const rows = ds.value;
  if (!Array.isArray(rows)) throw invalid(path, `/${dsPath} could not be decoded`, `/${dsPath}`, '1-D compound dataset');
  const num = (v: unknown, field: string): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    throw invalid(path, `/${dsPath} field '${field}' is not numeric`, `/${dsPath}.${field}`, 'numeric');
  };
  return rows.map((r) => {
    if (!Array.isArray(r)) throw invalid(path, `/${dsPath} row could not be decoded`, `/${dsPath}`, 'compound rows');
    return { channel: num(r[ic], 'channel'), electrode: num(r[ie], 'electrode'), x: num(r[ix], 'x'), y: num(r[iy], 'y') };
  });
}

function rawShape(h5: H5Wasm, file: H5File, path: string, dsPath: string): { ds: H5Dataset; dtype: NumericDtype; rows: number; frames: number } {
  const ds = getDataset(h5, file, dsPath);
  if (ds === null) throw invalid(path, `missing dataset /${dsPath}`, `/${dsPath}`, 'uint16 channels × samples dataset');
  const shape = ds.shape;
  const dtype = numericDtype(ds.metadata);
  // ADC samples are 16-bit; 64-bit or float data is not a Maxwell raw dataset.
  if (shape === null || shape.length !== 2 || dtype === null || dtype.startsWith('float') || dtype.endsWith('64')) {
    throw invalid(path, `/${dsPath} must be a 2-D integer dataset (channels × samples), got shape ${JSON.stringify(shape)}` +
      ` and type ${dtype ?? 'non-numeric'}`, `/${dsPath}`, 'uint16 channels × samples');
  }
  return { ds, dtype, rows: shape[0], frames: shape[1] };
}

/** Current layout: 1-D integer `frame_nos` beside the raw data, if the file has it. */
function frameNosDataset(h5: H5Wasm, file: H5File, path: string, dsPath: string): MaxwellFrameNumbers | null {
  const ds = getDataset(h5, file, dsPath);
  if (ds === null) return null;
  const dtype = numericDtype(ds.metadata);
  if (ds.shape?.length !== 1 || dtype === null || dtype.startsWith('float')) {
    throw invalid(path, `/${dsPath} must be a 1-D integer dataset (one frame number per sample), got shape ` +
      `${JSON.stringify(ds.shape)} and type ${dtype ?? 'non-numeric'}`, `/${dsPath}`, '1-D integer frame numbers');
  }
  return { kind: 'dataset', path: `/${dsPath}` };
}

/** Reads the layout of one stream; the samples are not touched. */
export function readMaxwellLayout(h5: H5Wasm, file: H5File, path: string, sel: MaxwellStreamSelection): MaxwellStreamLayout {
  const version = readMaxwellVersion(h5, file, path);
  if (version === MAXWELL_LEGACY_VERSION) {
    pickStream(path, [LEGACY_STREAM], sel.stream_id ?? null);
    const raw = rawShape(h5, file, path, 'sig');
    const mapping = readMapping(h5, file, path, 'mapping');
    const channelRows = Math.min(raw.rows, LEGACY_CHANNEL_ROWS);
    // Files cut down to fewer rows (tests, exports) have no status rows and so no frame numbers.
    const frameNumbers: MaxwellFrameNumbers | null = raw.rows >= LEGACY_CHANNEL_ROWS + 2
      ? { kind: 'sig_rows', low_row: raw.rows - 2, high_row: raw.rows - 1 }
      : null;
    return {
      kind: 'legacy', version, stream_id: LEGACY_STREAM, streams: [LEGACY_STREAM], rec_name: null, raw_path: '/sig',
      raw_dtype: raw.dtype, raw_rows: raw.rows, num_frames: raw.frames, sampling_frequency: LEGACY_SAMPLING_FREQUENCY,
      ...scaling(h5, file, path, 'settings'),
      frame_numbers: frameNumbers,
      channels: resolveMaxwellChannels({
        path, kind: 'legacy', mapping, raw_rows: raw.rows, channel_rows: channelRows, routed_channels: null, raw_path: '/sig',
      }),
    };
  }

  const recs = wellRecs(h5, file, path);
  const rec = pickRecName(path, recs, sel.rec_name ?? null);
  const withRec = [...recs.entries()].filter(([, rs]) => rs.includes(rec)).map(([w]) => w);
  // A well that recorded nothing (no `groups/routed`) is no stream, as in the reference reader.
  const routedWells = withRec.filter((w) => groupKeys(h5, file, `wells/${w}/${rec}/groups/routed`) !== null);
  const wanted = sel.stream_id ?? null;
  if (wanted !== null && recs.has(wanted) && !withRec.includes(wanted)) {
    throw invalid(path, `well '${wanted}' has no recording '${rec}' (it has ${JSON.stringify(recs.get(wanted))}); ` +
      `choose rec_name, or one of the wells with '${rec}': ${withRec.join(', ')}`, 'rec_name', `one of ${JSON.stringify(recs.get(wanted))}`);
  }
  if (wanted !== null && withRec.includes(wanted) && !routedWells.includes(wanted)) {
    throw invalid(path, `well '${wanted}' has no /wells/${wanted}/${rec}/groups/routed (no channels were routed there); ` +
      `wells with data: ${routedWells.join(', ') || 'none'}`, 'stream_id', `one of ${routedWells.join(', ')}`);
  }
  const well = pickStream(path, routedWells, wanted);
  const base = `wells/${well}/${rec}`;
  const fs = readSetting(h5, file, path, `${base}/settings/sampling`)?.value ?? null;
  if (fs === null) throw invalid(path, `missing dataset /${base}/settings/sampling`, `/${base}/settings/sampling`, '[fs]');
  if (!(fs > 0)) throw invalid(path, `/${base}/settings/sampling is ${fs}`, `/${base}/settings/sampling`, 'fs > 0');
  const rawPath = `${base}/groups/routed/raw`;
  const raw = rawShape(h5, file, path, rawPath);
  const routedDs = getDataset(h5, file, `${base}/groups/routed/channels`);
  const routed = routedDs === null ? null : readNumbers(routedDs);
  return {
    kind: 'current', version, stream_id: well, streams: [...recs.keys()], rec_name: rec, raw_path: `/${rawPath}`,
    raw_dtype: raw.dtype, raw_rows: raw.rows, num_frames: raw.frames, sampling_frequency: fs,
    ...scaling(h5, file, path, `${base}/settings`),
    frame_numbers: frameNosDataset(h5, file, path, `${base}/groups/routed/frame_nos`),
    channels: resolveMaxwellChannels({
      path, kind: 'current', mapping: readMapping(h5, file, path, `${base}/settings/mapping`), raw_rows: raw.rows,
      routed_channels: routed, raw_path: `/${rawPath}`,
    }),
  };
}
