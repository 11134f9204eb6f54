/**
 * prepare / finalize outside Temporal (the domain functions are plain TypeScript): reports,
 * the tee-log policy, delete_inter, the results-level run manifest.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalizeRecording, prepareRecording } from '../../src/activities/bookkeeping';
import { override, presetConfig } from '../../src/config';
import { recordingLogger } from '../../src/reporting/logger';
import type { RecordingJob, StageReport } from '../../src/workflows/types';

function job(flat: Record<string, unknown> = {}): RecordingJob {
  const dir = mkdtempSync(join(tmpdir(), 'bk-'));
  const rec = join(dir, 'r.raw.h5');
  writeFileSync(rec, 'stand-in bytes: prepare only fingerprints the file');
  return { rec_path: rec, intermediate_folder: join(dir, 'inter'), results_folder: join(dir, 'results'), config: override(presetConfig('KILOSORT4'), flat) };
}

function compileReport(j: RecordingJob, n: number): StageReport {
  const f = join(j.results_folder, 'sorted_units.json');
  writeFileSync(f, JSON.stringify({ n }));
  return { stage: 'compile', reused: false, reason: 'no manifest', digest: 'd', wall_time_s: 1, summary: { n_curated_units: n, results_files: [f] }, peak_host_ram_pct: 40, min_disk_free_gb: 50 };
}

test('prepare writes config_used.json in Python spelling and takes the lock; a missing recording is refused before anything is written', async () => {
  const j = job();
  const p = await prepareRecording(j);
  expect(p.already_complete).toBe(false);
  expect(readFileSync(join(j.results_folder, 'config_used.json'), 'utf8')).toContain('"ms_before": 2.0');
  expect(existsSync(join(j.intermediate_folder, '.spikelab_sort.lock'))).toBe(true);
  const missing: RecordingJob = { ...j, rec_path: join(tmpdir(), 'nope-does-not-exist.raw.h5'), results_folder: join(j.results_folder, 'other') };
  await expect(prepareRecording(missing)).rejects.toMatchObject({ type: 'RecordingNotFoundError' });
  expect(existsSync(missing.results_folder)).toBe(false);
});

test('success with the default tee policy: log deleted, report rewritten with log_path null, inter removed, run manifest written', async () => {
  const j = job();
  const { recording_fingerprint } = await prepareRecording(j);
  recordingLogger(j.results_folder).info('something happened');
  const r = await finalizeRecording({ job: j, status: 'success', wall_time_s: 12.3456, error_class: null, error_message: null, error_family: null, retries_used: 0, stages: [compileReport(j, 7)], recording_fingerprint });
  expect(r.n_curated_units).toBe(7);
  expect(r.log_path).toBeNull();
  expect(existsSync(join(j.results_folder, 'sorting.log'))).toBe(false);
  const report = JSON.parse(readFileSync(join(j.results_folder, 'recording_report.json'), 'utf8')) as Record<string, unknown>;
  expect(report).toMatchObject({ status: 'success', n_curated_units: 7, log_path: null, peak_host_ram_pct: 40, min_disk_free_gb: 50 });
  expect(existsSync(j.intermediate_folder)).toBe(false);
  expect(readFileSync(join(j.results_folder, 'sorting_report.md'), 'utf8')).toMatch(/^# Sorting report: r\.raw\n/);
  const again = await prepareRecording(j);
  expect(again.already_complete).toBe(true);
  expect(Object.keys(again.completed_stages)).toEqual(['compile']);
});

test('a changed config or a changed result file makes the run incomplete again', async () => {
  const j = job();
  const { recording_fingerprint } = await prepareRecording(j);
  await finalizeRecording({ job: j, status: 'success', wall_time_s: 1, error_class: null, error_message: null, error_family: null, retries_used: 0, stages: [compileReport(j, 3)], recording_fingerprint });
  expect((await prepareRecording({ ...j, config: override(j.config, { snr_min: 3 }) })).already_complete).toBe(false);
  writeFileSync(join(j.results_folder, 'sorted_units.json'), 'edited');
  expect((await prepareRecording(j)).already_complete).toBe(false);
});

test('failure keeps the log and the intermediate folder; gzip_on_success compresses', async () => {
  const j = job();
  const { recording_fingerprint } = await prepareRecording(j);
  recordingLogger(j.results_folder).error('boom');
  const r = await finalizeRecording({ job: j, status: 'failed', wall_time_s: 1, error_class: 'InsufficientActivityError', error_message: 'no spikes', error_family: 'biological', retries_used: 0, stages: [], recording_fingerprint });
  expect(r.n_curated_units).toBeNull();
  expect(existsSync(join(j.results_folder, 'sorting.log'))).toBe(true);
  expect(existsSync(j.intermediate_folder)).toBe(true);

  const g = job({ tee_log_policy: 'gzip_on_success', delete_inter: false });
  const preparedG = await prepareRecording(g);
  recordingLogger(g.results_folder).info('fine');
  mkdirSync(g.results_folder, { recursive: true });
  const rg = await finalizeRecording({ job: g, status: 'success', wall_time_s: 1, error_class: null, error_message: null, error_family: null, retries_used: 0, stages: [compileReport(g, 1)], recording_fingerprint: preparedG.recording_fingerprint });
  expect(rg.log_path).toBe(join(g.results_folder, 'sorting.log.gz'));
  expect(existsSync(rg.log_path as string)).toBe(true);
  expect(existsSync(g.intermediate_folder)).toBe(true);
});
