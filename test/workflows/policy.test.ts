import { override, presetConfig } from '../../src/config';
import { forcedStages, reducedSorterParams } from '../../src/workflows/policy';

const none = { recompute_recording: false, recompute_sorting: false, reextract_waveforms: false, recurate_first: false, recurate_second: false, recompile_single_recording: false };

test('a reuse flag forces its stage and everything downstream, nothing upstream', () => {
  expect(Object.values(forcedStages(none)).some(Boolean)).toBe(false);
  expect(forcedStages({ ...none, recurate_first: true })).toEqual({ load: false, sort: false, extract: false, curate_first: true, curate_second: true, compile: true });
  expect(forcedStages({ ...none, recompute_sorting: true })).toEqual({ load: false, sort: true, extract: true, curate_first: true, curate_second: true, compile: true });
  expect(forcedStages({ ...none, recompile_single_recording: true })).toEqual({ load: false, sort: false, extract: false, curate_first: false, curate_second: false, compile: true });
  expect(Object.values(forcedStages({ ...none, recompute_recording: true })).every(Boolean)).toBe(true);
});

test('GPU-OOM retry halves Kilosort4 batch_size (60000 → 30000 → 15000) and declines below 1024', () => {
  const ks4 = presetConfig('KILOSORT4');
  const once = reducedSorterParams(ks4, null, 0.5);
  expect(once).toEqual({ batch_size: 30000 });
  expect(reducedSorterParams(ks4, once, 0.5)).toEqual({ batch_size: 15000 });
  expect(reducedSorterParams(override(ks4, { kilosort_params: { batch_size: 2000, nblocks: 0 } }), null, 0.5)).toBeNull();
  expect(reducedSorterParams(override(ks4, { kilosort_params: { batch_size: 4000, nblocks: 0 } }), null, 0.5)).toEqual({ batch_size: 2000, nblocks: 0 });
  expect(reducedSorterParams(ks4, null, 1)).toBeNull();
  expect(reducedSorterParams(presetConfig('KILOSORT2'), null, 0.5)).toBeNull();
});

test('the user\'s config is never changed by a retry', () => {
  const ks4 = override(presetConfig('KILOSORT4'), { kilosort_params: { batch_size: 40000 } });
  reducedSorterParams(ks4, null, 0.5);
  expect(ks4.sorter.sorter_params).toEqual({ batch_size: 40000 });
});
