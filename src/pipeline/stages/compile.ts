/**
 * Compile stage: the curated units into the results folder (`sorted.npz`, the portable
 * `sorted_units.json`, optional waveform folders).
 */
import { compileResults } from '../../reporting/compile';
import { readUnitSet } from '../../waveforms';
import type { StageContext } from '../../activities/stageRunner';
import { curatedIdsIn } from './curate';
import { unitSetFolder } from './extract';

export async function runCompileStage(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const set = readUnitSet(unitSetFolder(ctx.layout));
  const curated = curatedIdsIn(ctx.layout.curation_second);
  const files = compileResults(set, curated, ctx.config.compilation, ctx.layout.results, { log: (m) => ctx.log.info(m) });
  return {
    outputs: files,
    summary: { n_curated_units: curated.length, n_units_sorted: set.units.length, results_files: files },
  };
}
