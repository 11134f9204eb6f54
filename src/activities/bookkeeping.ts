/**
 * The two bookkeeping activities around a recording's stages: prepare (folders, config_used,
 * sort lock, results-level reuse check) and finalize (reports, run manifest, tee policy,
 * delete_inter, lock release).
 */
import { Context } from '@temporalio/activity';
import { existsSync, mkdirSync, readFileSync, rmSync, createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { join, relative } from 'node:path';
import { runConfigHash, toPythonJson } from '../config';
import { toApplicationFailure } from '../errors/temporal';
import { acquireSortLock, releaseSortLock } from '../guards/sortLock';
import { fileDigest } from '../pipeline/manifest';
import { closeRecordingLogger, recordingLogPath } from '../reporting/logger';
import { writeRecordingReport, writeSortingReport } from '../reporting/report';
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx';
import type { FinalizeRequest, PreparedRecording, RecordingJob, RecordingResult, StageName, StageReport } from '../workflows/types';
import { layoutOf, loggerOf, recordingFingerprint } from './recordingContext';

interface RunManifest {
  recording: string;
  config_hash: string;
  stages: StageReport[];
  outputs: { path: string; digest: string }[];
}

function workflowIdOrLocal(): string {
  try {
    return Context.current().info.workflowExecution?.workflowId ?? `local-${process.pid}`;
  } catch {
    return `local-${process.pid}`;
  }
}

function readRunManifest(path: string): RunManifest | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunManifest;
  } catch {
    return null;
  }
}

export async function prepareRecording(job: RecordingJob): Promise<PreparedRecording> {
  try {
    const layout = layoutOf(job);
    const fingerprint = recordingFingerprint(layout.rec_path);
    mkdirSync(layout.results, { recursive: true });
    const log = loggerOf(layout, 'prepare');
    writeFileAtomic(layout.config_used, `${toPythonJson(job.config)}\n`);
    acquireSortLock(layout.inter, layout.lock, { workflow_id: workflowIdOrLocal() });
    log.info({ rec_path: layout.rec_path, inter: layout.inter, results: layout.results }, `preparing ${layout.rec_name}`);

    const run = readRunManifest(layout.run_manifest);
    let alreadyComplete = false;
    const completed: Partial<Record<StageName, StageReport>> = {};
    if (run !== null && run.recording === fingerprint && run.config_hash === runConfigHash(job.config)) {
      alreadyComplete = run.outputs.every((o) => {
        const abs = join(layout.results, o.path);
        return existsSync(abs) && fileDigest(abs) === o.digest;
      });
      if (alreadyComplete) for (const s of run.stages) completed[s.stage] = { ...s, reused: true, reason: 'complete results', wall_time_s: 0 };
    }
    return {
      rec_name: layout.rec_name,
      rec_path: layout.rec_path,
      results_folder: layout.results,
      intermediate_folder: layout.inter,
      log_path: recordingLogPath(layout.results),
      recording_fingerprint: fingerprint,
      already_complete: alreadyComplete,
      completed_stages: completed,
    };
  } catch (err) {
    throw toApplicationFailure(err);
  }
}

async function applyTeePolicy(policy: string, logPath: string): Promise<string | null> {
  if (!existsSync(logPath)) return null;
  if (policy === 'delete_on_success') {
    rmSync(logPath, { force: true });
    return null;
  }
  if (policy === 'gzip_on_success') {
    const gz = `${logPath}.gz`;
    await pipeline(createReadStream(logPath), createGzip(), createWriteStream(gz));
    rmSync(logPath, { force: true });
    return gz;
  }
  return logPath;
}

export async function finalizeRecording(req: FinalizeRequest): Promise<RecordingResult> {
  const { job } = req;
  const layout = layoutOf(job);
  const log = loggerOf(layout, 'finalize');
  const compile = req.stages.find((s) => s.stage === 'compile');
  const nCurated = typeof compile?.summary.n_curated_units === 'number' ? compile.summary.n_curated_units : null;
  const peaks = req.stages.map((s) => s.peak_host_ram_pct).filter((v): v is number => typeof v === 'number');
  const mins = req.stages.map((s) => s.min_disk_free_gb).filter((v): v is number => typeof v === 'number');
  const logPath = recordingLogPath(layout.results);
  const result: RecordingResult = {
    rec_name: layout.rec_name,
    rec_path: job.rec_path,
    results_folder: job.results_folder,
    status: req.status,
    wall_time_s: Math.round(req.wall_time_s * 1000) / 1000,
    n_curated_units: req.status === 'success' ? nCurated : null,
    error_class: req.error_class,
    error_message: req.error_message,
    retries_used: req.retries_used,
    log_path: logPath,
    peak_host_ram_pct: peaks.length > 0 ? Math.max(...peaks) : null,
    peak_gpu_used_pct: null,
    min_disk_free_gb: mins.length > 0 ? Math.min(...mins) : null,
  };
  if (req.status === 'success' && req.recording_fingerprint !== null) {
    log.info({ n_curated_units: nCurated, wall_time_s: result.wall_time_s }, `SUCCESS: ${layout.rec_name}, ${nCurated ?? 0} curated units`);
    const outputs = req.stages.flatMap((s) => (Array.isArray(s.summary.results_files) ? (s.summary.results_files as string[]) : []));
    const run: RunManifest = {
      // The recording as prepare saw it, not as it may be now: the run's outputs came from that.
      recording: req.recording_fingerprint,
      config_hash: runConfigHash(job.config),
      stages: [...req.stages],
      outputs: outputs.map((f) => ({ path: relative(layout.results, f), digest: fileDigest(f) })),
    };
    writeJsonAtomic(layout.run_manifest, run);
  } else {
    log.error({ status: req.status, error_class: req.error_class }, `${req.status.toUpperCase()}: ${layout.rec_name}: ${req.error_message ?? ''}`);
  }
  mkdirSync(layout.results, { recursive: true });
  writeRecordingReport(layout.recording_report, result);
  const ex = job.config.execution;
  if (ex.generate_sorting_report) writeSortingReport(layout.sorting_report, result, req.stages);
  releaseSortLock(layout.lock, { workflow_id: workflowIdOrLocal() });
  if (req.status === 'success') {
    if (ex.delete_inter && existsSync(layout.inter)) {
      log.info({ inter: layout.inter }, 'delete_inter: removing the intermediate folder');
      rmSync(layout.inter, { recursive: true, force: true });
    }
    closeRecordingLogger(layout.results);
    if (ex.generate_sorting_report) {
      const kept = await applyTeePolicy(ex.tee_log_policy, logPath);
      if (kept !== logPath) {
        // Quirk fix: the report names the log as it exists after the policy.
        result.log_path = kept;
        writeRecordingReport(layout.recording_report, result);
      }
    }
  } else {
    closeRecordingLogger(layout.results);
  }
  return result;
}
