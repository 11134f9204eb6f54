/**
 * sortBatchWorkflow: one child sortRecordingWorkflow per recording, with deterministic ids
 * (recording path + config hash) so a batch started twice never sorts a recording twice at
 * once. Biological and resource failures are recorded and skipped; an environment failure
 * stops the batch, since every later recording would hit the same broken host.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  setHandler,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { familyOf } from '../errors/families';
import { statusForFailureType } from '../errors/status';
import { batchProgressQuery } from './queries';
import type { BatchProgress } from './queries';
import { sortRecordingWorkflow } from './sortRecording';
import type { BatchInput, BatchOutcome, RecordingJob, RecordingOutcome, RecordingResult } from './types';


function outcomeFromFailure(err: unknown): RecordingOutcome | null {
  if (err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure) {
    const details = err.cause.details;
    if (Array.isArray(details) && details.length > 0) return details[0] as RecordingOutcome;
  }
  return null;
}

function syntheticResult(job: RecordingJob, type: string, message: string): RecordingResult {
  const name = job.rec_path.split('/').pop() ?? job.rec_path;
  const dot = name.lastIndexOf('.');
  return {
    rec_name: dot > 0 ? name.slice(0, dot) : name,
    rec_path: job.rec_path,
    results_folder: job.results_folder,
    status: statusForFailureType(type),
    wall_time_s: 0,
    n_curated_units: null,
    error_class: type,
    error_message: message.slice(0, 500),
    retries_used: 0,
    log_path: null,
    peak_host_ram_pct: null,
    peak_gpu_used_pct: null,
    min_disk_free_gb: null,
  };
}

export async function sortBatchWorkflow(input: BatchInput): Promise<BatchOutcome> {
  if (input.jobs.length !== input.child_ids.length) {
    throw ApplicationFailure.nonRetryable(`sortBatchWorkflow: ${input.jobs.length} jobs but ${input.child_ids.length} child ids`, 'InvalidBatchInput');
  }
  const progress: BatchProgress = { total: input.jobs.length, finished: 0, running: [], records: [], stopped_by: null };
  setHandler(batchProgressQuery, () => progress);
  const results: (RecordingResult | null)[] = input.jobs.map(() => null);
  const parallelism = Math.max(1, Math.floor(input.parallelism ?? 1));
  let next = 0;

  async function runOne(i: number): Promise<void> {
    const job = input.jobs[i];
    const id = input.child_ids[i];
    progress.running.push(id);
    try {
      const outcome = await executeChild(sortRecordingWorkflow, { workflowId: id, args: [job] });
      results[i] = outcome.result;
    } catch (err) {
      const outcome = outcomeFromFailure(err);
      if (outcome !== null) {
        results[i] = outcome.result;
        if (outcome.error_family === 'environment' && progress.stopped_by === null) progress.stopped_by = outcome.result.error_class;
      } else if (err instanceof WorkflowExecutionAlreadyStartedError) {
        results[i] = syntheticResult(job, 'ConcurrentSortError', `workflow ${id} is already sorting ${job.rec_path}`);
      } else {
        const type = err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure ? err.cause.type ?? 'Error' : 'Error';
        results[i] = syntheticResult(job, type, err instanceof Error ? err.message : String(err));
        if (familyOf(type) === 'environment' && progress.stopped_by === null) progress.stopped_by = type;
      }
    } finally {
      progress.running = progress.running.filter((r) => r !== id);
      progress.finished += 1;
      const r = results[i];
      if (r !== null) progress.records.push(r);
    }
  }

  async function lane(): Promise<void> {
    while (next < input.jobs.length && progress.stopped_by === null) {
      const i = next;
      next += 1;
      await runOne(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallelism, input.jobs.length) }, () => lane()));

  const records = results.filter((r): r is RecordingResult => r !== null);
  const notStarted = input.jobs.filter((_, i) => results[i] === null).map((j) => j.rec_path);
  const n_succeeded = records.filter((r) => r.status === 'success').length;
  return {
    records,
    n_total: input.jobs.length,
    n_succeeded,
    n_failed: input.jobs.length - n_succeeded,
    stopped_by: progress.stopped_by,
    not_started: notStarted,
  };
}
