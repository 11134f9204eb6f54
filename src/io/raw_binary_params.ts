/**
 * What a headerless binary recording needs to be read, gathered from the caller, a JSON
 * sidecar next to the file and an optional probe / geometry JSON.
 *
 * Sidecar: `<file>.json` (e.g. `rec.dat.json`), else `<dir>/<stem>.json` (`rec.json`); the
 * first that exists is read, the other ignored. A JSON object with the RawBinaryParams keys
 * (snake_case), all optional; unknown keys are refused so a misspelling (`sampling_rate`,
 * SpikeInterface's `gain_to_uV`) cannot silently fall back to a default:
 *
 *   { "sampling_frequency": 30000, "num_channels": 64, "dtype": "int16",
 *     "gain_to_uv": 0.195, "offset_to_uv": 0, "time_axis": 0, "file_offset_bytes": 0,
 *     "channel_ids": ["A1", …], "locations": [[0, 0], [0, 20], …], "probe_path": "probe.json" }
 *
 * A relative `probe_path` in the sidecar is relative to the sidecar's folder; one passed by the
 * caller is relative to the working directory. Caller values win over the sidecar's.
 * Required after merging: sampling_frequency, num_channels, dtype, and geometry (locations or
 * probe_path). Defaults follow SpikeInterface's read_binary and pipeline spec §3.3: gain 1,
 * offset 0, time_axis 0 (frame-major interleaved), file_offset_bytes 0, channel ids "0"…"n-1".
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';

export type RawBinaryDtype = 'int16' | 'uint16' | 'int32' | 'float32' | 'float64' | 'int8' | 'uint8';

export const RAW_BINARY_DTYPES: readonly RawBinaryDtype[] = ['int16', 'uint16', 'int32', 'float32', 'float64', 'int8', 'uint8'];

export interface RawBinaryParams {
  sampling_frequency: number;
  /** Channels stored per frame in the file. */
  num_channels: number;
  dtype: RawBinaryDtype;
  /** µV = raw × gain + offset; one value for all channels or one per stored channel. */
  gain_to_uv: number | number[];
  offset_to_uv: number | number[];
  /** 0: frame-major interleaved (SpikeInterface's default); 1: each channel's samples contiguous. */
  time_axis: 0 | 1;
  /** Header bytes to skip. */
  file_offset_bytes: number;
  /** One per stored channel. */
  channel_ids?: string[];
  /** (x, y) µm per stored channel. */
  locations?: [number, number][];
  /** probeinterface JSON or `{"locations": …, "channel_ids": …}`. */
  probe_path?: string;
}

const KEYS: readonly (keyof RawBinaryParams)[] = [
  'sampling_frequency', 'num_channels', 'dtype', 'gain_to_uv', 'offset_to_uv', 'time_axis', 'file_offset_bytes',
  'channel_ids', 'locations', 'probe_path',
];
const REQUIRED: readonly (keyof RawBinaryParams)[] = ['sampling_frequency', 'num_channels', 'dtype'];
/**
 * Sidecar-only keys that describe how the file was made (`spikelab preprocess` writes them):
 * accepted, and `num_frames` checked against the file size to catch a cut-off copy.
 */
const SIDECAR_INFO_KEYS: readonly string[] = ['num_frames', 'electrodes', 'binary', 'preprocessing'];

export const DTYPE_BYTES: Readonly<Record<RawBinaryDtype, number>> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, float32: 4, float64: 8,
};

/** Candidate sidecar paths, in the order they are tried. */
export function sidecarCandidates(path: string): string[] {
  const stem = basename(path, extname(path));
  const out = [`${path}.json`, join(dirname(path), `${stem}.json`)];
  return out[0] === out[1] ? [out[0]] : out;
}

/** Where each value came from, for messages and `details`. */
export interface ResolvedRawBinary {
  params: RawBinaryParams;
  sidecar_path: string | null;
  /** Frame count the sidecar records (files written by `spikelab preprocess`), else null. */
  expected_frames: number | null;
  /** Absolute probe path when geometry came from a probe file. */
  probe_path: string | null;
  /** Stored-channel index per recording channel (all of them, unless a probe leaves some unwired). */
  channel_map: number[];
  channel_ids: string[];
  locations: [number, number][];
  locations_from: 'locations' | 'probeinterface' | 'geometry file';
  /** Optional keys neither the caller nor the sidecar set (so their defaults apply). */
  defaulted: string[];
}

