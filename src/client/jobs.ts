/**
 * Turning user input into workflow jobs: absolute paths, default folders, deterministic
 * workflow ids (recording path + config hash), so the same sort started twice is one sort.
 */
import { resolve } from 'node:path';
import { canonicalDigest, runConfigHash } from '../config/hash';
import type { SortingPipelineConfig } from '../config';
import { defaultFolders, recordingStem } from '../pipeline/layout';
import type { RecordingJob } from '../workflows/types';

export interface JobFolders {
  readonly intermediate_folders?: readonly string[] | null;
  readonly results_folders?: readonly string[] | null;
}

export class JobSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobSpecError';
  }
}

export function buildJobs(recordings: readonly string[], config: SortingPipelineConfig, folders: JobFolders = {}): RecordingJob[] {
  const inter = folders.intermediate_folders ?? null;
  const results = folders.results_folders ?? null;
  for (const [name, list] of [['intermediate_folders', inter], ['results_folders', results]] as const) {
    if (list !== null && list.length !== recordings.length) {
      throw new JobSpecError(`${name} has ${list.length} entries but there are ${recordings.length} recordings: the lists must all have the same length`);
    }
  }
  return recordings.map((rec, i) => {
    const defaults = defaultFolders(rec, config.sorter.sorter_name);
    return {
      rec_path: resolve(rec),
      intermediate_folder: resolve(inter?.[i] ?? defaults.inter),
      results_folder: resolve(results?.[i] ?? defaults.results),
      config,
    };
  });
}

/** Everything that decides the outputs: recording path, folders and every stage's config view. */
export function workflowIdFor(job: RecordingJob): string {
  const key = canonicalDigest({
    rec: job.rec_path, inter: job.intermediate_folder, results: job.results_folder, config: runConfigHash(job.config),
  }).slice(0, 16);
  const stem = recordingStem(job.rec_path).replace(/[^A-Za-z0-9._-]/g, '_');
  return `spikelab-sort-${stem}-${key}`;
}

export function batchWorkflowIdFor(jobs: readonly RecordingJob[]): string {
  return `spikelab-batch-${canonicalDigest(jobs.map(workflowIdFor)).slice(0, 16)}`;
}
