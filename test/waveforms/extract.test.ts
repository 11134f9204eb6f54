import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, readNpyHeader, npyToNumbers } from '../../src/io/npy';
import { extractWaveforms } from '../../src/waveforms/extract';
import { OutOfMemoryError } from '../../src/waveforms/errors';
import { readSampledIndex } from '../../src/waveforms/npy-files';
import type { WaveformParams } from '../../src/waveforms/params';
import { recentreOffset } from '../../src/waveforms/recentre';
import { loadWaveformResult, readUnitTemplates, WaveformResultMissingError } from '../../src/waveforms/store';
import { makeSorting, tempDir, arrayRecording } from './helpers';
import { synthSet, wideTemplate, type SyntheticUnit } from './synthetic';

const FS = 20000;
const C = 4;
const params: WaveformParams = { ms_before: 2, ms_after: 2, pos_peak_thresh: 2, max_waveforms_per_unit: 300, save_waveform_files: true, streaming: true, random_seed: 1, n_jobs: 8, total_memory: '16G' };

const negUnit: SyntheticUnit = { id: 3, times: Array.from({ length: 40 }, (_, i) => 500 + i * 200), amplitudes: [-90, -110], channels: { 0: 1, 1: 0.5 }, storedShift: 3 };
const posUnit: SyntheticUnit = { id: 0, times: Array.from({ length: 40 }, (_, i) => 600 + i * 200), amplitudes: [50], channels: { 2: 1 } };

function standardSet() {
  return synthSet(10000, C, FS, [negUnit, posUnit], (u) => wideTemplate(C, u === negUnit ? 0 : 2, u === negUnit ? -1 : 1));
}

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => { tmp = tempDir('wf'); });
afterEach(() => tmp.cleanup());

describe('recentring (§7 #5)', () => {
  function block(values: number[]) {
    return { data: Float32Array.from(values), start: 100, frames: values.length, channels: 1 };
  }
  test('two equal minima at offsets 0 and +1 → +1; three at −1, 0, +1 → 0', () => {
    // window [t − 2, t + 2] with t = 102 → indices 0..4 of the block
    expect(recentreOffset(block([0, 0, -5, -5, 0]), 102, 2, 0, false)).toBe(1);
    expect(recentreOffset(block([0, -5, -5, -5, 0]), 102, 2, 0, false)).toBe(0);
    expect(recentreOffset(block([0, 3, 1, 9, 0]), 102, 2, 0, true)).toBe(1);
    expect(recentreOffset(block([7]), 100, 0, 0, false)).toBe(0);
  });

  test('negative unit stored 3 samples late → moved back by 3, template trough at row 40; trains stay by index', async () => {
    const { rec, sorting } = standardSet();
    const res = await extractWaveforms(rec, sorting, params, join(tmp.dir, 'waveforms'));
    const neg = res.units.find((u) => u.unit_id === 3)!;
    expect(neg).toMatchObject({ use_pos_peak: false, chan_max_all: 0, half_window: 7, n_waveforms: 40, n_spikes: 40 });
    expect(Array.from(neg.spike_train)).toEqual(negUnit.times);
    // the sorting handed in is not modified
    expect(sorting.spike_trains[0][0]).toBe(503);
    const { average, std } = readUnitTemplates(res, 3);
    let minRow = 0;
    for (let t = 0; t < 81; t++) if (average[t * C] < average[minRow * C]) minRow = t;
    expect(minRow).toBe(40);
    expect(average[40 * C]).toBeCloseTo(-100, 4);
    expect(std[40 * C]).toBeCloseTo(10, 4);
    // parity: the recentred window sticks 3 rows out of the per-spike block → zeros there
    expect(average[0]).toBe(0);
    expect(average[2 * C]).toBe(0);
    expect(average[3 * C]).not.toBe(0);
    const pos = res.units.find((u) => u.unit_id === 0)!;
    expect(pos).toMatchObject({ use_pos_peak: true, chan_max_all: 2 });
    expect(Array.from(pos.spike_train)).toEqual(posUnit.times);
  });

  test('only sampled spikes move (§7 #6): 400 spikes stored +3 → 300 shift, 100 keep +3', async () => {
    const u: SyntheticUnit = { id: 0, times: Array.from({ length: 400 }, (_, i) => 500 + i * 200), amplitudes: [-100], channels: { 1: 1 }, storedShift: 3 };
    const { rec, sorting } = synthSet(81000, C, FS, [u], () => wideTemplate(C, 1, -1));
    const res = await extractWaveforms(rec, sorting, params, join(tmp.dir, 'waveforms'));
    const train = res.units[0].spike_train;
    let moved = 0;
    let kept = 0;
    train.forEach((t, i) => {
      if (t === u.times[i]) moved++;
      else if (t === u.times[i] + 3) kept++;
    });
    expect([moved, kept]).toEqual([300, 100]);
    expect(res.units[0].waveform_rows).toHaveLength(300);
  });
});