function invalid(path: string, message: string, field: string, expected: string, cause?: unknown): InvalidRecordingError {
  return new InvalidRecordingError(`${path}: ${message}`, { path, field, expected }, cause === undefined ? undefined : { cause });
}

function readJson(path: string, what: string, recordingPath: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RecordingNotFoundError(`${recordingPath}: ${what} ${path} not found`, { path });
    }
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid(recordingPath, `${what} ${path} is not valid JSON: ${(err as Error).message}`, path, 'JSON object', err);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPair = (v: unknown): v is number[] => Array.isArray(v) && v.length >= 2 && v.every(isFiniteNumber);

/**
 * Checks one layer of params (caller or sidecar) value by value; `source` names it in messages.
 * Values whose validity depends on num_channels are checked after merging.
 */
function checkLayer(path: string, source: string, raw: Record<string, unknown>): Partial<RawBinaryParams> {
  const unknown = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    // `<stem>.json` is also a natural name for the probe file of `<stem>.dat`.
    const hint = unknown.includes('probes') || unknown.includes('contact_positions')
      ? ' (it looks like a probe file: rename it and point probe_path at it)'
      : '';
    throw invalid(path, `${source} has unknown key(s) ${unknown.join(', ')}${hint}; allowed keys: ${KEYS.join(', ')}`, unknown[0],
      KEYS.join(', '));
  }
  const out: Partial<RawBinaryParams> = {};
  const bad = (key: string, expected: string, got: unknown): InvalidRecordingError =>
    invalid(path, `${source}: ${key} must be ${expected}, got ${JSON.stringify(got)}`, key, expected);
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    switch (key) {
      case 'sampling_frequency':
        if (!isFiniteNumber(v) || v <= 0) throw bad(key, 'a positive number (Hz)', v);
        out.sampling_frequency = v;
        break;
      case 'num_channels':
        if (!Number.isInteger(v) || (v as number) < 1) throw bad(key, 'a positive integer', v);
        out.num_channels = v as number;
        break;
      case 'dtype':
        if (typeof v !== 'string' || !(RAW_BINARY_DTYPES as readonly string[]).includes(v)) {
          throw bad(key, `one of ${RAW_BINARY_DTYPES.join(', ')} (little-endian)`, v);
        }
        out.dtype = v as RawBinaryDtype;
        break;
      case 'gain_to_uv':
      case 'offset_to_uv':
        if (!isFiniteNumber(v) && !(Array.isArray(v) && v.length > 0 && v.every(isFiniteNumber))) {
          throw bad(key, 'a finite number or an array of them (one per channel)', v);
        }
        out[key] = v as number | number[];
        break;
      case 'time_axis':
        if (v !== 0 && v !== 1) throw bad(key, '0 (frame-major) or 1 (channel-major)', v);
        out.time_axis = v;
        break;
      case 'file_offset_bytes':
        if (!Number.isInteger(v) || (v as number) < 0) throw bad(key, 'a non-negative integer', v);
        out.file_offset_bytes = v as number;
        break;
      case 'channel_ids':
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || isFiniteNumber(x))) throw bad(key, 'an array of strings', v);
        out.channel_ids = v.map(String);
        break;
      case 'locations':
        if (!Array.isArray(v) || !v.every(isPair)) throw bad(key, 'an array of [x, y] µm pairs', v);
        out.locations = v.map((p): [number, number] => [p[0], p[1]]);
        break;
      case 'probe_path':
        if (typeof v !== 'string' || v.length === 0) throw bad(key, 'a file path', v);
        out.probe_path = v;
        break;
    }
  }
  return out;
}

