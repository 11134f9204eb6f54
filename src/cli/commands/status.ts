import { connectClient, resolveTemporal } from '../../client/connection';
import { WorkflowFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RecordingOutcome } from '../../workflows/types';
import { renderProgress, snapshotOf } from '../progress';

async function closedOutcome(handle: WorkflowHandle): Promise<RecordingOutcome | null> {
  try {
    const r = (await handle.result()) as unknown;
    return r !== null && typeof r === 'object' && 'result' in r ? (r as RecordingOutcome) : null;
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
      const d = err.cause.details?.[0];
      if (d !== null && typeof d === 'object' && 'result' in d) return d as RecordingOutcome;
    }
    return null;
  }
}

function renderOutcome(o: RecordingOutcome): string {
  const r = o.result;
  const lines = [`  ${r.rec_path}: ${r.status}${r.n_curated_units !== null ? `, ${r.n_curated_units} curated units` : ''}${r.error_class ? `, ${r.error_class}: ${r.error_message ?? ''}` : ''}`];
  for (const s of o.stages) lines.push(`  ${s.stage.padEnd(14)} ${s.reused ? 'reused' : 'ran   '} ${s.wall_time_s.toFixed(1).padStart(7)} s`);
  lines.push(`  results: ${r.results_folder}`);
  return `${lines.join('\n')}\n`;
}

export async function statusCommand(id: string | undefined, opts: { json?: boolean }): Promise<number> {
  const target = await resolveTemporal();
  const { client, connection } = await connectClient(target);
  try {
    if (id === undefined) {
      const rows: { id: string; type: string; status: string; start: string }[] = [];
      for await (const wf of client.workflow.list({ query: "WorkflowType = 'sortRecordingWorkflow' OR WorkflowType = 'sortBatchWorkflow'" })) {
        rows.push({ id: wf.workflowId, type: wf.type, status: wf.status.name, start: wf.startTime.toISOString() });
        if (rows.length >= 50) break;
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else for (const r of rows) process.stdout.write(`${r.status.padEnd(12)} ${r.start}  ${r.id}\n`);
      if (target.embedded) process.stderr.write(`Temporal UI: ${target.embedded.ui_url}\n`);
      return 0;
    }
    const handle = client.workflow.getHandle(id);
    const desc = await handle.describe();
    if (desc.status.name !== 'RUNNING') {
      // A closed workflow answers queries only through a worker's replay: show its outcome instead.
      const outcome = await closedOutcome(handle);
      if (opts.json) process.stdout.write(`${JSON.stringify({ id, status: desc.status.name, outcome }, null, 2)}\n`);
      else process.stdout.write(`${id}: ${desc.status.name}\n${outcome === null ? '' : renderOutcome(outcome)}`);
      return 0;
    }
    const snap = await snapshotOf(handle);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ id, status: desc.status.name, progress: snap.progress, heartbeat: snap.heartbeat }, null, 2)}\n`);
    } else {
      process.stdout.write(`${id}: ${desc.status.name}\n${renderProgress(snap).join('\n')}\n`);
    }
    return 0;
  } finally {
    await connection.close();
  }
}
