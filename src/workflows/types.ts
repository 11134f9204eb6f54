/**
 * Types shared by workflows, activities, the client and the CLI. Type-only imports keep the
 * workflow bundle free of Node code.
 */
import type { SortingPipelineConfig } from '../config';
import type { RecordingStatus } from '../errors/status';
import type { StageName } from '../pipeline/layout';

export type { StageName };

/** One recording to sort, with its folders already resolved to absolute paths. */
export interface RecordingJob {
  readonly rec_path: string;
  readonly intermediate_folder: string;
  readonly results_folder: string;
  readonly config: SortingPipelineConfig;
}

export interface StageRequest {
  readonly job: RecordingJob;
  /** Rerun even when the manifest is valid (a recompute_* / reextract_* / recurate_* / recompile_* flag upstream). */
  readonly force: boolean;
  /** Manifest digests of the stages this one reads. */
  readonly upstream: Readonly<Partial<Record<StageName, string>>>;
  /** Sorter parameters after any reduction for a resource retry (sort stage only). */
  readonly sorter_params_override?: Readonly<Record<string, unknown>> | null;
}

export interface StageReport {
  readonly stage: StageName;
  readonly reused: boolean;
  /** Why the stage ran (or 'valid manifest' when reused). */
  readonly reason: string;
  readonly digest: string;
  readonly wall_time_s: number;
  readonly summary: Readonly<Record<string, unknown>>;
  /** Watchdog readings while the stage ran (null when reused). */
  readonly peak_host_ram_pct?: number | null;
  readonly min_disk_free_gb?: number | null;
}

export interface PreparedRecording {
  readonly rec_name: string;
  readonly rec_path: string;
  readonly results_folder: string;
  readonly intermediate_folder: string;
  readonly log_path: string;
  /** Content identity of the input recording when the run started. */
  readonly recording_fingerprint: string;
  /** Every stage's artefacts are already complete for these inputs and config (results-level manifest). */
  readonly already_complete: boolean;
  readonly completed_stages: Readonly<Partial<Record<StageName, StageReport>>>;
}

/** The per-recording record (guards spec §1.1; field order = recording_report.json key order). */
export interface RecordingResult {
  rec_name: string;
  rec_path: string;
  results_folder: string;
  status: RecordingStatus;
  wall_time_s: number;
  n_curated_units: number | null;
  error_class: string | null;
  error_message: string | null;
  retries_used: number;
  log_path: string | null;
  peak_host_ram_pct: number | null;
  peak_gpu_used_pct: number | null;
  min_disk_free_gb: number | null;
}

export interface FinalizeRequest {
  readonly job: RecordingJob;
  readonly status: RecordingStatus;
  readonly wall_time_s: number;
  readonly error_class: string | null;
  readonly error_message: string | null;
  readonly error_family: string | null;
  readonly retries_used: number;
  readonly stages: readonly StageReport[];
  /** From prepareRecording; null when prepare itself failed. */
  readonly recording_fingerprint: string | null;
}

export type StageState = 'pending' | 'running' | 'reused' | 'done' | 'failed' | 'skipped';

export interface StageProgress {
  state: StageState;
  attempt: number;
  wall_time_s: number | null;
  reason: string | null;
}

export interface SortProgress {
  rec_path: string;
  current: StageName | null;
  stages: Record<StageName, StageProgress>;
  status: RecordingStatus | 'running';
}

export interface RecordingOutcome {
  readonly result: RecordingResult;
  readonly stages: readonly StageReport[];
  readonly error_family: string | null;
}

export interface BatchInput {
  readonly jobs: readonly RecordingJob[];
  /** Child workflow ids, one per job (computed by the client: recording path + config hash). */
  readonly child_ids: readonly string[];
  /** Recordings sorted at once. */
  readonly parallelism?: number;
}

export interface BatchOutcome {
  readonly records: readonly RecordingResult[];
  readonly n_total: number;
  readonly n_succeeded: number;
  readonly n_failed: number;
  /** Set when an environment failure stopped the batch: the recordings never started. */
  readonly stopped_by: string | null;
  readonly not_started: readonly string[];
}

/** Heartbeat payload of every long activity (also what `spikelab status` shows). */
export interface HeartbeatDetails {
  stage: StageName;
  fraction_done: number;
  chunk: number | null;
  n_chunks: number | null;
  message: string | null;
  watchdog: WatchdogState;
}

export interface WatchdogState {
  host_ram_used_pct: number | null;
  disk_free_gb: number | null;
  peak_host_ram_pct: number | null;
  min_disk_free_gb: number | null;
  tripped: string | null;
}
