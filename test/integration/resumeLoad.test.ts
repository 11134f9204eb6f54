/**
 * A worker killed during the load stage: the retried activity resumes from the last
 * heartbeated chunk instead of rewriting the binary from the start, and the binary is
 * byte-identical to an uninterrupted write.
 */
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bandpassRecording } from '../../src/dsp/bandpass';
import { writeInt16Binary } from '../../src/io/binary';
import { openMaxwell } from '../../src/io/maxwell';
import { recordingLayout } from '../../src/pipeline/layout';
import { DEFAULT_TASK_QUEUE } from '../../src/plugin';
import type { HeartbeatDetails, RecordingOutcome } from '../../src/workflows/types';
import { spawnWorkerProcess, startTestServer, waitFor } from './harness';
import type { TestServer } from './harness';
import { jobFor, makeRecording, tempDir } from './recordings';

jest.setTimeout(15 * 60 * 1000);

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.stop(); });

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

test('load resumes from its last heartbeated chunk on a new worker; the binary equals an uninterrupted write', async () => {
  const dir = tempDir('resume-load');
  // No spikes: after the load stage the sort fails fast (InsufficientActivityError), keeping the test short.
  const { path: rec } = await makeRecording(dir, 'long.raw.h5', { num_channels: 256, duration_s: 60, spikes: false });
  const job = jobFor(rec, join(dir, 'run'));
  const layout = recordingLayout(rec, 'kilosort4', job.intermediate_folder, job.results_folder);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  // The first worker filters on its own thread, so the load lasts long enough to be killed
  // mid-way; the second resumes with filter workers: both paths write the same bytes.
  let worker = spawnWorkerProcess(server.address, { SPIKELAB_FILTER_THREADS: '0' });
  try {
    const handle = await client.workflow.start('sortRecordingWorkflow', { taskQueue: DEFAULT_TASK_QUEUE, workflowId: `resume-${Date.now()}`, args: [job] });
    const beat = await waitFor('a load heartbeat past chunk 3', async () => {
      const desc = await handle.describe();
      const p = desc.raw.pendingActivities?.find((a) => a.activityType?.name === 'loadStage')?.heartbeatDetails?.payloads?.[0];
      const d = p ? defaultPayloadConverter.fromPayload<HeartbeatDetails>(p) : null;
      return d !== null && (d.chunk ?? 0) > 3 ? d : undefined;
    }, 5 * 60 * 1000, 200);
    expect(beat.stage).toBe('load');
    expect(beat.n_chunks).toBe(60);
    expect(beat.watchdog.host_ram_used_pct).not.toBeNull();
    await worker.kill('SIGKILL');
    worker = spawnWorkerProcess(server.address);

    let outcome: RecordingOutcome | null = null;
    try {
      outcome = await handle.result() as RecordingOutcome;
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) outcome = err.cause.details?.[0] as RecordingOutcome;
    }
    expect(outcome).not.toBeNull();
    const load = outcome!.stages.find((s) => s.stage === 'load');
    expect(load?.summary.resumed_from_chunk).toBeGreaterThanOrEqual(beat.chunk as number);
    expect(outcome!.result.error_class).toBe('InsufficientActivityError');

    const reference = join(dir, 'uninterrupted.dat');
    const source = await openMaxwell(rec, {});
    await writeInt16Binary(bandpassRecording(source, 300, 6000), reference, {});
    source.close();
    expect(sha(layout.binary)).toBe(sha(reference));
  } finally {
    await worker.kill('SIGKILL');
    await connection.close();
  }
});
