/**
 * Persisting and reloading extraction results. Stages run in separate activities, possibly
 * after a worker crash, so everything a later stage needs is on disk: per-unit
 * checkpoints while running, and `units.json` written last as the completion marker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { npyToNumbers, readNpy } from '../io/npy';
import { writeFileAtomic } from '../util/fsx';
import { waveformLayout, type WaveformLayout } from './layout';
import { encodeInt64, readSampledIndex } from './npy-files';
import type { ExtractionWindow } from './params';
import { readTemplateRow } from './template-file';
import type { UnitWaveformRecord, UnitWaveforms, WaveformResult } from './types';

export const WAVEFORMS_FORMAT = 'spikelab-sorting/waveforms@1';

export class WaveformResultMissingError extends Error {
  constructor(folder: string, detail: string) {
    super(`no reusable waveform extraction in ${folder}: ${detail}`);
    this.name = 'WaveformResultMissingError';
  }
}

// ---- runtime checks for JSON read back from disk ------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WaveformResultMissingError(where, `field '${key}' is not a number`);
  return v;
}

function bool(o: Record<string, unknown>, key: string, where: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new WaveformResultMissingError(where, `field '${key}' is not a boolean`);
  return v;
}

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new WaveformResultMissingError(where, `field '${key}' is not a string`);
  return v;
}

export function parseUnitRecord(v: unknown, where: string): UnitWaveformRecord {
  if (!isRecord(v)) throw new WaveformResultMissingError(where, 'unit record is not an object');
  return {
    unit_id: num(v, 'unit_id', where),
    use_pos_peak: bool(v, 'use_pos_peak', where),
    chan_max_kilosort: num(v, 'chan_max_kilosort', where),
    chan_max_all: num(v, 'chan_max_all', where),
    half_window: num(v, 'half_window', where),
    template_from_sorter: bool(v, 'template_from_sorter', where),
    n_spikes: num(v, 'n_spikes', where),
    n_waveforms: num(v, 'n_waveforms', where),
    has_waveform_file: bool(v, 'has_waveform_file', where),
  };
}

function unitRecordOf(u: UnitWaveformRecord): UnitWaveformRecord {
  return {
    unit_id: u.unit_id,
    use_pos_peak: u.use_pos_peak,
    chan_max_kilosort: u.chan_max_kilosort,
    chan_max_all: u.chan_max_all,
    half_window: u.half_window,
    template_from_sorter: u.template_from_sorter,
    n_spikes: u.n_spikes,
    n_waveforms: u.n_waveforms,
    has_waveform_file: u.has_waveform_file,
  };
}

// ---- per-unit checkpoint ------------------------------------------------------------------

/** Trains first, checkpoint JSON last: a checkpoint implies its arrays are complete. */
export function writeUnitCheckpoint(layout: WaveformLayout, unit: UnitWaveforms): void {
  writeFileAtomic(layout.centredTrain(unit.unit_id), encodeInt64(unit.spike_train));
  writeFileAtomic(layout.waveformRows(unit.unit_id), encodeInt64(unit.waveform_rows));
  writeFileAtomic(layout.checkpoint(unit.unit_id), JSON.stringify(unitRecordOf(unit)));
}

/** Reassembles one unit from its files; null when anything is missing or inconsistent. */
export function readUnitCheckpoint(layout: WaveformLayout, unitId: number): UnitWaveforms | null {
  try {
    if (!existsSync(layout.checkpoint(unitId))) return null;
    const record = parseUnitRecord(JSON.parse(readFileSync(layout.checkpoint(unitId), 'utf8')), layout.checkpoint(unitId));
    if (record.unit_id !== unitId) return null;
    return loadUnitArrays(layout, record);
  } catch {
    return null;
  }
}

