/**
 * Extract stage: waveforms and templates of every unit from the preprocessed binary, the
 * noise levels, and the per-unit metrics (the SpikeData-like UnitSet the curation and compile
 * stages read). Resumable by unit.
 */
import { join } from 'node:path';
import { readPhyFolder } from '../../io/phy';
import { buildUnitSet, estimateNoiseLevels, extractWaveforms, writeInitialSorting, writeUnitSet } from '../../waveforms';
import type { StageContext } from '../../activities/stageRunner';
import type { RecordingLayout } from '../layout';
import { openPreprocessed, readRecordingMeta } from './recordingMeta';
import { listFilesRecursive } from './sort';

export function unitSetFolder(layout: RecordingLayout): string {
  return join(layout.waveforms, 'spikedata');
}

export async function runExtractStage(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const { layout, config } = ctx;
  const meta = readRecordingMeta(layout.recording_meta);
  const rec = openPreprocessed(layout.binary, meta);
  try {
    const sorting = readPhyFolder(layout.sorter_output);
    const initial = writeInitialSorting(sorting, layout.curation_initial);
    const wf = await extractWaveforms(rec, sorting, {
      ...config.waveform,
      random_seed: config.execution.random_seed,
      n_jobs: config.execution.n_jobs,
      total_memory: config.execution.total_memory,
    }, layout.waveforms, {
      signal: ctx.signal,
      start_unit: ctx.resumeChunk ?? 0,
      // Waveforms are most of the work; the noise estimate is the last 10 %.
      onProgress: (p) => ctx.progress({ fraction_done: 0.9 * p.fraction_done, chunk: p.unit, n_chunks: p.n_units, message: `unit ${p.unit}/${p.n_units}` }),
    });
    const noise = await estimateNoiseLevels(rec, { signal: ctx.signal, onWarning: (m) => ctx.log.warn(m) });
    ctx.progress({ fraction_done: 0.98, message: 'metrics' });
    const set = buildUnitSet(rec, wf, config.waveform, { noise_levels: noise, sorter_name: config.sorter.sorter_name });
    writeUnitSet(set, unitSetFolder(layout));
    const spikes = wf.units.reduce((a, u) => a + u.n_spikes, 0);
    return {
      outputs: [...listFilesRecursive(layout.waveforms), ...initial],
      summary: { n_units: wf.units.length, n_spikes: spikes, n_channels: meta.num_channels },
    };
  } finally {
    rec.close();
  }
}
