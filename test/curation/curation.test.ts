import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmptyWaveformMetricsError, BiologicalSortFailure } from '../../src/errors';
import { encodeNpy, readNpy, npyToNumbers } from '../../src/io/npy';
import { applyCriteria } from '../../src/curation/apply';
import { cacheKeyText, curationCacheKey } from '../../src/curation/cache-key';
import { criteriaFromConfig, splitCriteria } from '../../src/curation/criteria';
import { curate, curateTwoStage, curationLogLine } from '../../src/curation/curate';
import { parseHistory } from '../../src/curation/history';
import { firingRateHz, isiViolation, InvalidCurationParameterError } from '../../src/curation/unit-metrics';
import { tempDir } from '../waveforms/helpers';
import { DEFAULTS, FS, input, regular, samples, scenario16, unit } from './helpers';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => { tmp = tempDir('cur'); });
afterEach(() => tmp.cleanup());

describe('criteria map (§3.1, §7 #17, pipeline §6 #33)', () => {
  test('defaults → one combined map, min_spikes 50 in the first group position', () => {
    const m = criteriaFromConfig(DEFAULTS);
    expect(m).toEqual({ min_rate_hz: 0.05, isi_max: 0.01, isi_threshold_ms: 1.5, isi_method: 'percent', min_snr: 5.0, min_spikes: 50, max_std_norm: 1.0 });
    expect(Object.keys(m)).toEqual(['min_rate_hz', 'isi_max', 'isi_threshold_ms', 'isi_method', 'min_snr', 'min_spikes', 'max_std_norm']);
  });
  test('curate_second=false → min_spikes 30, no std-norm; curate_first=false → {min_spikes 50, max_std_norm 1.0}', () => {
    expect(criteriaFromConfig({ ...DEFAULTS, curate_second: false })).toEqual({ min_rate_hz: 0.05, isi_max: 0.01, isi_threshold_ms: 1.5, isi_method: 'percent', min_snr: 5.0, min_spikes: 30 });
    const second = criteriaFromConfig({ ...DEFAULTS, curate_first: false });
    expect(second).toEqual({ min_spikes: 50, max_std_norm: 1.0 });
    expect(Object.keys(second)).toEqual(['min_spikes', 'max_std_norm']);
    expect(criteriaFromConfig({ ...DEFAULTS, snr_min: null })).not.toHaveProperty('min_snr');
    expect(criteriaFromConfig({ ...DEFAULTS, spikes_min_second: null })).toHaveProperty('min_spikes', 30);
  });
  test('a 40-spike unit: fails with defaults, passes with curate_second=false (no std-norm test runs)', () => {
    const u = input([unit(1, regular(40), 10, 5.0)]);
    expect(applyCriteria(u, criteriaFromConfig(DEFAULTS)).curated_final).toEqual([]);
    const h = applyCriteria(u, criteriaFromConfig({ ...DEFAULTS, curate_second: false }));
    expect(h.curated_final).toEqual([1]);
    expect(h.curations).not.toContain('std_norm');
  });
  test('split: std-norm alone in the second stage', () => {
    const { first, second } = splitCriteria(criteriaFromConfig(DEFAULTS));
    expect(Object.keys(first)).toEqual(['min_rate_hz', 'isi_max', 'isi_threshold_ms', 'isi_method', 'min_snr', 'min_spikes']);
    expect(second).toEqual({ max_std_norm: 1.0 });
  });
});

describe('train metrics (§7 #13–#15)', () => {
  test('firing rate uses the recording length (fix): 0.1 and 0.05 Hz over 20 000 ms', () => {
    const h = applyCriteria({ fs_Hz: FS, length_ms: (400_000 / FS) * 1000, units: [
      { unit_id: 0, spike_train_samples: [20_000, 40_000], snr: 9, std_norm: 0.1 },
      { unit_id: 1, spike_train_samples: [200_000], snr: 9, std_norm: 0.1 },
    ] }, { min_rate_hz: 0.0 });
    expect(h.metrics.firing_rate).toEqual({ 0: 0.1, 1: 0.05 });
    expect(firingRateHz(5, 0)).toBe(0);
  });
  test('ISI percent: [0, 1, 2, 10, 20] → 0.4; [0, 1.5, 3.0] → 0; one spike → 0', () => {
    const o = { threshold_ms: 1.5, method: 'percent' as const, length_ms: 1000 };
    expect(isiViolation([0, 1, 2, 10, 20], o)).toBeCloseTo(0.4, 12);
    expect(isiViolation([0, 1.5, 3.0], o)).toBe(0);
    expect(isiViolation([5], o)).toBe(0);
  });
  test('ISI hill: [0, 1, 2, 10, 20] over 1000 ms → 26.6667; zero denominators → 0', () => {
    expect(isiViolation([0, 1, 2, 10, 20], { threshold_ms: 1.5, method: 'hill', length_ms: 1000 })).toBeCloseTo(26.666667, 5);
    expect(isiViolation([0, 1, 2], { threshold_ms: 1.5, method: 'hill', length_ms: 0 })).toBe(0);
    expect(isiViolation([0, 1, 2], { threshold_ms: 1.5, method: 'hill', length_ms: 1000, isi_min_ms: 1.5 })).toBe(0);
  });
  test('unknown ISI method → value error', () => {
    expect(() => applyCriteria(input([unit(1, regular(60))]), { isi_max: 0.1, isi_threshold_ms: 1.5, isi_method: 'bogus' })).toThrow(InvalidCurationParameterError);
    expect(() => applyCriteria(input([unit(1, regular(60))]), { isi_max: 0.1, isi_threshold_ms: 1.5, isi_method: 'bogus' })).toThrow("method must be 'percent' or 'hill'");
  });
});

