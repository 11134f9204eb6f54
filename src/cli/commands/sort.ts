import { resolveTemporal } from '../../client/connection';
import { configFromSources } from '../configArgs';
import { runSort } from '../sortRunner';
import type { SortRun } from '../sortRunner';

export interface SortCliOptions {
  preset?: string;
  config?: string;
  intermediateFolder: string[];
  resultsFolder: string[];
  recurate?: boolean;
  worker: boolean;
  json?: boolean;
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
  const target = await resolveTemporal();
  if (target.embedded) process.stderr.write(`Temporal UI: ${target.embedded.ui_url}  (local server ${target.address}, database ${target.embedded.db_path})\n`);
  const run = await runSort({
    recordings: paths,
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
