/** Pure decisions the workflows make from the config (deterministic, no I/O). */
import type { ExecutionConfig, SortingPipelineConfig } from '../config';
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

const DEFAULT_KS4_BATCH = 60000;
const MIN_BATCH = 1024;

/**
 * GPU-OOM retry scaling (guards spec §6): KS4 halves `batch_size` (default 60 000); below
 * 1024 the backend declines (null). Other sorters decline here.
 */
export function reducedSorterParams(
  config: SortingPipelineConfig,
  current: Readonly<Record<string, unknown>> | null,
  factor: number,
): Record<string, unknown> | null {
  if (!(factor > 0 && factor < 1)) return null;
  if (config.sorter.sorter_name !== 'kilosort4') return null;
  const base: Record<string, unknown> = { ...(config.sorter.sorter_params ?? {}), ...(current ?? {}) };
  const batch = typeof base.batch_size === 'number' ? base.batch_size : DEFAULT_KS4_BATCH;
  const next = Math.floor(batch * factor);
  if (next < MIN_BATCH) return null;
  return { ...base, batch_size: next };
}
