import { connectClient, resolveTemporal } from '../../client/connection';
import { renderProgress, snapshotOf } from '../progress';

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
