/**
 * sortRecordingWorkflow: load → sort → extract → curate-first → curate-second → compile.
 * Each stage is an activity that skips itself when its manifest is valid; the workflow only
 * decides order, forced reruns, resource retries and the final status.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { familyOf } from '../errors/families';
import { statusForFailureType } from '../errors/status';
import type { RecordingStatus } from '../errors/status';
import type { SpikelabActivities } from './activityApi';
import { forcedStages, reducedSorterParams } from './policy';
import { progressQuery } from './queries';
import type { RecordingJob, RecordingOutcome, SortProgress, StageName, StageReport, StageRequest } from './types';

const STAGE_ORDER: readonly StageName[] = ['load', 'sort', 'extract', 'curate_first', 'curate_second', 'compile'];

const retry = { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 3 };

// Short bookkeeping activities.
const bookkeeping = proxyActivities<SpikelabActivities>({
  startToCloseTimeout: '10m',
  retry,
});

// Long, heartbeating stages: a dead worker is noticed within the heartbeat timeout and the
// stage resumes from its last heartbeated chunk on another attempt.
const stages = proxyActivities<SpikelabActivities>({
  startToCloseTimeout: '48h',
  heartbeatTimeout: '30s',
  retry,
});

function stageCall(stage: StageName): (req: StageRequest) => Promise<StageReport> {
  switch (stage) {
    case 'load': return stages.loadStage;
    case 'sort': return stages.sortStage;
    case 'extract': return stages.extractStage;
    case 'curate_first': return stages.curateFirstStage;
    case 'curate_second': return stages.curateSecondStage;
    case 'compile': return stages.compileStage;
  }
}

interface FailureInfo { type: string; message: string; family: string | null }

function describeFailure(err: unknown): FailureInfo {
  let cause: unknown = err;
  if (err instanceof ActivityFailure) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? 'Error';
    return { type, message: cause.message, family: familyOf(type) };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message, family: null };
  return { type: 'Error', message: String(cause), family: null };
}

function upstreamOf(stage: StageName, digests: Partial<Record<StageName, string>>): Partial<Record<StageName, string>> {
  const i = STAGE_ORDER.indexOf(stage);
  return i === 0 ? {} : { [STAGE_ORDER[i - 1]]: digests[STAGE_ORDER[i - 1]] };
}

export async function sortRecordingWorkflow(job: RecordingJob): Promise<RecordingOutcome> {
  const started = Date.now();
  const progress: SortProgress = {
    rec_path: job.rec_path,
    current: null,
    status: 'running',
    stages: Object.fromEntries(STAGE_ORDER.map((s) => [s, { state: 'pending', attempt: 0, wall_time_s: null, reason: null }])) as SortProgress['stages'],
  };
  setHandler(progressQuery, () => progress);

  const reports: StageReport[] = [];
  let failure: FailureInfo | null = null;
  let retriesUsed = 0;
  let fingerprint: string | null = null;
  try {
    const prepared = await bookkeeping.prepareRecording(job);
    fingerprint = prepared.recording_fingerprint;
    const force = forcedStages(job.config.execution);
    const anyForced = STAGE_ORDER.some((s) => force[s]);
    const digests: Partial<Record<StageName, string>> = {};
    for (const stage of STAGE_ORDER) {
      const known = prepared.completed_stages[stage];
      if (prepared.already_complete && !anyForced && known !== undefined) {
        // The results folder proves the whole run is complete for these inputs and config,
        // even when delete_inter already removed the intermediate artefacts.
        reports.push(known);
        digests[stage] = known.digest;
        progress.stages[stage] = { state: 'reused', attempt: 0, wall_time_s: 0, reason: 'complete results' };
        continue;
      }
      progress.current = stage;
      progress.stages[stage].state = 'running';
      let sorterParams: Record<string, unknown> | null = null;
      for (;;) {
        progress.stages[stage].attempt += 1;
        try {
          const report = await stageCall(stage)({
            job, force: force[stage], upstream: upstreamOf(stage, digests), sorter_params_override: sorterParams,
          });
          reports.push(report);
          digests[stage] = report.digest;
          progress.stages[stage] = { ...progress.stages[stage], state: report.reused ? 'reused' : 'done', wall_time_s: report.wall_time_s, reason: report.reason };
          break;
        } catch (err) {
          const info = describeFailure(err);
          // Resource policy: a GPU out-of-memory sort is retried with a smaller batch.
          if (stage === 'sort' && info.type === 'GPUOutOfMemoryError' && retriesUsed < Math.max(0, job.config.execution.oom_retry_max)) {
            const reduced = reducedSorterParams(job.config, sorterParams, job.config.execution.oom_retry_factor);
            if (reduced !== null) {
              retriesUsed += 1;
              sorterParams = reduced;
              continue;
            }
          }
          progress.stages[stage].state = 'failed';
          throw err;
        }
      }
    }
  } catch (err) {
    failure = describeFailure(err);
  }
  for (const s of STAGE_ORDER) if (progress.stages[s].state === 'pending') progress.stages[s].state = 'skipped';
  progress.current = null;

  const status: RecordingStatus = failure === null ? 'success' : statusForFailureType(failure.type);
  const result = await bookkeeping.finalizeRecording({
    job,
    status,
    wall_time_s: (Date.now() - started) / 1000,
    error_class: failure?.type ?? null,
    error_message: failure === null ? null : failure.message.slice(0, 500) || null,
    error_family: failure?.family ?? null,
    retries_used: retriesUsed,
    stages: reports,
    recording_fingerprint: fingerprint,
  });
  progress.status = status;
  const outcome: RecordingOutcome = { result, stages: reports, error_family: failure?.family ?? null };
  if (failure !== null) {
    // Failed recordings show as failed workflows in the UI; the outcome rides in the details.
    throw ApplicationFailure.create({
      type: failure.type,
      message: `${workflowInfo().workflowId}: ${result.rec_name} ${status}: ${failure.message}`,
      nonRetryable: true,
      details: [outcome],
    });
  }
  return outcome;
}
