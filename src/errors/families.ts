/**
 * Failure family by error class name. Pure data: workflows import it to decide skip / stop /
 * retry from an ApplicationFailure's `type`, so no Node APIs may be reached from here.
 */
export type FailureFamily = 'biological' | 'environment' | 'resource';

export const CLASSIFIED_ERROR_FAMILIES: Readonly<Record<string, FailureFamily>> = {
  BiologicalSortFailure: 'biological',
  EnvironmentSortFailure: 'environment',
  ResourceSortFailure: 'resource',
  InsufficientActivityError: 'biological',
  NoGoodChannelsError: 'biological',
  SaturatedSignalError: 'biological',
  EmptyWaveformMetricsError: 'biological',
  InvalidRecordingError: 'biological',
  ConcurrentSortError: 'environment',
  HDF5PluginMissingError: 'environment',
  DockerEnvironmentError: 'environment',
  ModelLoadingError: 'environment',
  RecordingNotFoundError: 'environment',
  RecordingAccessError: 'environment',
  SorterDependencyError: 'environment',
  ConfigValidationError: 'environment',
  GPUOutOfMemoryError: 'resource',
  SorterTimeoutError: 'resource',
  DiskExhaustionError: 'resource',
  GpuMemoryWatchdogError: 'resource',
  GpuThermalWatchdogError: 'resource',
  IOStallError: 'resource',
  HostMemoryWatchdogError: 'resource',
};

export function familyOf(type: string | null | undefined): FailureFamily | null {
  return type ? CLASSIFIED_ERROR_FAMILIES[type] ?? null : null;
}
