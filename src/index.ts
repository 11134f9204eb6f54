/** Package entry: the plugin, the workflows' types and the plain-TypeScript domain API. */
export { spikelabPlugin, DEFAULT_TASK_QUEUE, spikelabWorkflowsPath } from './plugin';
export type { SpikelabPluginOptions } from './plugin';
export { createActivities } from './activities';
export type { ActivityDependencies } from './activities';
export * from './config';
export {
  SpikeSortingClassifiedError, BiologicalSortFailure, EnvironmentSortFailure, ResourceSortFailure,
  InsufficientActivityError, NoGoodChannelsError, SaturatedSignalError, EmptyWaveformMetricsError, InvalidRecordingError,
  ConcurrentSortError, HDF5PluginMissingError, DockerEnvironmentError, ModelLoadingError, RecordingNotFoundError, RecordingAccessError,
  SorterDependencyError, GPUOutOfMemoryError, SorterTimeoutError, DiskExhaustionError, GpuMemoryWatchdogError,
  GpuThermalWatchdogError, IOStallError, HostMemoryWatchdogError, CLASSIFIED_ERROR_FAMILIES, familyOf,
  statusForFailureType,
} from './errors';
export { toApplicationFailure } from './errors/temporal';
export type { FailureFamily, RecordingStatus } from './errors';
export type {
  RecordingJob, StageRequest, StageReport, PreparedRecording, RecordingResult, FinalizeRequest, SortProgress,
  RecordingOutcome, BatchInput, BatchOutcome, HeartbeatDetails, WatchdogState,
} from './workflows/types';
export { progressQuery, batchProgressQuery } from './workflows/queries';
export { buildJobs, workflowIdFor, batchWorkflowIdFor } from './client/jobs';
export { resolveTemporal, connectClient } from './client/connection';
export { ensureDevServer, stopDevServer } from './client/devServer';
export { createSpikelabWorker } from './worker/runWorker';
export { SortRunReport } from './reporting/report';
export type { Recording } from './io/recording';
export { openMaxwell, listMaxwellStreams } from './io/maxwell';