describe('extraction outputs', () => {
  test('folder layout, dtypes and shapes (§1.9)', async () => {
    const { rec, sorting } = standardSet();
    const folder = join(tmp.dir, 'waveforms');
    const res = await extractWaveforms(rec, sorting, params, folder);
    const p = JSON.parse(readFileSync(join(folder, 'extraction_parameters.json'), 'utf8'));
    expect(Object.keys(p)).toEqual(['recording_path', 'sampling_frequency', 'ms_before', 'ms_after', 'peak_ind', 'pos_peak_thresh', 'max_waveforms_per_unit', 'dtype', 'n_jobs', 'total_memory', 'save_waveform_files']);
    expect(p).toMatchObject({ sampling_frequency: 20000, peak_ind: 40, dtype: 'float32', max_waveforms_per_unit: 300, save_waveform_files: true });
    expect(readFileSync(join(folder, 'extraction_parameters.json'), 'utf8')).not.toContain('\n');

    const pos = readNpy(join(folder, 'channels_max', 'use_pos_peak.npy'));
    expect(pos.dtype).toBe('|b1');
    expect(Array.from(pos.data as Uint8Array)).toEqual([1, 0, 0, 0]);
    expect(npyToNumbers(readNpy(join(folder, 'channels_max', 'chans_max_all.npy')))).toEqual([2, 0, 0, 0]);
    expect(readNpy(join(folder, 'channels_max', 'chans_max_kilosort.npy')).dtype).toBe('<i8');

    expect(readNpyHeader(join(folder, 'waveforms', 'waveforms_3.npy'))).toMatchObject({ dtype: '<f4', shape: [40, 81, C] });
    expect(readSampledIndex(join(folder, 'waveforms', 'sampled_index_3.npy'))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const name of ['templates_average.npy', 'templates_std.npy']) {
      expect(readNpyHeader(join(folder, 'templates', name))).toMatchObject({ dtype: '<f4', shape: [4, 81, C] });
    }
    // unit ids 1 and 2 do not exist: their template rows are zero
    expect(readUnitTemplates(res, 1).average.every((v) => v === 0)).toBe(true);
    expect(existsSync(join(folder, 'units.json'))).toBe(true);
  });

  test('save_waveform_files=false writes no waveform file', async () => {
    const { rec, sorting } = standardSet();
    const res = await extractWaveforms(rec, sorting, { ...params, save_waveform_files: false }, join(tmp.dir, 'w'));
    expect(readdirSync(join(tmp.dir, 'w', 'waveforms')).filter((f) => f.startsWith('waveforms_'))).toEqual([]);
    expect(res.units.every((u) => u.waveforms_path === null)).toBe(true);
  });

  test('a unit with no spike left after the edge skip keeps zero templates and gets no file', async () => {
    const rec = arrayRecording(new Float32Array(1000 * C), C, FS);
    const sorting = makeSorting({ fs: FS, units: [{ id: 0, train: [5, 990] }], templates: { shape: [1, 82, C], data: wideTemplate(C, 0, -1) } });
    const res = await extractWaveforms(rec, sorting, params, join(tmp.dir, 'w'));
    expect(res.units[0]).toMatchObject({ n_waveforms: 0, has_waveform_file: false, sampled_index: [] });
    expect(Array.from(res.units[0].spike_train)).toEqual([5, 990]);
  });

  test('zero units → empty successful result (quirk fix), reloadable', async () => {
    const rec = arrayRecording(new Float32Array(1000 * C), C, FS);
    const sorting = makeSorting({ fs: FS, units: [], templates: { shape: [0, 82, C], data: new Float32Array(0) } });
    const folder = join(tmp.dir, 'w');
    const res = await extractWaveforms(rec, sorting, params, folder);
    expect(res.units).toEqual([]);
    expect(readNpyHeader(res.templates_average_path).shape).toEqual([0, 81, C]);
    expect(loadWaveformResult(folder).units).toEqual([]);
  });

  test('density guard (§7 #29): ids [0, 50 000] → OutOfMemoryError before writing; [0, 150] is fine', async () => {
    const rec = arrayRecording(new Float32Array(1000 * C), C, FS);
    const folder = join(tmp.dir, 'w');
    const sparse = makeSorting({ fs: FS, units: [{ id: 0, train: [100] }, { id: 50000, train: [200] }] });
    await expect(extractWaveforms(rec, sparse, params, folder)).rejects.toThrow(OutOfMemoryError);
    expect(existsSync(folder)).toBe(false);
    const ok = makeSorting({ fs: FS, units: [{ id: 0, train: [100] }, { id: 150, train: [200] }] });
    await expect(extractWaveforms(rec, ok, params, folder)).resolves.toBeDefined();
  });

  test('ids past the sorter templates fall back to a template averaged from the recording', async () => {
    const u: SyntheticUnit = { id: 5, times: Array.from({ length: 20 }, (_, i) => 500 + i * 200), amplitudes: [-80], channels: { 3: 1 } };
    const { rec } = synthSet(5000, C, FS, [u], () => new Float32Array(82 * C));
    const sorting = makeSorting({ fs: FS, units: [{ id: 5, train: u.times }], templates: { shape: [2, 82, C], data: new Float32Array(2 * 82 * C) } });
    const res = await extractWaveforms(rec, sorting, params, join(tmp.dir, 'w'));
    expect(res.units[0]).toMatchObject({ template_from_sorter: false, chan_max_all: 3, use_pos_peak: false });
  });

  test('nearby spikes are batched into one read', async () => {
    const burst: SyntheticUnit = { id: 0, times: Array.from({ length: 30 }, (_, i) => 1000 + i * 10), amplitudes: [-100], channels: { 0: 1 } };
    const { rec, sorting } = synthSet(3000, C, FS, [burst], () => wideTemplate(C, 0, -1));
    await extractWaveforms(rec, sorting, params, join(tmp.dir, 'w'));
    expect(rec.reads.length).toBe(1);
  });

  test('progress, cancellation and resume give the same result as one run', async () => {
    const units: SyntheticUnit[] = [0, 1, 2, 3].map((id) => ({ id, times: Array.from({ length: 30 }, (_, i) => 400 + id * 50 + i * 250), amplitudes: [-60 - 10 * id, -80], channels: { [id]: 1 }, storedShift: 2 }));
    const make = () => synthSet(9000, C, FS, units, (u) => wideTemplate(C, u.id, -1));
    const whole = make();
    const full = await extractWaveforms(whole.rec, whole.sorting, { ...params, max_waveforms_per_unit: 20 }, join(tmp.dir, 'full'));
    expect(whole.rec.reads).toHaveLength(80); // 4 units × 20 isolated spikes

    const ac = new AbortController();
    const seen: number[] = [];
    const first = make();
    const folder = join(tmp.dir, 'resumed');
    await expect(extractWaveforms(first.rec, first.sorting, { ...params, max_waveforms_per_unit: 20 }, folder, {
      signal: ac.signal,
      onProgress: (p) => { seen.push(p.unit); if (p.unit === 2) ac.abort(); },
    })).rejects.toThrow();
    expect(seen).toEqual([1, 2]);
    expect(() => loadWaveformResult(folder)).toThrow(WaveformResultMissingError);

    const second = make();
    const resumed = await extractWaveforms(second.rec, second.sorting, { ...params, max_waveforms_per_unit: 20 }, folder, { start_unit: 2 });
    // units 0 and 1 came from their checkpoints: only units 2 and 3 were read
    expect(second.rec.reads).toHaveLength(40);
    for (const u of full.units) {
      const r = resumed.units.find((x) => x.unit_id === u.unit_id)!;
      expect(Array.from(r.spike_train)).toEqual(Array.from(u.spike_train));
      expect(r.sampled_index).toEqual(u.sampled_index);
      expect(readUnitTemplates(resumed, u.unit_id).average).toEqual(readUnitTemplates(full, u.unit_id).average);
      expect(readUnitTemplates(resumed, u.unit_id).std).toEqual(readUnitTemplates(full, u.unit_id).std);
    }
    const reloaded = loadWaveformResult(folder);
    expect(reloaded.units.map((u) => u.unit_id)).toEqual([0, 1, 2, 3]);
    expect(Array.from(reloaded.units[1].spike_train)).toEqual(Array.from(full.units[1].spike_train));
    expect(reloaded.window).toEqual(full.window);

    // a "resume" onto other inputs (another seed) starts over and reads every unit
    const third = make();
    await extractWaveforms(third.rec, third.sorting, { ...params, max_waveforms_per_unit: 20, random_seed: 5 }, folder, { start_unit: 2 });
    expect(third.rec.reads).toHaveLength(80);
  });
});
