import {
  FLAT_KEYS,
  FLAT_KEY_ALIASES,
  PRESETS,
  defaultConfig,
  flatKeyOf,
  fromKwargs,
  override,
  presetConfig,
  type FlatOverrides,
} from '../../src/config';
import { catchConfigError, readFixture } from './helpers';

const fixture = readFixture();

describe('flat keys (spec §1.2)', () => {
  test('135 flat keys: every field but sorter.sorter_name, 29 of them aliases', () => {
    expect(Object.keys(FLAT_KEYS)).toHaveLength(135);
    expect(Object.keys(FLAT_KEY_ALIASES)).toHaveLength(29);
    const targets = Object.values(FLAT_KEYS).map(([s, f]) => `${s}.${f}`);
    expect(new Set(targets).size).toBe(135);
    expect(targets).not.toContain('sorter.sorter_name');
    expect(flatKeyOf('sorter.sorter_name')).toBeNull();
    expect(fixture.fields_without_flat_key).toEqual(['sorter.sorter_name']);
  });

  test('all 29 aliases map as listed in §1.4', () => {
    expect(FLAT_KEY_ALIASES).toEqual(fixture.flat_key_aliases);
    for (const [alias, path] of Object.entries(fixture.flat_key_aliases)) {
      expect(FLAT_KEYS[alias as keyof typeof FLAT_KEYS].join('.')).toBe(path);
      expect(flatKeyOf(path as never)).toBe(alias);
    }
  });

  test('every non-aliased field is keyed by its own name', () => {
    const aliased = new Set(Object.values(fixture.flat_key_aliases));
    for (const [section, fields] of Object.entries(fixture.defaults)) {
      for (const field of Object.keys(fields)) {
        const path = `${section}.${field}`;
        if (aliased.has(path) || path === 'sorter.sorter_name') continue;
        expect([field, FLAT_KEYS[field as keyof typeof FLAT_KEYS]?.join('.')]).toEqual([field, path]);
      }
    }
  });

  test('delete_inter is execution.delete_inter; rt_sort_delete_inter is RT-Sort\'s', () => {
    const c = fromKwargs({ delete_inter: false, rt_sort_delete_inter: true });
    expect(c.execution.delete_inter).toBe(false);
    expect(c.rt_sort.delete_inter).toBe(true);
  });

  test('plain names of aliased fields are rejected, suggesting the alias', () => {
    for (const [alias, path] of Object.entries(fixture.flat_key_aliases)) {
      const plain = path.split('.')[1] as string;
      if (plain === 'delete_inter') continue; // the key of execution.delete_inter
      const err = catchConfigError(() => fromKwargs({ [plain]: 1 }));
      expect(err.message).toContain(`Unknown parameter '${plain}'`);
      expect(err.message).toContain(`Did you mean '${alias}'?`);
    }
  });

  test('sorter_name has no flat key (parity), with a pointer to presets / nested config', () => {
    const err = catchConfigError(() => fromKwargs({ sorter_name: 'kilosort4' }));
    expect(err.message).toContain("Unknown parameter 'sorter_name'");
    expect(err.message).toContain('preset');
  });

  test('unknown key → ConfigValidationError naming it, with a suggestion', () => {
    const err = catchConfigError(() => fromKwargs({ bogus_param: 1 }));
    expect(err.name).toBe('ConfigValidationError');
    expect(err.message).toContain(
      "Unknown parameter 'bogus_param'. Check spelling or see SortingPipelineConfig for valid fields.",
    );
    expect(err.message).toMatch(/Did you mean '[a-z_]+'\?/);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ field: 'bogus_param', value: 1 });

    expect(catchConfigError(() => fromKwargs({ snr_mn: 3 })).message).toContain("Did you mean 'snr_min'?");
    expect(catchConfigError(() => fromKwargs({ 'curation.snr_min': 3 })).message).toContain("Did you mean 'snr_min'?");
  });

  test('all unknown keys are reported at once and nothing is applied', () => {
    const base = defaultConfig();
    const err = catchConfigError(() => override(base, { snr_min: 1, bogus_a: 1, bogus_b: 2 }));
    expect(err.problems.map((p) => p.field)).toEqual(['bogus_a', 'bogus_b']);
    expect(base.curation.snr_min).toBe(5.0);
  });

  test('fromKwargs = defaults + overrides; values are not validated (spec §1.2)', () => {
    const flat: FlatOverrides = { snr_min: 3, waveforms_ms_before: 1.5, kilosort_params: { NT: 32768 } };
    const c = fromKwargs(flat);
    expect(c.curation.snr_min).toBe(3);
    expect(c.waveform.ms_before).toBe(1.5);
    expect(c.sorter.sorter_params).toEqual({ NT: 32768 });
    expect(fromKwargs({ freq_min: 'oops' }).recording.freq_min).toBe('oops');
    expect(fromKwargs()).toEqual(defaultConfig());
  });

  test('override never mutates the source; no keys → a deep copy', () => {
    const base = presetConfig('KILOSORT4');
    const snapshot = structuredClone(base);
    const colors = ['#000000'];
    const c = override(base, { snr_min: 2, fr_min: null, scatter_recording_colors: colors, rec_chunks: [[0, 10]] });
    expect(base).toEqual(snapshot);
    expect(c.curation.snr_min).toBe(2);
    expect(c.curation.fr_min).toBeNull();
    colors.push('#ffffff');
    expect(c.figures.scatter_recording_colors).toEqual(['#000000']); // values are copied in

    const copy = override(base);
    expect(copy).toEqual(base);
    expect(copy).not.toBe(base);
    copy.recording.rec_chunks.push([1, 2]);
    expect(base.recording.rec_chunks).toEqual([]);
  });

  test('rt_sort_params merges over the preset map (rt_sort_stim quirk, fix taken); null clears it', () => {
    const c = override(PRESETS.RT_SORT_NEUROPIXELS, { rt_sort_params: { min_coc_n: 20 } });
    expect(c.rt_sort.params).toMatchObject({ stringent_thresh: 0.175, loose_thresh: 0.075, min_coc_n: 20 });
    expect(Object.keys(c.rt_sort.params ?? {})).toHaveLength(10);
    expect(override(c, { rt_sort_params: null }).rt_sort.params).toBeNull();
    expect(PRESETS.RT_SORT_NEUROPIXELS.rt_sort.params).not.toHaveProperty('min_coc_n');
  });

  test('FlatOverrides type: alias keys and plain keys only', () => {
    const good: FlatOverrides = { delete_inter: true, rt_sort_delete_inter: false, kilosort_params: {}, snr_min: null };
    // @ts-expect-error sorter_name has no flat key
    const noSorterName: FlatOverrides = { sorter_name: 'kilosort4' };
    // @ts-expect-error the plain name of an aliased field is not a key
    const noPlainAliased: FlatOverrides = { sorter_params: {} };
    // @ts-expect-error wrong value type
    const wrongType: FlatOverrides = { snr_min: '5' };
    expect([good, noSorterName, noPlainAliased, wrongType]).toHaveLength(4);
  });

  test('kilosort_params replaces (no merge)', () => {
    const c = override(fromKwargs({ kilosort_params: { NT: 1024, car: false } }), { kilosort_params: { NT: 2048 } });
    expect(c.sorter.sorter_params).toEqual({ NT: 2048 });
  });
});
