/**
 * Compile stage: the curated units into the results folder (`sorted.npz`, the portable
 * `sorted_units.json`, optional waveform folders).
 */
import { compileResults } from '../../reporting/compile';
import { readUnitSet } from '../../waveforms';
import type { StageContext } from '../../activities/stageRunner';
import { curatedIdsIn } from './curate';
import { readRecordingMeta } from './recordingMeta';
import { unitSetFolder } from './extract';

export async function runCompileStage(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const set = readUnitSet(unitSetFolder(ctx.layout));
  const curated = curatedIdsIn(ctx.layout.curation_second);
  // Concatenated files / joined ranges compile one folder per part, spike times relative to it.
  const chunks = readRecordingMeta(ctx.layout.recording_meta).chunks ?? [];
  const epochs = chunks.map((c): [number, number] => [c.start_frame, c.end_frame]);
  const files = compileResults(set, curated, ctx.config.compilation, ctx.layout.results, {
    log: (m) => ctx.log.info(m), epochs, epoch_names: chunks.map((c) => c.name),
  });
  return {
    outputs: files,
    summary: { n_curated_units: curated.length, rec_chunk_names: chunks.map((c) => c.name), n_units_sorted: set.units.length, results_files: files },
  };
}
