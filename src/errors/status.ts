/**
 * RecordingResult.status from a failure type name (guards spec §1.1, first match wins).
 * Pure: imported by workflows, so no Node APIs here.
 */
export type RecordingStatus =
  | 'success'
  | 'oom_host_ram'
  | 'oom_gpu'
  | 'gpu_thermal'
  | 'sorter_timeout'
  | 'disk_exhausted'
  | 'io_stall'
  | 'concurrent_sort'
  | 'oom_memoryerror'
  | 'failed';

const STATUS_BY_TYPE: Readonly<Record<string, RecordingStatus>> = {
  HostMemoryWatchdogError: 'oom_host_ram',
  GpuMemoryWatchdogError: 'oom_gpu',
  GpuThermalWatchdogError: 'gpu_thermal',
  SorterTimeoutError: 'sorter_timeout',
  DiskExhaustionError: 'disk_exhausted',
  IOStallError: 'io_stall',
  ConcurrentSortError: 'concurrent_sort',
  GPUOutOfMemoryError: 'oom_gpu',
  // Node's heap exhaustion kills the process; an allocation failure we can catch surfaces as RangeError.
  OutOfMemoryError: 'oom_memoryerror',
};

export function statusForFailureType(type: string | null | undefined): RecordingStatus {
  if (type === null || type === undefined) return 'success';
  return STATUS_BY_TYPE[type] ?? 'failed';
}

/** Human banner for the log (guards spec §1.2). */
export function bannerForStatus(status: RecordingStatus): string {
  switch (status) {
    case 'success': return 'SUCCESS';
    case 'oom_host_ram': return 'ABORTED (host RAM watchdog)';
    case 'gpu_thermal': return 'ABORTED (GPU thermal watchdog)';
    case 'sorter_timeout': return 'ABORTED (sorter inactivity timeout)';
    case 'disk_exhausted': return 'ABORTED (disk exhausted)';
    case 'oom_gpu': return 'OOM (GPU)';
    case 'oom_memoryerror': return 'OOM (MemoryError)';
    default: return 'FAILED';
  }
}
