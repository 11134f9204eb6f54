/**
 * The foundation's promises against a real Temporal dev server and real Kilosort4:
 * (a) a lab's own worker with spikelabPlugin() sorts a recording; (b) a worker SIGKILLed
 * during the sort finishes on a new worker without redoing load, byte-identical to (a); (c) the
 * Temporal server killed and restarted on the same database mid-sort; (d) a second sort reuses
 * every stage and --recurate reruns only curation and compile (last: it rewrites (a)'s folders).
 */
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runSort } from '../../src/cli/sortRunner';
import { override } from '../../src/config';
import { computeAccuracy } from '../../src/io/ground_truth';
import type { GroundTruth } from '../../src/io/ground_truth';
import { processAlive } from '../../src/guards/sortLock';
import { stageManifestPath, recordingLayout } from '../../src/pipeline/layout';
import { DEFAULT_TASK_QUEUE, spikelabPlugin } from '../../src/plugin';
import { readCompiledUnits } from '../../src/reporting/compiledUnits';
import type { RecordingJob, RecordingOutcome, HeartbeatDetails } from '../../src/workflows/types';
import { defaultPayloadConverter } from '@temporalio/common';
import { diffTrees, stableDigests } from './files';
import { spawnWorkerProcess, startTestServer, waitFor } from './harness';
import type { TestServer } from './harness';
import { jobFor, makeRecording, tempDir } from './recordings';

jest.setTimeout(30 * 60 * 1000);

let server: TestServer;
let rec: string;
let gt: GroundTruth;
let baseA: string;
let jobA: RecordingJob;
let outcomeA: RecordingOutcome;

beforeAll(async () => {
  server = await startTestServer();
  const dir = tempDir('durable');
  ({ path: rec, gt } = await makeRecording(dir));
  baseA = join(dir, 'A');
  jobA = jobFor(rec, baseA);
});

afterAll(async () => {
  await server?.stop();
});

async function clientFor(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: server.address });
  return { client: new Client({ connection }), connection };
}

function loadTasksScheduled(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): number {
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadStage').length;
}

async function runningSortDetails(handle: WorkflowHandle): Promise<{ attempt: number; details: HeartbeatDetails | null } | undefined> {
  const desc = await handle.describe();
  const pending = (desc.raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'sortStage');
  if (pending === undefined || pending.state !== 2 /* PENDING_ACTIVITY_STATE_STARTED */) return undefined;
  const p = pending.heartbeatDetails?.payloads?.[0];
  return { attempt: pending.attempt ?? 1, details: p ? defaultPayloadConverter.fromPayload<HeartbeatDetails>(p) : null };
}

test('(a) a lab worker with spikelabPlugin() beside its own workflows sorts a recording end to end', async () => {
  const { client, connection } = await clientFor();
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection: native,
    taskQueue: DEFAULT_TASK_QUEUE,
    workflowsPath: require.resolve('./fixtures/labWorkflows'),
    plugins: [spikelabPlugin()],
  });
  try {
    await worker.runUntil(async () => {
      expect(await client.workflow.execute('labHelloWorkflow', { taskQueue: DEFAULT_TASK_QUEUE, workflowId: `lab-${Date.now()}`, args: ['lab'] })).toBe('hello lab');
      outcomeA = await client.workflow.execute('sortRecordingWorkflow', { taskQueue: DEFAULT_TASK_QUEUE, workflowId: `a-${Date.now()}`, args: [jobA] }) as RecordingOutcome;
    });
  } finally {
    await native.close();
    await connection.close();
  }
  expect(outcomeA.result.status).toBe('success');
  expect(outcomeA.stages.map((s) => [s.stage, s.reused])).toEqual([
    ['load', false], ['sort', false], ['extract', false], ['curate_first', false], ['curate_second', false], ['compile', false],
  ]);
  const results = jobA.results_folder;
  for (const f of ['sorted.npz', 'sorted_units.json', 'recording_report.json', 'sorting_report.md', 'config_used.json']) {
    expect(existsSync(join(results, f))).toBe(true);
  }
  const report = JSON.parse(readFileSync(join(results, 'recording_report.json'), 'utf8')) as Record<string, unknown>;
  expect(Object.keys(report)).toEqual(['rec_name', 'rec_path', 'results_folder', 'status', 'wall_time_s', 'n_curated_units', 'error_class', 'error_message', 'retries_used', 'log_path', 'peak_host_ram_pct', 'peak_gpu_used_pct', 'min_disk_free_gb']);
  const units = readCompiledUnits(results);
  expect(units.units.length).toBe(outcomeA.result.n_curated_units);
  const acc = computeAccuracy(gt, units.units.map((u) => ({ spike_frames: u.spike_train_samples })), gt.sampling_frequency);
  // The synthetic units are well separated: nearly all must be found nearly perfectly.
  expect(acc.n_well_detected).toBeGreaterThanOrEqual(gt.units.length - 1);
  expect(acc.mean_accuracy).toBeGreaterThan(0.85);
});

