/**
 * The shape every stage activity shares: check the manifest and skip, or run the domain
 * stage with heartbeats (progress + watchdog state every few seconds), resume information
 * from the previous attempt's heartbeat, cancellation, watchdogs, classified-error
 * conversion, and the manifest written last.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { SortingPipelineConfig } from '../config';
import { toApplicationFailure } from '../errors/temporal';
import { StageWatchdog } from '../guards/watchdog';
import { checkManifest, manifestDigest, removeManifest, writeManifest } from '../pipeline/manifest';
import type { RecordingLayout, StageName } from '../pipeline/layout';
import type { HeartbeatDetails, StageReport } from '../workflows/types';

export interface StageProgressUpdate {
  fraction_done: number;
  chunk?: number | null;
  n_chunks?: number | null;
  message?: string | null;
}

export interface StageContext {
  readonly layout: RecordingLayout;
  readonly config: SortingPipelineConfig;
  readonly signal: AbortSignal;
  /** Last chunk the previous attempt heartbeated as finished, or null on a first attempt. */
  readonly resumeChunk: number | null;
  readonly attempt: number;
  readonly log: Logger;
  progress(update: StageProgressUpdate): void;
}

export interface StageWork {
  readonly stage: StageName;
  readonly layout: RecordingLayout;
  readonly config: SortingPipelineConfig;
  readonly manifestPath: string;
  /** Fingerprints of everything the stage reads (upstream manifest digests, the recording file). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly configHash: string;
  readonly force: boolean;
  readonly log: Logger;
  /** Returns the files it wrote (absolute) and a small summary for reports. */
  run(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }>;
}

const HEARTBEAT_EVERY_MS = 5000;

function currentContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

export async function runStage(work: StageWork): Promise<StageReport> {
  const started = Date.now();
  const verdict = work.force ? { valid: false as const, reason: 'forced by a recompute/reextract/recurate/recompile flag' } :
    checkManifest(work.manifestPath, work.stage, work.inputs, work.configHash);
  if (verdict.valid) {
    work.log.info({ stage: work.stage }, `${work.stage}: reusing complete artefacts`);
    return {
      stage: work.stage, reused: true, reason: 'valid manifest', digest: manifestDigest(verdict.manifest),
      wall_time_s: (Date.now() - started) / 1000, summary: verdict.manifest.summary,
    };
  }
  work.log.info({ stage: work.stage, reason: verdict.reason }, `${work.stage}: running (${verdict.reason})`);
  removeManifest(work.manifestPath);

  const ctx = currentContext();
  const previous = ctx?.info.heartbeatDetails as Partial<HeartbeatDetails> | undefined;
  const resumeChunk = previous && previous.stage === work.stage && typeof previous.chunk === 'number' ? previous.chunk : null;
  const abort = new AbortController();
  const onCancel = (): void => abort.abort(ctx?.cancellationSignal.reason ?? new Error('cancelled'));
  ctx?.cancellationSignal.addEventListener('abort', onCancel);

  const ex = work.config.execution;
  const watchdog = new StageWatchdog(ex, work.layout.inter, (err) => abort.abort(err), (msg) => work.log.warn({ stage: work.stage }, msg));
  await watchdog.pollOnce();
  watchdog.start();

  const details: HeartbeatDetails = {
    stage: work.stage, fraction_done: 0, chunk: resumeChunk, n_chunks: null, message: null, watchdog: watchdog.snapshot(),
  };
  const beat = (): void => {
    details.watchdog = watchdog.snapshot();
    ctx?.heartbeat({ ...details });
  };
  beat();
  const ticker = setInterval(beat, HEARTBEAT_EVERY_MS);
  ticker.unref();

  try {
    const result = await work.run({
      layout: work.layout,
      config: work.config,
      signal: abort.signal,
      resumeChunk,
      attempt: ctx?.info.attempt ?? 1,
      log: work.log,
      progress(update) {
        details.fraction_done = Math.max(0, Math.min(1, update.fraction_done));
        if (update.chunk !== undefined) details.chunk = update.chunk;
        if (update.n_chunks !== undefined) details.n_chunks = update.n_chunks;
        if (update.message !== undefined) details.message = update.message;
      },
    });
    if (watchdog.error !== null) throw watchdog.error;
    const manifest = writeManifest(work.manifestPath, work.stage, work.inputs, work.configHash, result.outputs, result.summary);
    const wall = (Date.now() - started) / 1000;
    work.log.info({ stage: work.stage, wall_time_s: wall, summary: result.summary }, `${work.stage}: done in ${wall.toFixed(1)} s`);
    const wd = watchdog.snapshot();
    return {
      stage: work.stage, reused: false, reason: verdict.reason, digest: manifestDigest(manifest), wall_time_s: wall, summary: result.summary,
      peak_host_ram_pct: wd.peak_host_ram_pct, min_disk_free_gb: wd.min_disk_free_gb,
    };
  } catch (err) {
    // A watchdog trip surfaces as whatever the aborted work threw; report the trip itself.
    const cause = watchdog.error ?? err;
    work.log.error({ stage: work.stage, err: cause }, `${work.stage}: failed: ${(cause as Error).message}`);
    throw toApplicationFailure(cause);
  } finally {
    clearInterval(ticker);
    watchdog.stop();
    ctx?.cancellationSignal.removeEventListener('abort', onCancel);
  }
}
