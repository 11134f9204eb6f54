import { resolveTemporal } from '../../client/connection';
import { configFromSources } from '../configArgs';
import { runSort } from '../sortRunner';
import { buildMultistreamJobs } from '../../client/multistream';
import type { SortingPipelineConfig } from '../../config';
import type { RecordingJob } from '../../workflows/types';
import { CliUsageError } from '../configArgs';
import type { SortRun } from '../sortRunner';

export interface SortCliOptions {
  preset?: string;
  config?: string;
  intermediateFolder: string[];
  resultsFolder: string[];
  recurate?: boolean;
  worker: boolean;
  json?: boolean;
  streamIds?: string;
}

export function printRun(run: SortRun, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(run.report.toDict(), null, 2)}\n`);
    return;
  }
  for (const r of run.report.records) {
    const units = r.n_curated_units !== null ? `${r.n_curated_units} curated units` : '';
    const err = r.error_class !== null ? `${r.error_class}: ${r.error_message ?? ''}` : '';
    process.stdout.write(`${r.status.toUpperCase().padEnd(8)} ${r.rec_name}  ${units}${err}  (${r.wall_time_s.toFixed(1)} s) → ${r.results_folder}\n`);
  }
  for (const o of run.outcomes) {
    for (const s of o.stages) process.stdout.write(`  ${s.stage.padEnd(14)} ${s.reused ? 'reused' : 'ran   '} ${s.wall_time_s.toFixed(1).padStart(7)} s  ${s.reason}\n`);
  }
}

export async function sortCommand(paths: string[], opts: SortCliOptions, overrides: Record<string, unknown>): Promise<number> {
  const flat = { ...overrides };
  if (opts.recurate) {
    flat.recurate_first = true;
    flat.recurate_second = true;
  }
  const config = configFromSources({ preset: opts.preset, configFile: opts.config, overrides: flat });
  const jobs = opts.streamIds === undefined ? undefined : await multistreamJobs(paths, opts, config);
  const target = await resolveTemporal();
  if (target.embedded) process.stderr.write(`Temporal UI: ${target.embedded.ui_url}  (local server ${target.address}, database ${target.embedded.db_path})\n`);
  const run = await runSort({
    recordings: paths,
    jobs,
    config,
    intermediate_folders: opts.intermediateFolder.length > 0 ? opts.intermediateFolder : null,
    results_folders: opts.resultsFolder.length > 0 ? opts.resultsFolder : null,
    target,
    inProcessWorker: opts.worker,
  });
  printRun(run, opts.json);
  if (run.stopped_by !== null) return 3;
  return run.report.all_succeeded ? 0 : 1;
}

/** `--stream-ids well000,well001` (or `all`): one sort per stream of a single file or directory. */
async function multistreamJobs(paths: string[], opts: SortCliOptions, config: SortingPipelineConfig): Promise<RecordingJob[]> {
  if (paths.length !== 1) throw new CliUsageError(`--stream-ids sorts the streams of one recording; got ${paths.length} paths`);
  if (opts.intermediateFolder.length > 0 || opts.resultsFolder.length > 0) {
    throw new CliUsageError('--stream-ids names the folders per stream; do not pass --intermediate-folder / --results-folder');
  }
  const raw = (opts.streamIds ?? '').trim();
  const ids = raw === 'all' ? 'all' : raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (ids !== 'all' && ids.length === 0) throw new CliUsageError('--stream-ids needs a comma-separated list of stream ids, or all');
  return buildMultistreamJobs(paths[0], ids, config);
}
