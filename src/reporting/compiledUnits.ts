/**
 * The portable sidecar of the compiled results (`sorted_units.json`): every curated unit's
 * spike train and position in plain JSON, for readers without a pickle loader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/fsx';

export interface CompiledUnit {
  unit_id: number;
  sorted_index: number;
  spike_train_samples: number[];
  x: number;
  y: number;
  electrode: number | string | null;
  channel_id: string;
  amplitude: number;
  snr: number;
  std_norm: number;
  has_pos_peak: boolean;
}

export interface CompiledUnits {
  fs: number;
  n_samples: number;
  /** For one part of a split session: the part's name (file or range) and its index. */
  source_file?: string;
  epoch_index?: number;
  units: CompiledUnit[];
}

export const COMPILED_UNITS_FILE = 'sorted_units.json';

export function compiledUnitsPath(resultsFolder: string): string {
  return join(resultsFolder, COMPILED_UNITS_FILE);
}

export function writeCompiledUnits(resultsFolder: string, data: CompiledUnits): string {
  const path = compiledUnitsPath(resultsFolder);
  writeJsonAtomic(path, data);
  return path;
}

export function readCompiledUnits(resultsFolder: string): CompiledUnits {
  return JSON.parse(readFileSync(compiledUnitsPath(resultsFolder), 'utf8')) as CompiledUnits;
}
