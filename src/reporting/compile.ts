/**
 * Compilation of the curated units into the results folder (waveforms_curation §4,
 * pipeline §2.6): `sorted.npz`, the portable `sorted_units.json` sidecar, and optionally
 * the per-unit waveform copies. `sorted.mat` (compile_to_mat) is not written yet.
 *
 * Multi-epoch recordings (≥ 2 rec chunks) compile each epoch into `<results>/chunk<c>/`
 * with only that epoch's spikes, shifted to the epoch's first frame (the reference writes
 * whole-recording trains there, §4.1 quirk, and in practice fails before that).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NeuronAttributes, UnitSet } from '../waveforms/unit-set';
import { orderUnits, type OrderedUnit } from './compile-order';
import { writeSortedNpz } from './compile-npz';
import { compileWaveforms } from './compile-waveforms';
import { writeCompiledUnits, type CompiledUnit } from './compiledUnits';

/** The `compilation` config section, structurally. */
export interface CompilationParams {
  readonly compile_single_recording: boolean;
  readonly compile_to_mat: boolean;
  readonly compile_to_npz: boolean;
  readonly compile_waveforms: boolean;
  readonly save_electrodes: boolean;
  readonly save_spike_times?: boolean;
  readonly save_raw_pkl?: boolean;
  readonly save_dl_data: boolean;
  readonly include_failed_units?: boolean;
}

export interface CompileOptions {
  /** Frame ranges of the concatenated files; with ≥ 2, one `chunk<c>/` per range. */
  readonly epochs?: readonly (readonly [number, number])[];
  /** Name of each epoch (its source file), recorded in its `sorted_units.json`. */
  readonly epoch_names?: readonly string[];
  /** Also write `sorted_units.json` (default true). */
  readonly write_json_sidecar?: boolean;
  readonly log?: (message: string) => void;
}

export class CompilationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompilationInputError';
  }
}

export const SORTED_NPZ = 'sorted.npz';

/** `<rec_name>.npz` for a compiler holding several recordings (§4.3); the pipeline uses one. */
export function npzNameForRecording(recName: string): string {
  return `${recName.replace(/[^A-Za-z0-9._-]/g, '_')}.npz`;
}

function sidecarUnit(o: OrderedUnit): CompiledUnit {
  const u = o.unit;
  return {
    unit_id: u.unit_id,
    sorted_index: o.sorted_index,
    spike_train_samples: Array.from(u.spike_train_samples),
    x: u.x,
    y: u.y,
    electrode: u.electrode,
    channel_id: u.channel_id,
    amplitude: u.amplitude,
    snr: u.snr,
    std_norm: u.std_norm,
    has_pos_peak: u.has_pos_peak,
  };
}

function compileOne(
  units: readonly NeuronAttributes[], set: UnitSet, nSamples: number, params: CompilationParams, folder: string, opts: CompileOptions,
  epoch?: { source_file: string; epoch_index: number },
): string[] {
  mkdirSync(folder, { recursive: true });
  const ordered = orderUnits(units);
  const files: string[] = [];
  if (params.compile_to_npz) {
    const path = join(folder, SORTED_NPZ);
    const cw = set.compiled_window;
    writeSortedNpz(path, { units: ordered, channels: set.n_channels, template_rows: cw.end - cw.start, locations: set.channel_locations, fs: set.fs_Hz }, params);
    files.push(path);
  }
  if (params.compile_to_mat) opts.log?.('compile_to_mat is not supported yet; sorted.mat was not written');
  if (params.compile_waveforms) files.push(...compileWaveforms(ordered, folder));
  if (opts.write_json_sidecar !== false) {
    files.push(writeCompiledUnits(folder, { fs: set.fs_Hz, n_samples: nSamples, ...epoch, units: ordered.map(sidecarUnit) }));
  }
  return files;
}

/** The epoch's spikes of each unit, shifted so frame `start` becomes 0. */
function unitsInEpoch(units: readonly NeuronAttributes[], start: number, end: number): NeuronAttributes[] {
  return units.map((u) => {
    const kept = u.spike_train_samples.filter((t) => t >= start && t < end).map((t) => t - start);
    return { ...u, spike_train_samples: kept };
  });
}

/**
 * Writes the compiled outputs for `curatedIds` (null = every unit of `set` is curated).
 * With `include_failed_units`, `set` is the pre-curation set and `curatedIds` is the
 * history's `curated_final`; failed units are still never written (§4.6).
 * Returns the files written.
 */
export function compileResults(set: UnitSet, curatedIds: readonly number[] | null, params: CompilationParams, resultsFolder: string, opts: CompileOptions = {}): string[] {
  if (!params.compile_single_recording) {
    opts.log?.("Skipping compiling results because 'compile_single_recording' is set to False");
    return [];
  }
  if (params.include_failed_units && curatedIds === null) {
    throw new CompilationInputError("include_failed_units=True requires a curation_history with 'curated_final'");
  }
  const keep = curatedIds === null ? null : new Set(curatedIds);
  const curated = keep === null ? set.units : set.units.filter((u) => keep.has(u.unit_id));
  const epochs = opts.epochs ?? [];
  if (epochs.length < 2) return compileOne(curated, set, set.n_samples, params, resultsFolder, opts);
  const files: string[] = [];
  epochs.forEach(([start, end], c) => {
    const epoch = { source_file: opts.epoch_names?.[c] ?? `chunk${c}`, epoch_index: c };
    files.push(...compileOne(unitsInEpoch(curated, start, end), set, end - start, params, join(resultsFolder, `chunk${c}`), opts, epoch));
  });
  return files;
}
