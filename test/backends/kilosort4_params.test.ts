import { inactivityTimeoutS, resolveInactivityS } from '../../src/backends/inactivity';
import {
  KILOSORT4_DEFAULT_PARAMS,
  resolveKilosort4Params,
  scaleKilosort4OomParams,
} from '../../src/backends/kilosort4/params';
import { kilosort4Paths } from '../../src/backends/kilosort4';

describe('Kilosort4 parameters', () => {
  test('defaults (§4.4): CAR on, drift correction on, device auto, nothing passed to KS4 settings', () => {
    const p = resolveKilosort4Params(null);
    expect(p.settings).toEqual({});
    expect(p.run_options).toEqual({
      do_CAR: true, invert_sign: false, save_extra_vars: false, save_preprocessed_copy: false, clear_cache: false, bad_channels: null,
    });
    expect(p.device).toBe('auto');
    expect(p.keep_good_only).toBe(false);
    expect(resolveKilosort4Params({})).toEqual(p); // {} ≡ null
  });

  test('native KS4 keys go to settings; wrapper keys to run options; do_correction false → nblocks 0', () => {
    const user = { batch_size: 30000, Th_universal: 10, Th_learned: 7, do_CAR: false, invert_sign: true, do_correction: false, keep_good_only: true, tmax: Infinity };
    const frozen = Object.freeze({ ...user });
    const p = resolveKilosort4Params(frozen);
    expect(p.settings).toEqual({ batch_size: 30000, Th_universal: 10, Th_learned: 7, nblocks: 0, tmax: Infinity });
    expect(p.run_options.do_CAR).toBe(false);
    expect(p.run_options.invert_sign).toBe(true);
    expect(p.keep_good_only).toBe(true);
    expect(frozen).toEqual(user); // caller's map untouched
  });

  test('recording keys are ignored, layout keys and skip_kilosort_preprocessing rejected, types checked', () => {
    expect(resolveKilosort4Params({ fs: 1, n_chan_bin: 3 }).settings).toEqual({});
    expect(() => resolveKilosort4Params({ results_dir: '/x' })).toThrow(/results_dir/);
    expect(() => resolveKilosort4Params({ skip_kilosort_preprocessing: true })).toThrow(/skip_kilosort_preprocessing/);
    expect(() => resolveKilosort4Params({ do_CAR: 'yes' })).toThrow(/do_CAR/);
    expect(() => resolveKilosort4Params({ bad_channels: [1, -2] })).toThrow(/bad_channels/);
    expect(() => resolveKilosort4Params({ torch_device: 'gpu' })).toThrow(/torch_device/);
    expect(resolveKilosort4Params({ bad_channels: [3, 5], torch_device: 'cpu' }).run_options.bad_channels).toEqual([3, 5]);
    expect(Object.isFrozen(KILOSORT4_DEFAULT_PARAMS)).toBe(true);
  });

  test('GPU-OOM scaling (G§6): 60000 → 30000; declines below 1024 or with a factor outside (0, 1)', () => {
    expect(scaleKilosort4OomParams(null, 0.5)).toEqual({ batch_size: 30000 });
    const original = { batch_size: 5000, Th_learned: 7 };
    expect(scaleKilosort4OomParams(original, 0.5)).toEqual({ batch_size: 2500, Th_learned: 7 });
    expect(original.batch_size).toBe(5000);
    expect(scaleKilosort4OomParams({ batch_size: 2000 }, 0.5)).toBeNull();
    expect(scaleKilosort4OomParams(null, 1)).toBeNull();
    expect(scaleKilosort4OomParams(null, 0)).toBeNull();
  });

  test('layout: output folder and tee log side by side in inter', () => {
    expect(kilosort4Paths('/d/inter')).toEqual({ output_folder: '/d/inter/kilosort4_results', log_path: '/d/inter/kilosort4.log' });
  });
});

describe('inactivity timeout formula (G§4.5)', () => {
  const cfg = { base_s: 600, per_min_s: 30, max_s: 7200 };
  test('examples', () => {
    expect(inactivityTimeoutS(cfg, 1)).toBe(630);
    expect(inactivityTimeoutS(cfg, 30)).toBe(1500);
    expect(inactivityTimeoutS(cfg, 720)).toBe(7200);
    expect(inactivityTimeoutS({ ...cfg, max_s: null }, 1000)).toBe(30600);
  });
  test('null, NaN or negative duration counts as 0; non-finite settings are errors', () => {
    expect(inactivityTimeoutS(cfg, null)).toBe(600);
    expect(inactivityTimeoutS(cfg, NaN)).toBe(600);
    expect(inactivityTimeoutS(cfg, -5)).toBe(600);
    expect(() => inactivityTimeoutS({ ...cfg, base_s: NaN }, 1)).toThrow(RangeError);
    expect(() => inactivityTimeoutS({ ...cfg, per_min_s: Infinity }, 1)).toThrow(RangeError);
    expect(inactivityTimeoutS({ ...cfg, max_s: 0 }, 1)).toBe(0);
  });
  test('resolve: disabled → null; a non-positive tolerance is rejected', () => {
    expect(resolveInactivityS({ enabled: false, ...cfg }, 10)).toBeNull();
    expect(resolveInactivityS({ enabled: true, ...cfg }, 2)).toBe(660);
    expect(() => resolveInactivityS({ enabled: true, ...cfg, max_s: 0 }, 1)).toThrow(RangeError);
  });
});
