/**
 * Stores a UnitSet between activities (metrics → curation → compile run separately and
 * may resume after a crash). Layout under one folder:
 *   unit_set.json       scalars and small per-channel arrays (base64, exact bits)
 *   templates_full.npy  (n_units, nsamples, C) float32 mean templates, unit order
 *   spike_trains.npy    all trains concatenated, int64 frames; lengths in the JSON
 * `template` and `template_windowed` are slices of `template_full`, rebuilt on load.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy, npyHeader, npyToNumbers, readNpy } from '../io/npy';
import { writeFileAtomic } from '../util/fsx';
import { int64Array } from './npy-files';
import type { CompiledWindow, ExtractionWindow } from './params';
import type { ChannelLocations, NeuronAttributes, UnitSet, UnitSetMetadata } from './unit-set';

export const UNIT_SET_FORMAT = 'spikelab-sorting/unit-set@1';

export class UnitSetFormatError extends Error {
  constructor(folder: string, detail: string) {
    super(`${folder}: not a readable unit set (${detail})`);
    this.name = 'UnitSetFormatError';
  }
}

type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';

/** JSON has no ∞ / NaN; std_norm is +∞ for zero-amplitude units. */
function encNum(v: number): JsonNumber {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}

function decNum(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  throw new UnitSetFormatError(where, `expected a number, got ${JSON.stringify(v)}`);
}

function b64(a: Float32Array | Float64Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromB64<T extends Float32Array | Float64Array | Int32Array>(text: unknown, ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, where: string): T {
  if (typeof text !== 'string') throw new UnitSetFormatError(where, 'expected base64 text');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % ctor.BYTES_PER_ELEMENT !== 0) throw new UnitSetFormatError(where, 'base64 array has a partial element');
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  return new ctor(ab);
}

interface StoredUnit {
  unit_id: number;
  channel: number;
  channel_id: string;
  x: JsonNumber;
  y: JsonNumber;
  electrode: number | string;
  template_peak_ind: number;
  amplitude: JsonNumber;
  amplitudes: string;
  peak_inds: string;
  std_norms_all: string;
  has_pos_peak: boolean;
  snr: JsonNumber;
  std_norm: JsonNumber;
  n_spikes: number;
  _waveforms_path?: string;
  _waveforms_window?: readonly [number, number];
}

export function writeUnitSet(set: UnitSet, folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  const C = set.n_channels;
  const ns = set.window.nsamples;
  const tplPath = join(folder, 'templates_full.npy');
  const trainsPath = join(folder, 'spike_trains.npy');
  const jsonPath = join(folder, 'unit_set.json');

  const tplParts: Buffer[] = [npyHeader('<f4', [set.units.length, ns, C])];
  for (const u of set.units) tplParts.push(Buffer.from(u.template_full.buffer, u.template_full.byteOffset, u.template_full.byteLength));
  writeFileAtomic(tplPath, tplParts);
  const total = set.units.reduce((a, u) => a + u.spike_train_samples.length, 0);
  const flat = new Float64Array(total);
  let off = 0;
  for (const u of set.units) {
    flat.set(u.spike_train_samples, off);
    off += u.spike_train_samples.length;
  }
  writeFileAtomic(trainsPath, encodeNpy(int64Array(flat)));

  const units: StoredUnit[] = set.units.map((u) => ({
    unit_id: u.unit_id,
    channel: u.channel,
    channel_id: u.channel_id,
    x: encNum(u.x),
    y: encNum(u.y),
    electrode: u.electrode,
    template_peak_ind: u.template_peak_ind,
    amplitude: encNum(u.amplitude),
    amplitudes: b64(u.amplitudes),
    peak_inds: b64(u.peak_inds),
    std_norms_all: b64(u.std_norms_all),
    has_pos_peak: u.has_pos_peak,
    snr: encNum(u.snr),
    std_norm: encNum(u.std_norm),
    n_spikes: u.spike_train_samples.length,
    ...(u._waveforms_path !== undefined ? { _waveforms_path: u._waveforms_path } : {}),
    ...(u._waveforms_window !== undefined ? { _waveforms_window: u._waveforms_window } : {}),
  }));
  const body = {
    format: UNIT_SET_FORMAT,
    fs_Hz: set.fs_Hz,
    n_samples: set.n_samples,
    length_ms: set.length_ms,
    n_channels: C,
    channel_locations: set.channel_locations,
    noise_levels: b64(set.noise_levels),
    window: set.window,
    compiled_window: set.compiled_window,
    metadata: set.metadata,
    units,
  };
  // JSON last: its presence means the arrays beside it are complete.
  writeFileAtomic(jsonPath, JSON.stringify(body));
  return [tplPath, trainsPath, jsonPath];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numField(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw new UnitSetFormatError(where, `field '${key}' is not a number`);
  return v;
}

function parseLocations(v: unknown, where: string): ChannelLocations | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw new UnitSetFormatError(where, 'channel_locations is not a list');
  return v.map((p: unknown) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') throw new UnitSetFormatError(where, 'bad channel location');
    return [p[0], p[1]] as const;
  });
}

