/**
 * Sort stage: run the configured sorter backend on the load stage's binary and keep its Phy
 * output. Kilosort4 runs in the project venv on the CPU; the other backends are not built yet
 * and fail with a classified environment error naming what is missing.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runKilosort4 } from '../../backends/kilosort4';
import { SorterDependencyError } from '../../errors/taxonomy';
import type { StageContext } from '../../activities/stageRunner';
import { venvPython } from '../../util/paths';
import { readRecordingMeta } from './recordingMeta';

export function listFilesRecursive(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFilesRecursive(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

export async function runSortStage(
  ctx: StageContext,
  sorterParamsOverride: Readonly<Record<string, unknown>> | null,
  python: string = venvPython(),
): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const { layout, config } = ctx;
  const sorter = config.sorter.sorter_name;
  if (sorter !== 'kilosort4') {
    throw new SorterDependencyError(
      `sorter '${sorter}' is not available in this build of spikelab-sorting yet; use --preset KILOSORT4`,
      { sorter, dependency: sorter, remediation: 'run with --preset KILOSORT4' },
    );
  }
  if (config.sorter.use_docker !== false) {
    throw new SorterDependencyError('use_docker is not supported for kilosort4 in this build yet; set --use-docker false', {
      sorter, dependency: 'docker', remediation: '--use-docker false',
    });
  }
  const meta = readRecordingMeta(layout.recording_meta);
  // A previous, interrupted attempt may have left partial output: start clean.
  rmSync(layout.sorter_output, { recursive: true, force: true });
  const ex = config.execution;
  const params = sorterParamsOverride ?? config.sorter.sorter_params;
  const sorting = await runKilosort4({
    binary_path: layout.binary,
    num_channels: meta.num_channels,
    sampling_frequency: meta.sampling_frequency,
    locations: meta.locations.map(([x, y]) => [x, y] as [number, number]),
    output_folder: layout.sorter_output,
    sorter_params: params === null ? null : { ...params },
    python,
    // Quirk fix (no units): a sorter that finds nothing is a successful sort with 0 units.
    on_zero_units: 'return',
    log_path: layout.sorter_log,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ fraction_done: p.fraction_done, message: p.message ?? null }),
    inactivity: {
      enabled: ex.sorter_inactivity_timeout,
      base_s: ex.sorter_inactivity_base_s,
      per_min_s: ex.sorter_inactivity_per_min_s,
      max_s: ex.sorter_inactivity_max_s,
      recording_minutes: meta.num_frames / meta.sampling_frequency / 60,
    },
  });
  const outputs = listFilesRecursive(layout.sorter_output).filter((f) => statSync(f).size >= 0);
  const nSpikes = sorting.spike_trains.reduce((a, t) => a + t.length, 0);
  return {
    outputs,
    summary: {
      sorter, n_units: sorting.unit_ids.length, n_spikes: nSpikes,
      batch_size: typeof params?.batch_size === 'number' ? params.batch_size : null,
    },
  };
}