export function resolveRawBinaryParams(path: string, given: Partial<RawBinaryParams>): ResolvedRawBinary {
  const candidates = sidecarCandidates(path);
  const sidecarPath = candidates.find((p) => existsSync(p)) ?? null;
  let fromSidecar: Partial<RawBinaryParams> = {};
  let expectedFrames: number | null = null;
  if (sidecarPath !== null) {
    const json = readJson(sidecarPath, 'sidecar', path);
    if (!isObject(json)) {
      throw invalid(path, `sidecar ${sidecarPath} must hold a JSON object of reading parameters`, sidecarPath, 'JSON object');
    }
    const { num_frames: numFrames, ...reading } = Object.fromEntries(Object.entries(json).filter(([k]) => k === 'num_frames' || !SIDECAR_INFO_KEYS.includes(k)));
    if (numFrames !== undefined && !(Number.isInteger(numFrames) && (numFrames as number) >= 0)) {
      throw invalid(path, `sidecar ${sidecarPath}: num_frames must be a non-negative integer, got ${JSON.stringify(numFrames)}`, 'num_frames', 'integer ≥ 0');
    }
    expectedFrames = numFrames === undefined ? null : (numFrames as number);
    fromSidecar = checkLayer(path, `sidecar ${sidecarPath}`, reading);
    if (fromSidecar.probe_path !== undefined && !isAbsolute(fromSidecar.probe_path)) {
      fromSidecar.probe_path = join(dirname(sidecarPath), fromSidecar.probe_path);
    }
  }
  const fromCaller = checkLayer(path, 'parameters', { ...given });
  const merged: Partial<RawBinaryParams> = { ...fromSidecar, ...fromCaller };
  // A probe the caller names beats locations the sidecar lists (explicit locations beat any probe).
  if (fromCaller.probe_path !== undefined && fromCaller.locations === undefined) delete merged.locations;

  const missing: string[] = REQUIRED.filter((k) => merged[k] === undefined);
  if (merged.locations === undefined && merged.probe_path === undefined) missing.push('locations (or probe_path)');
  if (missing.length) {
    const where = sidecarPath === null
      ? `no sidecar found (looked for ${candidates.join(' and ')})`
      : `sidecar ${sidecarPath} does not set them either`;
    throw invalid(path, `raw binary recording is missing ${missing.join(', ')}: pass them or write them to a JSON sidecar ` +
      `${candidates[0]}; ${where}`, missing[0], `sidecar ${candidates[0]} with ${missing.join(', ')}`);
  }
  const n = merged.num_channels as number;
  const params: RawBinaryParams = {
    sampling_frequency: merged.sampling_frequency as number,
    num_channels: n,
    dtype: merged.dtype as RawBinaryDtype,
    gain_to_uv: merged.gain_to_uv ?? 1,
    offset_to_uv: merged.offset_to_uv ?? 0,
    time_axis: merged.time_axis ?? 0,
    file_offset_bytes: merged.file_offset_bytes ?? 0,
    channel_ids: merged.channel_ids,
    locations: merged.locations,
    probe_path: merged.probe_path,
  };
  for (const key of ['gain_to_uv', 'offset_to_uv', 'channel_ids', 'locations'] as const) {
    const v = params[key];
    if (Array.isArray(v) && v.length !== n) {
      throw invalid(path, `${key} has ${v.length} entries but num_channels is ${n}`, key, `${n} entries (one per stored channel)`);
    }
  }

  let locations = params.locations;
  let ids = params.channel_ids;
  let channelMap = Array.from({ length: n }, (_, i) => i);
  let locationsFrom: ResolvedRawBinary['locations_from'] = 'locations';
  let probePath: string | null = null;
  if (locations === undefined) {
    probePath = resolve(params.probe_path as string);
    const geometry = readGeometry(path, probePath, n);
    locationsFrom = geometry.kind;
    ids ??= geometry.channel_ids ?? undefined;
    channelMap = geometry.channel_map;
    locations = geometry.locations;
  } else {
    locations = channelMap.map((c) => (locations as [number, number][])[c]);
  }
  const allIds = ids ?? Array.from({ length: n }, (_, i) => String(i));
  const channelIds = channelMap.map((c) => allIds[c]);
  const dup = channelIds.find((id, i) => channelIds.indexOf(id) !== i);
  if (dup !== undefined) throw invalid(path, `channel id '${dup}' appears more than once`, 'channel_ids', 'unique channel ids');
  return {
    params, sidecar_path: sidecarPath, expected_frames: expectedFrames, probe_path: probePath, channel_map: channelMap, channel_ids: channelIds, locations,
    locations_from: locationsFrom,
    defaulted: [
      ...(['gain_to_uv', 'offset_to_uv', 'time_axis', 'file_offset_bytes'] as const).filter((k) => merged[k] === undefined),
      ...(ids === undefined ? ['channel_ids'] : []),
    ],
  };
}