function loadUnitArrays(layout: WaveformLayout, record: UnitWaveformRecord): UnitWaveforms {
  const id = record.unit_id;
  const train = Float64Array.from(npyToNumbers(readNpy(layout.centredTrain(id))));
  const rows = npyToNumbers(readNpy(layout.waveformRows(id)));
  const sampled = readSampledIndex(layout.sampledIndex(id));
  const wfPath = record.has_waveform_file ? layout.waveforms(id) : null;
  if (train.length !== record.n_spikes || rows.length !== record.n_waveforms) {
    throw new WaveformResultMissingError(layout.root, `unit ${id}: arrays do not match its record`);
  }
  if (wfPath !== null && !existsSync(wfPath)) throw new WaveformResultMissingError(layout.root, `unit ${id}: ${wfPath} is missing`);
  return { ...record, sampled_index: sampled, waveform_rows: rows, spike_train: train, waveforms_path: wfPath };
}

// ---- completion marker --------------------------------------------------------------------

export interface ManifestHeader {
  readonly recording_path: string;
  readonly sampling_frequency: number;
  readonly num_frames: number;
  readonly num_channels: number;
  readonly window: ExtractionWindow;
}

export function writeManifest(layout: WaveformLayout, header: ManifestHeader, units: readonly UnitWaveforms[]): void {
  const body = {
    format: WAVEFORMS_FORMAT,
    complete: true,
    ...header,
    unit_ids: units.map((u) => u.unit_id),
    units: units.map(unitRecordOf),
  };
  writeFileAtomic(layout.manifest, JSON.stringify(body));
}

function parseWindow(v: unknown, where: string): ExtractionWindow {
  if (!isRecord(v)) throw new WaveformResultMissingError(where, "field 'window' is not an object");
  return { nbefore: num(v, 'nbefore', where), nafter: num(v, 'nafter', where), nsamples: num(v, 'nsamples', where), peak_ind: num(v, 'peak_ind', where) };
}

/**
 * Reloads a finished extraction without touching the recording. Throws
 * `WaveformResultMissingError` when the folder holds no complete extraction, so the
 * caller knows to extract again.
 */
export function loadWaveformResult(folder: string): WaveformResult {
  const layout = waveformLayout(folder);
  if (!existsSync(layout.manifest)) throw new WaveformResultMissingError(folder, 'units.json is missing (extraction never finished)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(layout.manifest, 'utf8'));
  } catch (err) {
    throw new WaveformResultMissingError(folder, `units.json does not parse (${(err as Error).message})`);
  }
  if (!isRecord(parsed) || parsed.format !== WAVEFORMS_FORMAT || parsed.complete !== true) {
    throw new WaveformResultMissingError(folder, 'units.json is not a complete extraction record');
  }
  const unitsRaw = parsed.units;
  if (!Array.isArray(unitsRaw)) throw new WaveformResultMissingError(folder, "field 'units' is not a list");
  const units = unitsRaw.map((u) => loadUnitArrays(layout, parseUnitRecord(u, layout.manifest)));
  for (const p of [layout.templatesAverage, layout.templatesStd]) {
    if (!existsSync(p)) throw new WaveformResultMissingError(folder, `${p} is missing`);
  }
  return {
    folder,
    recording_path: str(parsed, 'recording_path', layout.manifest),
    sampling_frequency: num(parsed, 'sampling_frequency', layout.manifest),
    num_frames: num(parsed, 'num_frames', layout.manifest),
    num_channels: num(parsed, 'num_channels', layout.manifest),
    window: parseWindow(parsed.window, layout.manifest),
    units,
    templates_average_path: layout.templatesAverage,
    templates_std_path: layout.templatesStd,
  };
}

/** A unit's mean and std templates (nsamples × C, float32), read from the template caches. */
export function readUnitTemplates(result: Pick<WaveformResult, 'templates_average_path' | 'templates_std_path'>, unitId: number): { average: Float32Array; std: Float32Array } {
  return { average: readTemplateRow(result.templates_average_path, unitId).data, std: readTemplateRow(result.templates_std_path, unitId).data };
}
