import {
  ConfigValidationError,
  PRESETS,
  configProblems,
  defaultConfig,
  fromKwargs,
  override,
  validateAgainstRecording,
  validateConfig,
} from '../../src/config';
import { catchConfigError, problemFor } from './helpers';

const invalid = (flat: Record<string, unknown>) => catchConfigError(() => validateConfig(fromKwargs(flat)));

describe('validateConfig', () => {
  test('returns the config itself when valid (presets included)', () => {
    const c = defaultConfig();
    expect(validateConfig(c)).toBe(c);
    expect(validateConfig(PRESETS.RT_SORT_NEUROPIXELS)).toBe(PRESETS.RT_SORT_NEUROPIXELS);
  });

  test('ConfigValidationError shape', () => {
    const err = invalid({ freq_min: 50 });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err.name).toBe('ConfigValidationError');
    expect(err.file).toBeUndefined();
    expect(err.problems).toEqual([{ field: 'recording.freq_min', value: 50, expected: 'an integer ≥ 100' }]);
    expect(err.message).toBe('Invalid configuration: recording.freq_min: expected an integer ≥ 100, got 50');
  });

  test('freq_min must be below freq_max', () => {
    const p = problemFor(invalid({ freq_min: 6000, freq_max: 3000 }), 'recording.freq_max');
    expect(p.value).toBe(3000);
    expect(p.expected).toContain('recording.freq_min (6000 Hz)');
  });

  test('enum: isi_violation_method=foo', () => {
    const err = invalid({ isi_violation_method: 'foo' });
    const p = problemFor(err, 'curation.isi_violation_method');
    expect(p.value).toBe('foo');
    expect(p.expected).toBe("one of 'percent', 'hill'");
    expect(err.message).toContain('curation.isi_violation_method');
    expect(err.message).toContain('"foo"');
  });

  test.each([
    ['rt_sort_probe', 'utah', 'rt_sort.probe', "one of 'mea', 'neuropixels'"],
    ['io_stall_mode', 'disk', 'execution.io_stall_mode', "one of 'process', 'device'"],
    ['tee_log_policy', 'zip', 'execution.tee_log_policy', "one of 'keep', 'gzip_on_success', 'delete_on_success'"],
  ])('enum %s=%s', (key, value, field, expected) => {
    expect(problemFor(invalid({ [key]: value }), field).expected).toBe(expected);
  });

  test('sorter_name enum (nested)', () => {
    const c = defaultConfig();
    (c.sorter as { sorter_name: string }).sorter_name = 'mountainsort';
    expect(problemFor(catchConfigError(() => validateConfig(c)), 'sorter.sorter_name').expected).toBe(
      "one of 'kilosort2', 'kilosort4', 'rt_sort'",
    );
  });

  test('negative n_jobs (other than -1) is rejected; -1 and 0 are fine', () => {
    const p = problemFor(invalid({ n_jobs: -3 }), 'execution.n_jobs');
    expect(p.value).toBe(-3);
    expect(p.expected).toBe('an integer ≥ 0 (or -1)');
    expect(() => validateConfig(fromKwargs({ n_jobs: -1 }))).not.toThrow();
    expect(() => validateConfig(fromKwargs({ n_jobs: 0 }))).not.toThrow();
  });

  test('wrong types are named with the value and the expected type', () => {
    const err = invalid({
      snr_min: '5',
      freq_max: 6000.5,
      preflight: 'yes',
      rec_chunks: [[0, 1.5]],
      kilosort_params: [1, 2],
      use_docker: '',
      scatter_recording_colors: [],
      stream_id: 7,
    });
    expect(problemFor(err, 'curation.snr_min').expected).toBe('null or a finite number ≥ 0');
    expect(problemFor(err, 'recording.freq_max').expected).toBe('an integer > 0');
    expect(problemFor(err, 'execution.preflight').expected).toBe('true or false');
    expect(problemFor(err, 'recording.rec_chunks').expected).toContain('integer pairs');
    expect(problemFor(err, 'sorter.sorter_params').expected).toContain('an object');
    expect(problemFor(err, 'sorter.use_docker').expected).toContain('Docker image name');
    expect(problemFor(err, 'figures.scatter_recording_colors').expected).toContain('non-empty list');
    expect(problemFor(err, 'recording.stream_id').expected).toBe('null or a string');
    expect(err.problems).toHaveLength(8);
    expect(err.message).toContain('(8 problems)');
  });

  test('NaN and Infinity are not finite numbers', () => {
    const err = invalid({ waveforms_ms_before: NaN, io_stall_s: Infinity });
    expect(problemFor(err, 'waveform.ms_before').value).toBeNaN();
    expect(err.message).toContain('got NaN');
    expect(err.message).toContain('got Infinity');
  });

  test('ranges', () => {
    const err = invalid({
      host_ram_warn_pct: 0,
      gpu_abort_pct: 120,
      curation_epoch: -1,
      oom_retry_factor: 1,
      oom_retry_max: -1,
      sorter_inactivity_base_s: -5,
      start_time_s: -1,
      rt_sort_num_processes: 0,
      max_waveforms_per_unit: 0,
      scatter_recording_alpha: 1.5,
    });
    expect(problemFor(err, 'execution.host_ram_warn_pct').expected).toBe('a finite number in (0, 100]');
    expect(problemFor(err, 'execution.gpu_abort_pct').value).toBe(120);
    expect(problemFor(err, 'curation.curation_epoch').expected).toBe('null or an integer ≥ 0');
    expect(problemFor(err, 'execution.oom_retry_factor').expected).toBe('a finite number in (0, 1)');
    problemFor(err, 'execution.oom_retry_max');
    problemFor(err, 'execution.sorter_inactivity_base_s');
    problemFor(err, 'recording.start_time_s');
    problemFor(err, 'rt_sort.num_processes');
    problemFor(err, 'waveform.max_waveforms_per_unit');
    problemFor(err, 'figures.scatter_recording_alpha');
  });

  test('cross-field rules', () => {
    const err = invalid({
      start_time_s: 10,
      end_time_s: 5,
      host_ram_warn_pct: 95,
      gpu_warn_pct: 95,
      gpu_warn_temp_c: 95,
      disk_warn_free_gb: 1,
      compiled_waveforms_ms_before: 3,
    });
    expect(problemFor(err, 'recording.end_time_s').expected).toContain('recording.start_time_s (10)');
    expect(problemFor(err, 'execution.host_ram_warn_pct').expected).toContain('host_ram_abort_pct (92)');
    expect(problemFor(err, 'execution.gpu_warn_pct').expected).toContain('gpu_abort_pct (95)');
    expect(problemFor(err, 'execution.gpu_warn_temp_c').expected).toContain('gpu_abort_temp_c (92)');
    expect(problemFor(err, 'execution.disk_warn_free_gb').expected).toContain('disk_abort_free_gb (1)');
    expect(problemFor(err, 'waveform.compiled_ms_before').expected).toContain('waveform.ms_before (2 ms)');
    // a disabled temperature stage (null) is fine
    expect(() => validateConfig(fromKwargs({ gpu_warn_temp_c: null, gpu_abort_temp_c: 50 }))).not.toThrow();
  });

  test('frame chunks cannot be combined with time ranges', () => {
    expect(problemFor(invalid({ rec_chunks: [[0, 100]], rec_chunks_s: [[0, 1]] }), 'recording.rec_chunks')).toBeTruthy();
    expect(problemFor(invalid({ rec_chunks: [[0, 100]], end_time_s: 5 }), 'recording.rec_chunks')).toBeTruthy();
    expect(problemFor(invalid({ rec_chunks_s: [[2, 1]] }), 'recording.rec_chunks_s').expected).toContain('start < end');
    expect(() => validateConfig(fromKwargs({ rec_chunks: [[0, 100], [200, 300]] }))).not.toThrow();
  });

  test('total_memory pattern; the non-streaming extractor only knows k/M/G', () => {
    expect(problemFor(invalid({ total_memory: '16GB' }), 'execution.total_memory').expected).toContain('"16G"');
    expect(() => validateConfig(fromKwargs({ total_memory: '1.5T' }))).not.toThrow();
    expect(() => validateConfig(fromKwargs({ total_memory: '2Gi' }))).not.toThrow();
    const p = problemFor(invalid({ total_memory: '1T', streaming_waveforms: false }), 'execution.total_memory');
    expect(p.expected).toContain('k, M or G');
  });

  test('structure: missing section, missing field, unknown field and section (with suggestions)', () => {
    const c = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
    delete c['figures'];
    delete (c['curation'] as Record<string, unknown>)['snr_min'];
    (c['curation'] as Record<string, unknown>)['snr_minimum'] = 3;
    (c['waveform'] as Record<string, unknown>)['waveforms_ms_before'] = 3;
    c['executon'] = {};
    const problems = configProblems(c);
    const fields = problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining(['figures', 'curation.snr_min', 'curation.snr_minimum', 'waveform.waveforms_ms_before', 'executon']),
    );
    const msg = catchConfigError(() => validateConfig(c)).message;
    expect(msg).toContain("Unknown field 'curation.snr_minimum'. Did you mean 'curation.snr_min'?");
    expect(msg).toContain("Unknown field 'waveform.waveforms_ms_before'. Did you mean 'waveform.ms_before'?");
    expect(msg).toContain("Unknown config section 'executon'. Did you mean 'execution'?");
    expect(msg).toContain('curation.snr_min: expected null or a finite number ≥ 0, got (missing)');
    expect(configProblems(42)[0]?.field).toBe('(root)');
  });
});

describe('validateAgainstRecording', () => {
  test('freq_max at or above Nyquist names field, value and limit', () => {
    const c = fromKwargs({ freq_max: 10000 });
    const err = catchConfigError(() => validateAgainstRecording(c, 20000));
    const p = problemFor(err, 'recording.freq_max');
    expect(p.value).toBe(10000);
    expect(p.expected).toContain('10000 Hz');
    expect(p.expected).toContain('Nyquist');
    expect(p.expected).toContain('20000 Hz');
    expect(err.message).toContain('recording.freq_max');
  });

  test('below Nyquist passes and returns the config', () => {
    const c = override(PRESETS.KILOSORT2, {});
    expect(validateAgainstRecording(c, 20000)).toBe(c);
    expect(validateAgainstRecording(PRESETS.KILOSORT2, 12001)).toBe(PRESETS.KILOSORT2);
  });

  test('bad sampling frequency', () => {
    expect(problemFor(catchConfigError(() => validateAgainstRecording(defaultConfig(), 0)), 'sampling_frequency')).toBeTruthy();
  });
});