interface Geometry {
  kind: 'probeinterface' | 'geometry file';
  channel_map: number[];
  locations: [number, number][];
  /** Per stored channel, from a simple geometry file; probeinterface contact ids are not channel ids. */
  channel_ids: string[] | null;
}

/**
 * probeinterface JSON (`write_probeinterface`) is wired the way SpikeInterface's set_probe
 * wires it: contacts with device_channel_indices ≥ 0 are kept, sorted by that index, and the
 * recording keeps only those stored channels, in that order. A simple `{"locations", "channel_ids"}`
 * file gives one location per stored channel.
 */
function readGeometry(path: string, probePath: string, n: number): Geometry {
  const json = readJson(probePath, 'probe file', path);
  const bad = (message: string, expected: string): InvalidRecordingError => invalid(path, `probe file ${probePath}: ${message}`,
    'probe_path', expected);
  if (isObject(json) && Array.isArray(json.probes)) {
    const positions: number[][] = [];
    const wiring: number[] = [];
    let unwiredProbes = 0;
    json.probes.forEach((p: unknown, k: number) => {
      if (!isObject(p) || !Array.isArray(p.contact_positions) || !p.contact_positions.every(isPair)) {
        throw bad(`probes[${k}].contact_positions must be an array of [x, y] (or [x, y, z]) µm`, 'probeinterface JSON');
      }
      if (p.si_units !== undefined && p.si_units !== 'um') throw bad(`probes[${k}].si_units is ${JSON.stringify(p.si_units)}`, 'si_units "um"');
      positions.push(...p.contact_positions);
      const dci = p.device_channel_indices;
      if (dci === undefined || dci === null) {
        unwiredProbes++;
        return;
      }
      if (!Array.isArray(dci) || dci.length !== p.contact_positions.length || !dci.every((d) => Number.isInteger(d))) {
        throw bad(`probes[${k}].device_channel_indices must be one integer per contact`, 'integers (−1 = not connected)');
      }
      wiring.push(...(dci as number[]));
    });
    if (unwiredProbes > 0) {
      // probeinterface's own probe files often omit the wiring; with exactly one contact per
      // stored channel the only sensible reading is contact i on channel i.
      if (unwiredProbes !== json.probes.length || positions.length !== n) {
        throw bad(`${unwiredProbes} probe(s) have no device_channel_indices and the contacts (${positions.length}) do not map ` +
          `one to one onto the ${n} channels`, 'device_channel_indices on every probe');
      }
      wiring.push(...positions.map((_, i) => i));
    }
    const wired = wiring.map((d, i) => ({ d, i })).filter(({ d }) => d >= 0).sort((a, b) => a.d - b.d);
    if (wired.length === 0) throw bad('no contact is connected (all device_channel_indices are −1)', 'connected contacts');
    const over = wired.find(({ d }) => d >= n);
    if (over) throw bad(`device channel index ${over.d} is out of range for ${n} channels`, `indices in [0, ${n})`);
    const twice = wired.find(({ d }, j) => j > 0 && wired[j - 1].d === d);
    if (twice) throw bad(`device channel index ${twice.d} is wired to two contacts`, 'one contact per channel');
    return {
      kind: 'probeinterface',
      channel_map: wired.map(({ d }) => d),
      locations: wired.map(({ i }): [number, number] => [positions[i][0], positions[i][1]]),
      channel_ids: null,
    };
  }
  if (isObject(json) && Array.isArray(json.locations)) {
    if (!json.locations.every(isPair) || json.locations.length !== n) {
      throw bad(`locations must be ${n} [x, y] µm pairs (one per channel), got ${json.locations.length} entries`, `${n} [x, y] pairs`);
    }
    const ids = json.channel_ids;
    if (ids !== undefined && (!Array.isArray(ids) || ids.length !== n || !ids.every((x) => typeof x === 'string' || isFiniteNumber(x)))) {
      throw bad(`channel_ids must be ${n} strings`, `${n} channel ids`);
    }
    return {
      kind: 'geometry file',
      channel_map: Array.from({ length: n }, (_, i) => i),
      locations: (json.locations as number[][]).map((p): [number, number] => [p[0], p[1]]),
      channel_ids: ids === undefined ? null : (ids as unknown[]).map(String),
    };
  }
  throw bad('is neither probeinterface JSON ({"probes": [...]}) nor {"locations": [[x, y], ...]}', 'probeinterface or locations JSON');
}
