/**
 * Where each stage's artefacts live. One function so activities, the CLI and tests agree.
 * Follows the reference's intermediate/results layout, with its quirk fixes: default folders
 * are per recording (`inter_<sorter>_<stem>`, `sorted_<sorter>_<stem>`) and carry no
 * timestamp, so a rerun finds the previous run's artefacts.
 */
import { basename, dirname, join, resolve } from 'node:path';

export type StageName = 'load' | 'sort' | 'extract' | 'curate_first' | 'curate_second' | 'compile';

export const STAGES: readonly StageName[] = ['load', 'sort', 'extract', 'curate_first', 'curate_second', 'compile'];

export interface RecordingLayout {
  readonly rec_path: string;
  readonly rec_name: string;
  readonly inter: string;
  readonly results: string;
  readonly binary: string;
  readonly recording_meta: string;
  readonly sorter_output: string;
  readonly sorter_log: string;
  readonly waveforms: string;
  readonly curation_initial: string;
  readonly curation_first: string;
  readonly curation_second: string;
  readonly lock: string;
  readonly config_used: string;
  readonly recording_report: string;
  readonly sorting_report: string;
  readonly run_manifest: string;
}

/** File name minus its final suffix only: `a.raw.h5` → `a.raw` (pipeline spec conventions). */
export function recordingStem(path: string): string {
  const name = basename(path.replace(/[\\/]+$/, ''));
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export function defaultFolders(recPath: string, sorterName: string): { inter: string; results: string } {
  const abs = resolve(recPath);
  const parent = dirname(abs);
  const stem = recordingStem(abs);
  return { inter: join(parent, `inter_${sorterName}_${stem}`), results: join(parent, `sorted_${sorterName}_${stem}`) };
}

export function recordingLayout(recPath: string, sorterName: string, inter: string, results: string): RecordingLayout {
  const rec_path = resolve(recPath);
  const rec_name = recordingStem(rec_path);
  const interAbs = resolve(inter);
  // Quirk fix (results == inter): redirect once, for every writer.
  const resultsAbs = resolve(results) === interAbs ? join(interAbs, 'results') : resolve(results);
  return {
    rec_path,
    rec_name,
    inter: interAbs,
    results: resultsAbs,
    binary: join(interAbs, `${rec_name}_scaled_filtered.dat`),
    recording_meta: join(interAbs, 'recording_meta.json'),
    sorter_output: join(interAbs, `${sorterName}_results`),
    sorter_log: join(interAbs, `${sorterName}.log`),
    waveforms: join(interAbs, 'waveforms'),
    curation_initial: join(interAbs, 'curation', 'initial'),
    curation_first: join(interAbs, 'curation', 'first'),
    curation_second: join(interAbs, 'curation', 'second'),
    lock: join(interAbs, '.spikelab_sort.lock'),
    config_used: join(resultsAbs, 'config_used.json'),
    recording_report: join(resultsAbs, 'recording_report.json'),
    sorting_report: join(resultsAbs, 'sorting_report.md'),
    run_manifest: join(resultsAbs, '.spikelab_run.manifest.json'),
  };
}

export function stageManifestPath(layout: RecordingLayout, stage: StageName): string {
  return join(stage === 'compile' ? layout.results : layout.inter, `.${stage}.manifest.json`);
}
