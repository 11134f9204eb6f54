/**
 * The classified failure taxonomy (guards spec §1). The family decides the policy:
 * biological → mark the recording not sortable and move on, never retry;
 * environment → stop and surface to the operator; resource → retry with reduced
 * parameters where the class allows it (GPU OOM), otherwise skip and continue.
 */

import type { FailureFamily } from './families';
export type { FailureFamily };

export type ErrorAttributes = Record<string, string | number | boolean | null>;

export abstract class SpikeSortingClassifiedError extends Error {
  abstract readonly family: FailureFamily;
  readonly attributes: ErrorAttributes;

  constructor(message: string, attributes: ErrorAttributes = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.attributes = attributes;
  }
}

export class BiologicalSortFailure extends SpikeSortingClassifiedError {
  readonly family = 'biological' as const;
}
export class EnvironmentSortFailure extends SpikeSortingClassifiedError {
  readonly family = 'environment' as const;
}
export class ResourceSortFailure extends SpikeSortingClassifiedError {
  readonly family = 'resource' as const;
}

export type SorterName = 'kilosort2' | 'kilosort4' | 'rt_sort';

// ---- biological -------------------------------------------------------------------------

export class InsufficientActivityError extends BiologicalSortFailure {
  constructor(
    message: string,
    attrs: {
      sorter: SorterName;
      threshold_crossings?: number | null;
      units_at_failure?: number | null;
      nspks_at_failure?: number | null;
      log_path?: string | null;
    },
    options?: { cause?: unknown },
  ) {
    super(message, {
      sorter: attrs.sorter,
      threshold_crossings: attrs.threshold_crossings ?? null,
      units_at_failure: attrs.units_at_failure ?? null,
      nspks_at_failure: attrs.nspks_at_failure ?? null,
      log_path: attrs.log_path ?? null,
    }, options);
  }
}

export class NoGoodChannelsError extends BiologicalSortFailure {
  constructor(
    message: string,
    attrs: { sorter: SorterName; total_channels?: number | null; bad_channels?: number | null; log_path?: string | null },
    options?: { cause?: unknown },
  ) {
    super(message, {
      sorter: attrs.sorter,
      total_channels: attrs.total_channels ?? null,
      bad_channels: attrs.bad_channels ?? null,
      log_path: attrs.log_path ?? null,
    }, options);
  }
}

export class SaturatedSignalError extends BiologicalSortFailure {
  constructor(message: string, attrs: { channels_saturated?: number | null; total_channels?: number | null }) {
    super(message, { channels_saturated: attrs.channels_saturated ?? null, total_channels: attrs.total_channels ?? null });
  }
}

/** Curation needed SNR / std_norm but had neither precomputed values nor raw data. */
export class EmptyWaveformMetricsError extends BiologicalSortFailure {
  constructor(message: string, attrs: { metric_name: string | null }) {
    super(message, { metric_name: attrs.metric_name });
  }
}

/**
 * The recording file itself cannot be used: not HDF5, no Maxwell layout, empty, too short,
 * corrupt samples. Not in the reference taxonomy (it raised plain value errors); it is
 * biological because retrying or fixing the host cannot help, and a batch must go on.
 */
export class InvalidRecordingError extends BiologicalSortFailure {
  constructor(message: string, attrs: { path: string; field?: string | null; expected?: string | null }, options?: { cause?: unknown }) {
    super(message, { path: attrs.path, field: attrs.field ?? null, expected: attrs.expected ?? null }, options);
  }
}

// ---- environment ------------------------------------------------------------------------

export class ConcurrentSortError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { lock_path: string; holder_pid?: number | null; holder_hostname?: string | null; started_at?: string | null }) {
    super(message, {
      lock_path: attrs.lock_path,
      holder_pid: attrs.holder_pid ?? null,
      holder_hostname: attrs.holder_hostname ?? null,
      started_at: attrs.started_at ?? null,
    });
  }
}

export class HDF5PluginMissingError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { configured_path?: string | null; filter_id?: number | null; file?: string | null } = {}, options?: { cause?: unknown }) {
    super(message, {
      configured_path: attrs.configured_path ?? process.env.HDF5_PLUGIN_PATH ?? null,
      filter_id: attrs.filter_id ?? null,
      file: attrs.file ?? null,
    }, options);
  }
}