function parseWindow(v: unknown, where: string): ExtractionWindow {
  if (!isRecord(v)) throw new UnitSetFormatError(where, 'window missing');
  return { nbefore: numField(v, 'nbefore', where), nafter: numField(v, 'nafter', where), nsamples: numField(v, 'nsamples', where), peak_ind: numField(v, 'peak_ind', where) };
}

function parseCompiled(v: unknown, where: string): CompiledWindow {
  if (!isRecord(v)) throw new UnitSetFormatError(where, 'compiled_window missing');
  return { nb_c: numField(v, 'nb_c', where), na_c: numField(v, 'na_c', where), start: numField(v, 'start', where), end: numField(v, 'end', where) };
}

function parseMetadata(v: unknown, where: string): UnitSetMetadata {
  if (!isRecord(v) || typeof v.source_file !== 'string' || typeof v.source_format !== 'string') throw new UnitSetFormatError(where, 'metadata missing');
  return { source_file: v.source_file, source_format: v.source_format, fs_Hz: numField(v, 'fs_Hz', where), channel_locations: parseLocations(v.channel_locations, where), n_samples: numField(v, 'n_samples', where) };
}

export function unitSetExists(folder: string): boolean {
  return existsSync(join(folder, 'unit_set.json'));
}

export function readUnitSet(folder: string): UnitSet {
  const where = folder;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(folder, 'unit_set.json'), 'utf8'));
  } catch (err) {
    throw new UnitSetFormatError(where, (err as Error).message);
  }
  if (!isRecord(parsed) || parsed.format !== UNIT_SET_FORMAT || !Array.isArray(parsed.units)) throw new UnitSetFormatError(where, 'wrong format tag');
  const C = numField(parsed, 'n_channels', where);
  const window = parseWindow(parsed.window, where);
  const cw = parseCompiled(parsed.compiled_window, where);
  const tpl = readNpy(join(folder, 'templates_full.npy'));
  const trains = npyToNumbers(readNpy(join(folder, 'spike_trains.npy')));
  if (!(tpl.data instanceof Float32Array)) throw new UnitSetFormatError(where, 'templates_full.npy is not float32');
  const tplData = tpl.data;
  const L = window.nsamples * C;
  let off = 0;
  const units = parsed.units.map((raw: unknown, i: number): NeuronAttributes => {
    if (!isRecord(raw)) throw new UnitSetFormatError(where, `unit ${i} is not an object`);
    const n = numField(raw, 'n_spikes', where);
    const train = Float64Array.from(trains.slice(off, off + n));
    off += n;
    const full = tplData.slice(i * L, (i + 1) * L);
    const channel = numField(raw, 'channel', where);
    const template = new Float32Array(window.nsamples);
    for (let t = 0; t < window.nsamples; t++) template[t] = full[t * C + channel];
    const electrode = raw.electrode;
    if (typeof electrode !== 'number' && typeof electrode !== 'string') throw new UnitSetFormatError(where, 'bad electrode');
    const ww = raw._waveforms_window;
    return {
      unit_id: numField(raw, 'unit_id', where),
      channel,
      channel_id: String(raw.channel_id),
      x: decNum(raw.x, where),
      y: decNum(raw.y, where),
      electrode,
      template,
      template_full: full,
      template_windowed: full.slice(cw.start * C, cw.end * C),
      template_peak_ind: numField(raw, 'template_peak_ind', where),
      amplitude: decNum(raw.amplitude, where),
      amplitudes: fromB64(raw.amplitudes, Float32Array, where),
      peak_inds: fromB64(raw.peak_inds, Int32Array, where),
      std_norms_all: fromB64(raw.std_norms_all, Float32Array, where),
      has_pos_peak: raw.has_pos_peak === true,
      snr: decNum(raw.snr, where),
      std_norm: decNum(raw.std_norm, where),
      spike_train_samples: train,
      ...(typeof raw._waveforms_path === 'string' ? { _waveforms_path: raw._waveforms_path } : {}),
      ...(Array.isArray(ww) && ww.length === 2 && typeof ww[0] === 'number' && typeof ww[1] === 'number' ? { _waveforms_window: [ww[0], ww[1]] as const } : {}),
    };
  });
  return {
    fs_Hz: numField(parsed, 'fs_Hz', where),
    n_samples: numField(parsed, 'n_samples', where),
    length_ms: numField(parsed, 'length_ms', where),
    n_channels: C,
    channel_locations: parseLocations(parsed.channel_locations, where),
    noise_levels: fromB64(parsed.noise_levels, Float64Array, where),
    window,
    compiled_window: cw,
    units,
    metadata: parseMetadata(parsed.metadata, where),
  };
}
