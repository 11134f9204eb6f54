/**
 * A session directory of NWB files sorted as one recording: its files are concatenated in
 * natural order, sorted once by Kilosort4, and each file gets its own results folder
 * (`chunk<i>/`) with spike times relative to that file, matching that file's ground truth.
 * (The NWB files are pynwb conversions of synthetic Maxwell recordings with known units.)
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSort } from '../../src/cli/sortRunner';
import { computeAccuracy } from '../../src/io/ground_truth';
import { defaultFolders } from '../../src/pipeline/layout';
import { readCompiledUnits } from '../../src/reporting/compiledUnits';
import { startTestServer } from './harness';
import type { TestServer } from './harness';
import { runPythonScript } from '../io/python';
import { makeRecording, tempDir, testConfig } from './recordings';

jest.setTimeout(20 * 60 * 1000);

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.stop(); });

test('a directory of two NWB recordings: one sort, split back per file with per-file spike times', async () => {
  const base = tempDir('session');
  const session = join(base, 'day1');
  mkdirSync(session);
  // Same seed → same units on the same probe; different lengths tell the files apart.
  const long = await makeRecording(base, 'rec2.raw.h5', { duration_s: 14 });
  const short = await makeRecording(base, 'rec10.raw.h5', { duration_s: 9 });
  runPythonScript('maxwell_to_nwb.py', [long.path, join(session, 'rec2.nwb')]);
  runPythonScript('maxwell_to_nwb.py', [short.path, join(session, 'rec10.nwb')]);
  const run = await runSort({
    recordings: [session], config: testConfig(),
    target: { address: server.address, namespace: 'default', embedded: null },
    inProcessWorker: true, showProgress: false, log: () => undefined,
  });
  const record = run.report.records[0];
  expect(record.status).toBe('success');
  const inter = defaultFolders(session, 'kilosort4').inter;
  const meta = JSON.parse(readFileSync(join(inter, 'recording_meta.json'), 'utf8')) as { chunks: { name: string; start_frame: number; end_frame: number }[] };
  expect(meta.chunks).toEqual([
    { name: 'rec2.nwb', start_frame: 0, end_frame: 14 * 20000 },
    { name: 'rec10.nwb', start_frame: 14 * 20000, end_frame: 23 * 20000 },
  ]);
  const results = record.results_folder;
  expect(existsSync(join(results, 'sorted.npz'))).toBe(false);
  for (const [i, rec] of [long, short].entries()) {
    const units = readCompiledUnits(join(results, `chunk${i}`));
    expect(units.n_samples).toBe(rec.gt.num_frames);
    expect([units.source_file, units.epoch_index]).toEqual([i === 0 ? 'rec2.nwb' : 'rec10.nwb', i]);
    for (const u of units.units) for (const t of u.spike_train_samples) expect(t).toBeLessThan(rec.gt.num_frames);
    const acc = computeAccuracy(rec.gt, units.units.map((u) => ({ spike_frames: u.spike_train_samples })), 20000);
    expect(acc.n_well_detected).toBeGreaterThanOrEqual(rec.gt.units.length - 1);
    expect(acc.mean_accuracy).toBeGreaterThan(0.85);
  }
});
