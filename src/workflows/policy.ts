/** Pure decisions the workflows make from the config (deterministic, no I/O). */
import type { ExecutionConfig, SortingPipelineConfig } from '../config';
import { scaleKilosort4OomParams } from '../backends/kilosort4/params';
import type { StageName } from './types';

/**
 * A reuse flag forces its stage and everything downstream, as the reference's deletions do
 * (recompute_recording removes the binary, sorter output, waveforms and curation).
 */
export function forcedStages(ex: Pick<ExecutionConfig,
  'recompute_recording' | 'recompute_sorting' | 'reextract_waveforms' | 'recurate_first' | 'recurate_second' | 'recompile_single_recording'>,
): Record<StageName, boolean> {
  const load = ex.recompute_recording;
  const sort = load || ex.recompute_sorting;
  const extract = sort || ex.reextract_waveforms;
  const curate_first = extract || ex.recurate_first;
  const curate_second = curate_first || ex.recurate_second;
  const compile = curate_second || ex.recompile_single_recording;
  return { load, sort, extract, curate_first, curate_second, compile };
}

/**
 * GPU-OOM retry scaling (guards spec §6), for the sorter that runs: Kilosort4 reduces
 * `batch_size` (its backend's rule, declining below 1024); other sorters decline (null).
 */
export function reducedSorterParams(
  config: SortingPipelineConfig,
  current: Readonly<Record<string, unknown>> | null,
  factor: number,
): Record<string, unknown> | null {
  if (config.sorter.sorter_name !== 'kilosort4') return null;
  return scaleKilosort4OomParams({ ...(config.sorter.sorter_params ?? {}), ...(current ?? {}) }, factor);
}