describe('combined curation (§7 #16)', () => {
  test('history, final set and the reference cache key', () => {
    const folder = join(tmp.dir, 'curation', 'first');
    const r = curate(scenario16(), DEFAULTS, folder);
    const h = r.history;
    expect(r.cache_hit).toBe(false);
    expect(h.curations).toEqual(['spike_count', 'firing_rate', 'isi_violation', 'snr', 'std_norm']);
    expect(h.curated.spike_count).toEqual([10, 12, 13, 14, 15]);
    expect(h.failed.spike_count).toEqual([11]);
    expect(Object.values(h.metrics.firing_rate)).toEqual([0.6, 0.6, 0.6, 0.6, 0.6]);
    expect(h.failed.firing_rate).toEqual([]);
    expect(h.failed.isi_violation).toEqual([12]);
    expect(h.metrics.isi_violation['12']).toBeCloseTo(1 / 60, 12);
    expect(h.failed.snr).toEqual([13]);
    expect(h.curated.snr).toEqual([10, 14, 15]);
    expect(h.failed.std_norm).toEqual([15]);
    expect(h.curated_final).toEqual([10, 14]);
    expect(r.curated_ids).toEqual([10, 14]);
    expect(h.__cache_key__).toBe('00fada1f96ed61b289b60813c8f9304dd293c7ab1029791bb97ebd568b6c7c20');
    expect(r.files).toEqual([join(folder, 'unit_ids.npy'), join(folder, 'curation_history.json')]);

    const text = readFileSync(join(folder, 'curation_history.json'), 'utf8');
    expect(text).toContain('"15": Infinity');
    expect(text).toContain('"10": 60.0');
    expect(text.startsWith('{\n  "curation_parameters": {\n    "min_rate_hz": 0.05,')).toBe(true);
    const ids = readNpy(join(folder, 'unit_ids.npy'));
    expect(ids.dtype).toBe('<i8');
    expect(npyToNumbers(ids)).toEqual([10, 14]);
    expect(curationLogLine(6, 2)).toBe('Curation: 6 -> 2 units (4 removed)');
  });

  test('cache key text for defaults and ids [0, 1, 2] (§3.6)', () => {
    const m = criteriaFromConfig(DEFAULTS);
    expect(cacheKeyText(m, [0, 1, 2])).toBe('{"kwargs": {"isi_max": 0.01, "isi_method": "percent", "isi_threshold_ms": 1.5, "max_std_norm": 1.0, "min_rate_hz": 0.05, "min_snr": 5.0, "min_spikes": 50}, "unit_ids": [0, 1, 2]}');
    expect(curationCacheKey(m, [0, 1, 2])).toBe('4bd8136666107e89942f2d4651499719204d23db71d700b224ea7b03f027248c');
    expect(curationCacheKey(m, [2, 0, 1])).toBe('4bd8136666107e89942f2d4651499719204d23db71d700b224ea7b03f027248c');
  });
});

