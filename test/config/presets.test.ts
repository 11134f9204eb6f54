import {
  PRESETS,
  PRESET_NAMES,
  PRESET_OVERRIDES,
  diffConfig,
  override,
  presetConfig,
  toPythonJson,
  validateConfig,
  type PresetName,
} from '../../src/config';
import { catchConfigError, pythonText, readFixture } from './helpers';

const fixture = readFixture();

describe('presets (spec §1.3)', () => {
  test('the six presets, as in the fixture', () => {
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(fixture.preset_overrides).sort());
    expect(PRESET_OVERRIDES).toEqual(fixture.preset_overrides);
  });

  test.each(PRESET_NAMES as unknown as PresetName[])('%s differs from the defaults by exactly its override', (name) => {
    expect(diffConfig(presetConfig(name))).toEqual(fixture.preset_overrides[name]);
    expect(diffConfig(PRESETS[name])).toEqual(fixture.preset_overrides[name]);
  });

  test.each(PRESET_NAMES as unknown as PresetName[])('%s prints like Python and validates', (name) => {
    expect(toPythonJson(presetConfig(name))).toBe(pythonText(`presets/${name}.json`));
    expect(() => validateConfig(presetConfig(name))).not.toThrow();
  });

  test('presetConfig returns independent copies; the shared presets are frozen', () => {
    const a = presetConfig('RT_SORT_NEUROPIXELS');
    const b = presetConfig('RT_SORT_NEUROPIXELS');
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    (a.rt_sort.params as Record<string, unknown>)['stringent_thresh'] = 0.9;
    a.sorter.sorter_params = { NT: 1024 };
    expect(b.rt_sort.params?.['stringent_thresh']).toBe(0.175);
    expect(presetConfig('RT_SORT_NEUROPIXELS').rt_sort.params?.['stringent_thresh']).toBe(0.175);
    expect(PRESETS.RT_SORT_NEUROPIXELS.sorter.sorter_params).toBeNull();
    expect(Object.isFrozen(PRESETS.KILOSORT4.sorter)).toBe(true);
    expect(() => {
      (PRESETS.KILOSORT4.sorter as { use_docker: unknown }).use_docker = true;
    }).toThrow(TypeError);
  });

  test('override of a frozen preset gives a mutable copy and leaves the preset alone', () => {
    const c = override(PRESETS.KILOSORT4, {});
    c.sorter.sorter_params = { batch_size: 30000 };
    expect(PRESETS.KILOSORT4.sorter.sorter_params).toBeNull();
  });

  test('lenient name matching: case and dashes', () => {
    expect(presetConfig('kilosort4-docker').sorter).toEqual({
      sorter_name: 'kilosort4',
      sorter_path: null,
      sorter_params: null,
      use_docker: true,
    });
  });

  test('unknown preset → error naming the nearest and listing all', () => {
    const err = catchConfigError(() => presetConfig('KILOSORT5'));
    expect(err.message).toContain("Unknown preset 'KILOSORT5'");
    expect(err.message).toMatch(/Did you mean 'KILOSORT[24]'\?/);
    for (const n of PRESET_NAMES) expect(err.message).toContain(n);
    expect(catchConfigError(() => presetConfig('RT_SORT_NEUROPIXEL')).message).toContain(
      "Did you mean 'RT_SORT_NEUROPIXELS'?",
    );
  });
});
