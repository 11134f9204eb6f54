/**
 * Starting (or attaching to) sort workflows from the CLI, optionally with an in-process
 * worker, following their progress and collecting one RecordingResult per recording.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SortingPipelineConfig } from '../config';
import { connectClient } from '../client/connection';
import type { TemporalTarget } from '../client/connection';
import { batchWorkflowIdFor, buildJobs, workflowIdFor } from '../client/jobs';
import { DEFAULT_TASK_QUEUE } from '../plugin';
import { SortRunReport } from '../reporting/report';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createSpikelabWorker } from '../worker/runWorker';
import { batchProgressQuery } from '../workflows/queries';
import type { BatchOutcome, RecordingJob, RecordingOutcome } from '../workflows/types';
import { ProgressPrinter, renderProgress, snapshotOf } from './progress';

export interface RunSortOptions {
  readonly recordings: readonly string[];
  readonly config: SortingPipelineConfig;
  /** Jobs built by the caller (multistream); replaces recordings + folders. */
  readonly jobs?: readonly RecordingJob[];
  readonly intermediate_folders?: readonly string[] | null;
  readonly results_folders?: readonly string[] | null;
  readonly target: TemporalTarget;
  readonly inProcessWorker: boolean;
  readonly taskQueue?: string;
  readonly showProgress?: boolean;
  readonly log?: (line: string) => void;
}

export interface SortRun {
  readonly report: SortRunReport;
  readonly outcomes: readonly RecordingOutcome[];
  readonly workflow_ids: readonly string[];
  readonly stopped_by: string | null;
}

async function startOrAttach(
  client: Client, workflow: string, id: string, args: unknown[], taskQueue: string, log: (l: string) => void,
): Promise<WorkflowHandle> {
  try {
    const handle = await client.workflow.start(workflow, { taskQueue, workflowId: id, args });
    log(`started workflow ${id}`);
    return handle;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      log(`workflow ${id} is already running: following it instead of starting a second sort`);
      return client.workflow.getHandle(id);
    }
    throw err;
  }
}

function outcomeOfFailure(err: unknown): RecordingOutcome | null {
  if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
    const d = err.cause.details;
    if (Array.isArray(d) && d.length > 0) return d[0] as RecordingOutcome;
  }
  return null;
}

async function follow<R>(resultPromise: Promise<R>, poll: () => Promise<void>, everyMs = 1000): Promise<R> {
  let done = false;
  const settled = resultPromise.finally(() => { done = true; });
  while (!done) {
    await Promise.race([settled.catch(() => undefined), new Promise((r) => setTimeout(r, everyMs))]);
    if (!done) await poll().catch(() => undefined);
  }
  return settled;
}

/** The in-process worker's SDK logs (bundling, state changes) would break the progress bars. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.SPIKELAB_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  } catch {
    // Already installed (a second sort in the same process): keep it.
  }
}

export async function runSort(opts: RunSortOptions): Promise<SortRun> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const jobs: RecordingJob[] = opts.jobs !== undefined ? [...opts.jobs] : buildJobs(opts.recordings, opts.config, {
    intermediate_folders: opts.intermediate_folders, results_folders: opts.results_folders,
  });
  const { client, connection } = await connectClient(opts.target);
  const printer = new ProgressPrinter();
  let workerHandle: Awaited<ReturnType<typeof createSpikelabWorker>> | null = null;
  if (opts.inProcessWorker) {
    quietRuntime();
    workerHandle = await createSpikelabWorker({ address: opts.target.address, namespace: opts.target.namespace, taskQueue });
  }
  try {
    const work = async (): Promise<SortRun> => {
      const report = new SortRunReport();
      if (jobs.length === 1) {
        const id = workflowIdFor(jobs[0]);
        const handle = await startOrAttach(client, 'sortRecordingWorkflow', id, [jobs[0]], taskQueue, log);
        let outcome: RecordingOutcome;
        try {
          outcome = await follow(handle.result() as Promise<RecordingOutcome>, async () => {
            if (opts.showProgress !== false) printer.show(`${jobs[0].rec_path}`, renderProgress(await snapshotOf(handle)));
          });
        } catch (err) {
          const o = outcomeOfFailure(err);
          if (o === null) throw err;
          outcome = o;
        }
        if (opts.showProgress !== false) printer.show(`${jobs[0].rec_path}`, renderProgress(await snapshotOf(handle)));
        report.add(outcome.result);
        return { report, outcomes: [outcome], workflow_ids: [id], stopped_by: outcome.error_family === 'environment' ? outcome.result.error_class : null };
      }
      const childIds = jobs.map(workflowIdFor);
      const id = batchWorkflowIdFor(jobs);
      const handle = await startOrAttach(client, 'sortBatchWorkflow', id, [{ jobs, child_ids: childIds }], taskQueue, log);
      const batch = await follow(handle.result() as Promise<BatchOutcome>, async () => {
        if (opts.showProgress === false) return;
        const bp = await handle.query(batchProgressQuery);
        const running = bp.running[0];
        const lines = running !== undefined ? renderProgress(await snapshotOf(client.workflow.getHandle(running))) : [];
        printer.show(`batch ${bp.finished}/${bp.total} done${running !== undefined ? `; now ${running}` : ''}`, lines);
      });
      for (const r of batch.records) report.add(r);
      if (batch.stopped_by !== null) log(`batch stopped by an environment failure (${batch.stopped_by}); not started: ${batch.not_started.join(', ')}`);
      return { report, outcomes: [], workflow_ids: childIds, stopped_by: batch.stopped_by };
    };
    if (workerHandle !== null) return await workerHandle.worker.runUntil(work());
    return await work();
  } finally {
    await connection.close();
    if (workerHandle !== null) await workerHandle.connection.close();
  }
}
