import { ApplicationFailure } from '@temporalio/common';
import { ConfigValidationError } from '../../src/config';
import { CLASSIFIED_ERROR_FAMILIES, GPUOutOfMemoryError, InsufficientActivityError, RecordingNotFoundError, statusForFailureType } from '../../src/errors';
import { toApplicationFailure } from '../../src/errors/temporal';

test('a classified error becomes a non-retryable ApplicationFailure: type = class, details = family + attributes', () => {
  const f = toApplicationFailure(new InsufficientActivityError('no spikes', { sorter: 'kilosort4', units_at_failure: 0, log_path: '/x.log' }));
  expect(f).toBeInstanceOf(ApplicationFailure);
  const af = f as ApplicationFailure;
  expect(af.type).toBe('InsufficientActivityError');
  expect(af.nonRetryable).toBe(true);
  expect(af.details?.[0]).toEqual({ family: 'biological', attributes: { sorter: 'kilosort4', threshold_crossings: null, units_at_failure: 0, nspks_at_failure: null, log_path: '/x.log' } });
});

test('environment and resource errors keep their family; the config error is environment', () => {
  expect((toApplicationFailure(new RecordingNotFoundError('gone', { path: '/p' })) as ApplicationFailure).details?.[0]).toMatchObject({ family: 'environment' });
  expect((toApplicationFailure(new GPUOutOfMemoryError('oom', { sorter: 'kilosort4' })) as ApplicationFailure).details?.[0]).toMatchObject({ family: 'resource' });
  const cfg = toApplicationFailure(new ConfigValidationError([{ field: 'recording.freq_max', value: 12000, expected: '< 10000' }])) as ApplicationFailure;
  expect(cfg.type).toBe('ConfigValidationError');
  expect(cfg.nonRetryable).toBe(true);
  expect(cfg.details?.[0]).toMatchObject({ family: 'environment', attributes: { problems: [{ field: 'recording.freq_max', value: 12000 }] } });
});

test('an unclassified error is left alone, so Temporal retries it', () => {
  const e = new Error('transient');
  expect(toApplicationFailure(e)).toBe(e);
});

test('status mapping (guards spec §1.1)', () => {
  expect(statusForFailureType(null)).toBe('success');
  expect(statusForFailureType('HostMemoryWatchdogError')).toBe('oom_host_ram');
  expect(statusForFailureType('GPUOutOfMemoryError')).toBe('oom_gpu');
  expect(statusForFailureType('SorterTimeoutError')).toBe('sorter_timeout');
  expect(statusForFailureType('DiskExhaustionError')).toBe('disk_exhausted');
  expect(statusForFailureType('ConcurrentSortError')).toBe('concurrent_sort');
  expect(statusForFailureType('InsufficientActivityError')).toBe('failed');
  expect(statusForFailureType('RecordingNotFoundError')).toBe('failed');
  expect(Object.keys(CLASSIFIED_ERROR_FAMILIES)).toContain('IOStallError');
});