describe('cache and recurate (§7 #19)', () => {
  test('hit, recurate, legacy history, changed thresholds', () => {
    const folder = join(tmp.dir, 'first');
    const first = curate(scenario16(), DEFAULTS, folder);
    const hit = curate(scenario16(), DEFAULTS, folder);
    expect(hit.cache_hit).toBe(true);
    expect(hit.files).toEqual([]);
    expect(hit.curated_ids).toEqual([10, 14]);
    expect(hit.history).toEqual(parseHistory(readFileSync(join(folder, 'curation_history.json'), 'utf8')));
    expect(hit.history.metrics.std_norm['15']).toBe(Infinity);
    expect(hit.history.__cache_key__).toBe(first.history.__cache_key__);

    expect(curate(scenario16(), DEFAULTS, folder, { force: true }).cache_hit).toBe(false);
    expect(curate(scenario16(), { ...DEFAULTS, snr_min: 4.0 }, folder).cache_hit).toBe(false);
    const other = scenario16();
    expect(curate({ ...other, units: other.units.slice(1) }, DEFAULTS, folder).cache_hit).toBe(false);

    // legacy file without a key → miss; garbage → miss
    curate(scenario16(), DEFAULTS, folder);
    const path = join(folder, 'curation_history.json');
    const legacy = readFileSync(path, 'utf8').replace(/,\n {2}"__cache_key__": "[0-9a-f]+"/, '');
    writeFileSync(path, legacy);
    expect(curate(scenario16(), DEFAULTS, folder).cache_hit).toBe(false);
    writeFileSync(path, '{not json');
    expect(curate(scenario16(), DEFAULTS, folder).cache_hit).toBe(false);
  });

  test('a hit keeps the units listed in unit_ids.npy', () => {
    const folder = join(tmp.dir, 'first');
    curate(scenario16(), DEFAULTS, folder);
    // same key, but the file says otherwise: the file wins (it is the cache)
    writeFileSync(join(folder, 'unit_ids.npy'), encodeNpy(BigInt64Array.of(14n)));
    expect(curate(scenario16(), DEFAULTS, folder).curated_ids).toEqual([14]);
  });
});

describe('edge cases', () => {
  test('nothing passes (§7 #20): unit_ids.npy is float64 (0,)', () => {
    const folder = join(tmp.dir, 'first');
    const r = curate(input([unit(1, regular(10))]), DEFAULTS, folder);
    expect(r.curated_ids).toEqual([]);
    const ids = readNpy(join(folder, 'unit_ids.npy'));
    expect(ids.dtype).toBe('<f8');
    expect(ids.shape).toEqual([0]);
  });
  test('zero units: empty history, success', () => {
    const r = curate(input([]), DEFAULTS, join(tmp.dir, 'first'));
    expect(r.history.initial).toEqual([]);
    expect(r.history.curated_final).toEqual([]);
    expect(existsSync(join(tmp.dir, 'first', 'curation_history.json'))).toBe(true);
  });
  test('EmptyWaveformMetricsError (§7 #18)', () => {
    const two = input([unit(1, regular(60), 9), unit(2, regular(60), null)]);
    let err: unknown;
    try { applyCriteria(two, { min_snr: 5 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(EmptyWaveformMetricsError);
    expect(err).toBeInstanceOf(BiologicalSortFailure);
    expect((err as EmptyWaveformMetricsError).attributes.metric_name).toBe('snr');
    // both removed first: an empty survivor list is complete
    expect(applyCriteria(two, { min_spikes: 500, min_snr: 5 }).curated_final).toEqual([]);
    // attributes null → the error even with zero units left
    expect(() => applyCriteria({ ...two, attributes_available: false }, { min_spikes: 500, min_snr: 5 })).toThrow(EmptyWaveformMetricsError);
  });
  test('NaN fails every test; ids fall back to positions when a unit has no unit_id', () => {
    const h = applyCriteria(input([unit(1, regular(60), NaN, 0.1), { spike_train_samples: samples(regular(60)), snr: 9, std_norm: NaN }]), { min_snr: 5, max_std_norm: 1 });
    expect(h.initial).toEqual([0, 1]);
    expect(h.curated_final).toEqual([]);
  });
});

describe('two stages (first → second) give the combined result', () => {
  const configs = [
    DEFAULTS,
    { ...DEFAULTS, curate_second: false },
    { ...DEFAULTS, curate_first: false },
    { ...DEFAULTS, curate_first: false, curate_second: false },
    { ...DEFAULTS, isi_violation_method: 'hill', isi_viol_max: 0.5, std_norm_max: 0.3 },
  ];
  test.each(configs.map((c, i) => [i, c]))('config %i', (_i, cfg) => {
    const root = join(tmp.dir, 'curation');
    const combined = curate(scenario16(), cfg, join(tmp.dir, 'combined'));
    const two = curateTwoStage(scenario16(), cfg, root);
    expect(two.curated_ids).toEqual(combined.curated_ids);
    const { __cache_key__: _k, ...rest } = combined.history;
    expect(two.history).toEqual(rest);
    expect(existsSync(join(root, 'first', 'curation_history.json'))).toBe(true);
    expect(existsSync(join(root, 'second', 'unit_ids.npy'))).toBe(true);
    // second run: both stages hit their caches
    const again = curateTwoStage(scenario16(), cfg, root);
    expect([again.first.cache_hit, again.second.cache_hit]).toEqual([true, true]);
    // recurate_second recomputes stage 2 only; recurate_first recomputes both
    const rs = curateTwoStage(scenario16(), cfg, root, { force_second: true });
    expect([rs.first.cache_hit, rs.second.cache_hit]).toEqual([true, false]);
    const rf = curateTwoStage(scenario16(), cfg, root, { force_first: true });
    expect([rf.first.cache_hit, rf.second.cache_hit]).toEqual([false, false]);
  });
});
