import { flagNameOf, flatKeyOfFlag, parseCliValue } from '../../src/config';
import { catchConfigError } from './helpers';

describe('flag names', () => {
  test('flagNameOf / flatKeyOfFlag', () => {
    expect(flagNameOf('snr_min')).toBe('--snr-min');
    expect(flagNameOf('all_templates_window_ms_before_peak')).toBe('--all-templates-window-ms-before-peak');
    expect(flatKeyOfFlag('--snr-min')).toBe('snr_min');
    expect(flatKeyOfFlag('--rt-sort-probe')).toBe('rt_sort_probe');
    expect(flatKeyOfFlag('--sorter-name')).toBeUndefined();
  });
});

describe('parseCliValue', () => {
  test.each([
    ['snr_min', '3.5', 3.5],
    ['snr_min', '1e1', 10],
    ['snr_min', 'null', null],
    ['freq_min', '300', 300],
    ['n_jobs', '-1', -1],
    ['preflight', 'true', true],
    ['preflight', 'FALSE', false],
    ['stream_id', 'well001', 'well001'],
    ['isi_violation_method', 'hill', 'hill'],
    ['use_docker', 'true', true],
    ['use_docker', 'spikeinterface/kilosort4-base:py311-si0.104', 'spikeinterface/kilosort4-base:py311-si0.104'],
    ['kilosort_params', '{"NT": 32768}', { NT: 32768 }],
    ['rec_chunks', '[[0, 20000], [40000, 60000]]', [[0, 20000], [40000, 60000]]],
    ['rec_chunks_s', '[]', []],
    ['rt_sort_recording_window_ms', '[0, 60000]', [0, 60000]],
    ['scatter_recording_colors', '#f74343, #fccd56', ['#f74343', '#fccd56']],
    ['scatter_recording_colors', '["#000000"]', ['#000000']],
    ['total_memory', '8G', '8G'],
  ])('%s %s', (key, raw, expected) => {
    expect(parseCliValue(key, raw)).toEqual(expected);
  });

  test.each([
    ['freq_min', '300.5', 'an integer'],
    ['freq_min', 'abc', 'an integer'],
    ['freq_min', '50', 'an integer ≥ 100'],
    ['snr_min', '', 'a finite number'],
    ['snr_min', '0x10', 'a finite number'],
    ['preflight', 'yes', 'true or false'],
    ['preflight', 'null', 'true or false'],
    ['isi_violation_method', 'hil', "did you mean 'hill'?"],
    ['kilosort_params', '{NT: 1}', 'not valid JSON'],
    ['kilosort_params', '[1]', 'an object'],
    ['rec_chunks', '[[5, 1]]', 'start < end'],
    ['total_memory', '16 GB', '"16G"'],
  ])('%s %s → error', (key, raw, expected) => {
    const err = catchConfigError(() => parseCliValue(key, raw));
    expect(err.problems[0]?.field).toBe(`--${key.replace(/_/g, '-')}`);
    expect(err.problems[0]?.value).toBe(raw);
    expect(err.message).toContain(expected);
    expect(err.message).toContain(`--${key.replace(/_/g, '-')}`);
  });

  test('unknown key', () => {
    const err = catchConfigError(() => parseCliValue('bogus_param', '1'));
    expect(err.message).toContain("Unknown parameter 'bogus_param'");
    expect(err.message).toMatch(/Did you mean/);
  });

  test('JSON examples are given for structured values', () => {
    expect(catchConfigError(() => parseCliValue('rec_chunks', 'x')).message).toContain('e.g. --rec-chunks');
  });
});
