import { PRESETS, resolveConfig } from '../../src/config';
import { catchConfigError } from './helpers';

describe('resolveConfig (spec §2.1 step 1, quirks fixed)', () => {
  test('no config: defaults + overrides, sorter_name follows the sorter argument', () => {
    const c = resolveConfig({ sorter: 'kilosort4', overrides: { snr_min: 3 } });
    expect(c.sorter.sorter_name).toBe('kilosort4');
    expect(c.curation.snr_min).toBe(3);
    expect(resolveConfig().sorter.sorter_name).toBe('kilosort2');
  });

  test('config given: always a private copy, even without overrides', () => {
    const c = resolveConfig({ config: PRESETS.KILOSORT4 });
    expect(c).toEqual(PRESETS.KILOSORT4);
    expect(c).not.toBe(PRESETS.KILOSORT4);
    c.sorter.sorter_params = { batch_size: 30000 }; // e.g. OOM scaling
    expect(PRESETS.KILOSORT4.sorter.sorter_params).toBeNull();
  });

  test('a sorter argument that contradicts the config is an error', () => {
    const err = catchConfigError(() => resolveConfig({ config: PRESETS.KILOSORT4, sorter: 'kilosort2' }));
    expect(err.message).toContain("conflicts with the config's sorter.sorter_name 'kilosort4'");
    expect(resolveConfig({ config: PRESETS.KILOSORT4, sorter: 'kilosort4' }).sorter.sorter_name).toBe('kilosort4');
  });

  test('the result is validated', () => {
    expect(catchConfigError(() => resolveConfig({ overrides: { freq_min: 10 } })).problems[0]?.field).toBe(
      'recording.freq_min',
    );
  });
});
