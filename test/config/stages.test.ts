import {
  CONFIG_SCHEMA,
  FIELD_PATHS,
  PRESETS,
  STAGE_NAMES,
  canonicalJson,
  configHash,
  defaultConfig,
  override,
  presetConfig,
  stageConfigHash,
  stageConfigView,
  stageFieldPaths,
  type FieldSpec,
  type StageName,
} from '../../src/config';

const hashes = (c: Parameters<typeof stageConfigHash>[0]) =>
  Object.fromEntries(STAGE_NAMES.map((s) => [s, stageConfigHash(c, s)])) as Record<StageName, string>;

function changedStages(flat: Record<string, unknown>, base = PRESETS.KILOSORT2): StageName[] {
  const before = hashes(base);
  const after = hashes(override(base, flat));
  return STAGE_NAMES.filter((s) => before[s] !== after[s]);
}

const roleOf = (path: string): string => {
  const [s, f] = path.split('.') as [keyof typeof CONFIG_SCHEMA, string];
  return (CONFIG_SCHEMA[s] as Record<string, FieldSpec>)[f]?.role ?? '?';
};

describe('configHash', () => {
  test('sha256 of canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1.5, y: undefined } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"z":1.5}}',
    );
    expect(configHash({ b: 1, a: 2 })).toBe(configHash({ a: 2, b: 1 }));
    expect(configHash({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson([NaN, Infinity, null])).toBe('[NaN,Infinity,null]');
  });
});

describe('stage views', () => {
  test('snr_min changes curate_first only', () => {
    expect(changedStages({ snr_min: 3 })).toEqual(['curate_first']);
  });

  test('std_norm_max changes curate_second only', () => {
    expect(changedStages({ std_norm_max: 2 })).toEqual(['curate_second']);
  });

  test('reuse flags and guard fields change no view', () => {
    for (const path of FIELD_PATHS) {
      const role = roleOf(path);
      if (role === 'result') continue;
      for (const stage of STAGE_NAMES) {
        for (const name of ['KILOSORT2', 'RT_SORT_MEA'] as const) {
          expect([stage, path, stageFieldPaths(PRESETS[name], stage).includes(path)]).toEqual([stage, path, false]);
        }
      }
    }
    expect(changedStages({ recompute_sorting: true, reextract_waveforms: true, recurate_first: true })).toEqual([]);
    expect(changedStages({ host_ram_abort_pct: 99, oom_retry_max: 3, io_stall_mode: 'device', tee_log_policy: 'keep' })).toEqual([]);
    expect(changedStages({ n_jobs: 2, total_memory: '4G', delete_inter: false, out_file: 'x.out' })).toEqual([]);
  });

  test('every field that can change a result is in some view', () => {
    const covered = new Set(
      STAGE_NAMES.flatMap((s) => [...stageFieldPaths(PRESETS.RT_SORT_MEA, s), ...stageFieldPaths(PRESETS.KILOSORT2, s)]),
    );
    const missing = FIELD_PATHS.filter((p) => roleOf(p) === 'result' && !covered.has(p));
    expect(missing).toEqual([]);
  });

  test('load = recording.*; sort adds sorter.* (and rt_sort.* for RT-Sort)', () => {
    expect(changedStages({ freq_min: 400 })).toEqual(['load', 'sort']);
    expect(changedStages({ kilosort_params: { NT: 32768 } })).toEqual(['sort']);
    expect(changedStages({ rt_sort_probe: 'neuropixels' })).toEqual([]);
    expect(changedStages({ rt_sort_probe: 'neuropixels' }, PRESETS.RT_SORT_MEA)).toEqual(['sort']);
    expect(changedStages({ rt_sort_verbose: false, rt_sort_num_processes: 2 }, PRESETS.RT_SORT_MEA)).toEqual([]);
    expect(Object.keys(stageConfigView(PRESETS.KILOSORT2, 'sort'))).toEqual(['recording', 'sorter']);
    expect(Object.keys(stageConfigView(PRESETS.RT_SORT_MEA, 'sort'))).toEqual(['recording', 'sorter', 'rt_sort']);
    expect(stageConfigView(defaultConfig(), 'load')).toEqual({ recording: defaultConfig().recording });
  });

  test('extract = waveform.* + random_seed; compile = compilation, figures, compiled window', () => {
    expect(changedStages({ random_seed: 7 })).toEqual(['extract']);
    expect(changedStages({ waveforms_ms_before: 1.5 })).toEqual(['extract']);
    expect(changedStages({ compiled_waveforms_ms_before: 1 })).toEqual(['extract', 'compile']);
    expect(changedStages({ compile_to_mat: true, figures_dpi: 300 })).toEqual(['compile']);
    expect(stageConfigView(defaultConfig(), 'extract').execution).toEqual({ random_seed: 1 });
  });

  test('views are copies', () => {
    const c = presetConfig('RT_SORT_NEUROPIXELS');
    const view = stageConfigView(c, 'sort');
    (view.rt_sort?.['params'] as Record<string, unknown>)['x'] = 1;
    expect(c.rt_sort.params).not.toHaveProperty('x');
  });
});

test('spikes_min_second invalidates the first curation stage too (it sets min_spikes there while the second group is on)', () => {
  const base = defaultConfig();
  const changed = override(base, { spikes_min_second: 80 });
  expect(stageConfigHash(changed, 'curate_first')).not.toBe(stageConfigHash(base, 'curate_first'));
  expect(stageConfigHash(changed, 'curate_second')).not.toBe(stageConfigHash(base, 'curate_second'));
});
