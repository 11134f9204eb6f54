/**
 * Bad input through the real workflow: every case ends as a classified failure that names the
 * file and what was wrong, leaves existing files alone, and a batch goes on past biological
 * failures but stops at an environment failure.
 */
import { Client, Connection } from '@temporalio/client';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { runSort } from '../../src/cli/sortRunner';
import type { RunSortOptions } from '../../src/cli/sortRunner';
import { venvPython } from '../../src/util/paths';
import { startTestServer } from './harness';
import type { TestServer } from './harness';
import { makeRecording, tempDir, testConfig } from './recordings';

jest.setTimeout(20 * 60 * 1000);

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = tempDir('bad-inputs');
});
afterAll(async () => { await server?.stop(); });

function sortOpts(recordings: string[], flat: Record<string, unknown> = {}): RunSortOptions {
  return {
    recordings, config: testConfig(flat), target: { address: server.address, namespace: 'default', embedded: null },
    inProcessWorker: true, showProgress: false, log: () => undefined,
  };
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A results folder that already holds a previous run's files. */
function seedResults(rec: string): { folder: string; files: Map<string, string> } {
  const stem = rec.split('/').pop()!.replace(/\.[^.]+$/, '');
  const folder = join(dir, `sorted_kilosort4_${stem}`);
  mkdirSync(folder, { recursive: true });
  const files = new Map<string, string>();
  for (const name of ['sorted.npz', 'notes.txt']) {
    const p = join(folder, name);
    writeFileSync(p, `previous ${name} of ${stem}`);
    files.set(p, sha(p));
  }
  return { folder, files };
}

function expectUntouched(files: Map<string, string>): void {
  for (const [p, h] of files) expect(sha(p)).toBe(h);
}

async function sortOne(rec: string, flat: Record<string, unknown> = {}) {
  const run = await runSort(sortOpts([rec], flat));
  return run.report.records[0];
}

test('missing path → RecordingNotFoundError naming it', async () => {
  const rec = join(dir, 'does_not_exist.raw.h5');
  const r = await sortOne(rec);
  expect(r.status).toBe('failed');
  expect(r.error_class).toBe('RecordingNotFoundError');
  expect(r.error_message).toContain(rec);
});

test('a text file named .raw.h5 → InvalidRecordingError saying it is not HDF5; nothing on disk changes', async () => {
  const rec = join(dir, 'notes.raw.h5');
  writeFileSync(rec, 'these are my notes, not a recording\n');
  const before = sha(rec);
  const seeded = seedResults(rec);
  const r = await sortOne(rec);
  expect(r.status).toBe('failed');
  expect(r.error_class).toBe('InvalidRecordingError');
  expect(r.error_message).toContain(rec);
  expect(r.error_message).toMatch(/HDF5/);
  expect(sha(rec)).toBe(before);
  expectUntouched(seeded.files);
});

test('an HDF5 file without the Maxwell layout → InvalidRecordingError naming what is missing', async () => {
  const rec = join(dir, 'other.raw.h5');
  const py = spawnSync(venvPython(), ['-c', `import h5py, numpy as np\nwith h5py.File(${JSON.stringify(rec)}, 'w') as f: f.create_dataset('data', data=np.arange(10))`]);
  expect(py.status).toBe(0);
  const seeded = seedResults(rec);
  const r = await sortOne(rec);
  expect(r.error_class).toBe('InvalidRecordingError');
  expect(r.error_message).toContain(rec);
  expect(r.error_message).toMatch(/version|wells|sig|mapping/);
  expectUntouched(seeded.files);
});

test('freq_max above Nyquist → ConfigValidationError naming freq_max, the value and the limit', async () => {
  const { path: rec } = await makeRecording(dir, 'nyquist.raw.h5', { duration_s: 2, num_channels: 8, n_units: 1 });
  const r = await sortOne(rec, { freq_max: 12000 });
  expect(r.status).toBe('failed');
  expect(r.error_class).toBe('ConfigValidationError');
  expect(r.error_message).toMatch(/freq_max/);
  expect(r.error_message).toMatch(/12000/);
  expect(r.error_message).toMatch(/10000/);
});

test('a too-short recording → InvalidRecordingError with its length', async () => {
  const { path: rec } = await makeRecording(dir, 'short.raw.h5', { duration_s: 0.5, num_channels: 8, n_units: 1 });
  const r = await sortOne(rec);
  expect(r.error_class).toBe('InvalidRecordingError');
  expect(r.error_message).toMatch(/too short/);
  expect(r.error_message).toContain(rec);
});

test('batches: biological failures are skipped (no spikes → InsufficientActivityError), an environment failure stops the batch', async () => {
  const { path: noise } = await makeRecording(dir, 'noise.raw.h5', { spikes: false, duration_s: 10 });
  const bad = join(dir, 'garbage.raw.h5');
  writeFileSync(bad, Buffer.alloc(4096, 7));
  const run = await runSort(sortOpts([noise, bad]));
  expect(run.stopped_by).toBeNull();
  const [rNoise, rBad] = run.report.records;
  expect(rNoise.status).toBe('failed');
  expect(rNoise.error_class).toBe('InsufficientActivityError');
  expect(rBad.error_class).toBe('InvalidRecordingError');
  expect(existsSync(join(rNoise.results_folder, 'recording_report.json'))).toBe(true);

  const missing = join(dir, 'gone.raw.h5');
  const stopped = await runSort(sortOpts([missing, bad]));
  expect(stopped.stopped_by).toBe('RecordingNotFoundError');
  expect(stopped.report.records).toHaveLength(1);
});

test('the same batch started twice at once is one batch: the second start follows the first, each recording runs once', async () => {
  const { path: noise } = await makeRecording(dir, 'noise2.raw.h5', { spikes: false, duration_s: 10 });
  const bad = join(dir, 'garbage2.raw.h5');
  writeFileSync(bad, Buffer.alloc(1024, 3));
  const logs: string[] = [];
  const opts = { ...sortOpts([noise, bad]), log: (l: string) => logs.push(l) };
  const [one, two] = await Promise.all([runSort(opts), runSort({ ...opts, inProcessWorker: false })]);
  expect(one.report.toDict()).toEqual(two.report.toDict());
  expect(logs.some((l) => /already running: following it/.test(l))).toBe(true);
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    for (const id of one.workflow_ids) {
      const runs: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(wf.runId);
      expect(runs).toHaveLength(1);
    }
  } finally {
    await connection.close();
  }
});

test('the CLI refuses an unknown preset or config key before starting anything', async () => {
  const out = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const rec = join(dir, 'never_created.raw.h5');
    expect(await main(['sort', rec, '--preset', 'KILOSORT9'])).toBe(2);
    expect(await main(['sort', rec, '--preset', 'KILOSORT4', '--snr-minimum', '3'])).toBe(2);
    expect(existsSync(join(dir, 'sorted_kilosort4_never_created.raw'))).toBe(false);
    expect(existsSync(join(dir, 'inter_kilosort4_never_created.raw'))).toBe(false);
  } finally {
    out.mockRestore();
    process.exitCode = undefined;
  }
});