test('(b) a worker SIGKILLed during the sort: a new worker finishes it, load is not redone, outputs identical to (a)', async () => {
  const baseB = join(tempDir('killed-worker'), 'B');
  const jobB = jobFor(rec, baseB);
  const layoutB = recordingLayout(jobB.rec_path, 'kilosort4', jobB.intermediate_folder, jobB.results_folder);
  const { client, connection } = await clientFor();
  let first = spawnWorkerProcess(server.address);
  try {
    const handle = await client.workflow.start('sortRecordingWorkflow', { taskQueue: DEFAULT_TASK_QUEUE, workflowId: `b-${Date.now()}`, args: [jobB] });
    await waitFor('the sort activity to heartbeat', async () => {
      const s = await runningSortDetails(handle);
      return s?.details?.stage === 'sort' ? s : undefined;
    }, 10 * 60 * 1000, 500);
    // Let Kilosort4 get going so the kill interrupts real work.
    await new Promise((r) => setTimeout(r, 5000));
    const loadManifest = readFileSync(stageManifestPath(layoutB, 'load'), 'utf8');
    const binaryMtime = statSync(layoutB.binary).mtimeMs;
    const runnerPids = childPids(first.child.pid ?? -1);
    expect(runnerPids.length).toBeGreaterThan(0);
    await first.kill('SIGKILL');
    // The orphaned Kilosort4 process notices its worker died and exits.
    await waitFor('the orphaned Kilosort4 runner to exit', () => (runnerPids.every((p) => !processAlive(p)) ? true : undefined), 30000, 500);

    first = spawnWorkerProcess(server.address);
    const outcomeB = await handle.result() as RecordingOutcome;
    expect(outcomeB.result.status).toBe('success');
    expect(loadTasksScheduled(await handle.fetchHistory())).toBe(1);
    expect(readFileSync(stageManifestPath(layoutB, 'load'), 'utf8')).toBe(loadManifest);
    expect(statSync(layoutB.binary).mtimeMs).toBe(binaryMtime);
    const desc = await handle.describe();
    expect(desc.status.name).toBe('COMPLETED');

    expect(diffTrees(stableDigests(jobA.results_folder), stableDigests(jobB.results_folder))).toEqual([]);
    expect(diffTrees(stableDigests(jobA.intermediate_folder, baseA), stableDigests(jobB.intermediate_folder, baseB))).toEqual([]);
  } finally {
    await first.kill('SIGKILL');
    await connection.close();
  }
});

test('(c) the Temporal server killed and restarted on the same database mid-sort: the sort completes', async () => {
  const baseC = join(tempDir('killed-server'), 'C');
  const jobC = jobFor(rec, baseC);
  const workerProc = spawnWorkerProcess(server.address);
  try {
    let { client, connection } = await clientFor();
    const id = `c-${Date.now()}`;
    const handle = await client.workflow.start('sortRecordingWorkflow', { taskQueue: DEFAULT_TASK_QUEUE, workflowId: id, args: [jobC] });
    await waitFor('the sort activity to start', async () => runningSortDetails(handle), 10 * 60 * 1000, 500);
    await connection.close();
    await server.kill();
    await new Promise((r) => setTimeout(r, 3000));
    await server.restart();
    ({ client, connection } = await clientFor());
    const outcome = await client.workflow.getHandle(id).result() as RecordingOutcome;
    await connection.close();
    expect(outcome.result.status).toBe('success');
    expect(diffTrees(stableDigests(jobA.results_folder), stableDigests(jobC.results_folder))).toEqual([]);
  } finally {
    await workerProc.kill('SIGKILL');
  }
});

test('(d) a second sort reuses every stage; --recurate reruns only curation and compile', async () => {
  const second = await runSort({ recordings: [rec], config: jobA.config, intermediate_folders: [jobA.intermediate_folder], results_folders: [jobA.results_folder], target: { address: server.address, namespace: 'default', embedded: null }, inProcessWorker: true, showProgress: false, log: () => undefined });
  expect(second.report.records[0].status).toBe('success');
  expect(second.outcomes[0].stages.every((s) => s.reused)).toBe(true);
  const sortedBefore = statSync(join(jobA.intermediate_folder, 'kilosort4_results', 'spike_times.npy')).mtimeMs;

  const recurate = await runSort({
    recordings: [rec], config: override(jobA.config, { recurate_first: true, recurate_second: true }),
    intermediate_folders: [jobA.intermediate_folder], results_folders: [jobA.results_folder],
    target: { address: server.address, namespace: 'default', embedded: null }, inProcessWorker: true, showProgress: false, log: () => undefined,
  });
  expect(recurate.outcomes[0].stages.map((s) => [s.stage, s.reused])).toEqual([
    ['load', true], ['sort', true], ['extract', true], ['curate_first', false], ['curate_second', false], ['compile', false],
  ]);
  expect(statSync(join(jobA.intermediate_folder, 'kilosort4_results', 'spike_times.npy')).mtimeMs).toBe(sortedBefore);
  expect(recurate.report.records[0].n_curated_units).toBe(outcomeA.result.n_curated_units);
});

/** Descendants of a process (the worker's Kilosort4 runner), from /proc. */
function childPids(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch { /* exited */ }
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const p = frontier.pop() as number;
    for (const [pid, pp] of parent) if (pp === p) { out.push(pid); frontier.push(pid); }
  }
  return out;
}