export type DockerFailureReason = 'daemon_down' | 'client_missing' | 'image_pull_failed' | 'permission_denied' | 'other';

export class DockerEnvironmentError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { reason: DockerFailureReason }, options?: { cause?: unknown }) {
    super(message, { reason: attrs.reason }, options);
  }
}

export class ModelLoadingError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { sorter?: SorterName; model_path?: string | null } = {}, options?: { cause?: unknown }) {
    super(message, { sorter: attrs.sorter ?? 'rt_sort', model_path: attrs.model_path ?? null }, options);
  }
}

/** The recording path does not exist (preflight code `recording_missing`). */
export class RecordingNotFoundError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { path: string }) {
    super(message, { path: attrs.path });
  }
}

/**
 * The recording exists but this process may not read it (permissions, a stale network mount):
 * fixing the host fixes every recording of the batch, so it stops the batch like a missing path.
 */
export class RecordingAccessError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { path: string; code: string | null }, options?: { cause?: unknown }) {
    super(message, { path: attrs.path, code: attrs.code }, options);
  }
}

/** A required tool (Python venv, Kilosort4, temporal CLI…) is missing or broken. */
export class SorterDependencyError extends EnvironmentSortFailure {
  constructor(message: string, attrs: { sorter: SorterName | null; dependency: string; remediation?: string | null }, options?: { cause?: unknown }) {
    super(message, { sorter: attrs.sorter, dependency: attrs.dependency, remediation: attrs.remediation ?? null }, options);
  }
}

// ---- resource ---------------------------------------------------------------------------

/** The only resource failure that triggers a retry with reduced parameters (guards spec §6). */
export class GPUOutOfMemoryError extends ResourceSortFailure {
  constructor(message: string, attrs: { sorter: SorterName; log_path?: string | null }, options?: { cause?: unknown }) {
    super(message, { sorter: attrs.sorter, log_path: attrs.log_path ?? null }, options);
  }
}

export class SorterTimeoutError extends ResourceSortFailure {
  constructor(message: string, attrs: { sorter: SorterName; inactivity_s?: number | null; log_path?: string | null }) {
    super(message, { sorter: attrs.sorter, inactivity_s: attrs.inactivity_s ?? null, log_path: attrs.log_path ?? null });
  }
}

export class DiskExhaustionError extends ResourceSortFailure {
  constructor(message: string, attrs: { folder?: string | null; free_gb_at_trip?: number | null; abort_threshold_gb?: number | null; report?: string | null }) {
    super(message, {
      folder: attrs.folder ?? null,
      free_gb_at_trip: attrs.free_gb_at_trip ?? null,
      abort_threshold_gb: attrs.abort_threshold_gb ?? null,
      report: attrs.report ?? null,
    });
  }
}

export class GpuMemoryWatchdogError extends ResourceSortFailure {
  constructor(message: string, attrs: { device_index?: number | null; used_pct_at_trip?: number | null; abort_pct?: number | null }) {
    super(message, { device_index: attrs.device_index ?? null, used_pct_at_trip: attrs.used_pct_at_trip ?? null, abort_pct: attrs.abort_pct ?? null });
  }
}

export class GpuThermalWatchdogError extends ResourceSortFailure {
  constructor(message: string, attrs: { device_index?: number | null; temperature_c_at_trip?: number | null; abort_temp_c?: number | null }) {
    super(message, {
      device_index: attrs.device_index ?? null,
      temperature_c_at_trip: attrs.temperature_c_at_trip ?? null,
      abort_temp_c: attrs.abort_temp_c ?? null,
    });
  }
}

export class IOStallError extends ResourceSortFailure {
  constructor(message: string, attrs: { device?: string | null; stall_s?: number | null }) {
    super(message, { device: attrs.device ?? null, stall_s: attrs.stall_s ?? null });
  }
}

export class HostMemoryWatchdogError extends ResourceSortFailure {
  constructor(message: string, attrs: { percent_at_trip?: number | null; abort_pct?: number | null }) {
    super(message, { percent_at_trip: attrs.percent_at_trip ?? null, abort_pct: attrs.abort_pct ?? null });
  }
}
