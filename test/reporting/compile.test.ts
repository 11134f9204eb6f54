import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy, npyHeader, readNpy, readNpyHeader } from '../../src/io/npy';
import { parsePythonJson } from '../../src/util/pythonJson';
import { compileResults, CompilationInputError, npzNameForRecording, type CompilationParams } from '../../src/reporting/compile';
import { orderUnits } from '../../src/reporting/compile-order';
import { readCompiledUnits } from '../../src/reporting/compiledUnits';
import { HAVE_PYTHON, VENV_PYTHON, runPython, tempDir } from '../waveforms/helpers';
import { FS, makeSet } from './helpers';

const SCRIPT = join(__dirname, 'fixtures', 'read_sorted_npz.py');
/** Optional second interpreter with NumPy 1.x (e.g. a scratch venv with numpy<2). */
const NUMPY1_PYTHON = process.env.SPIKELAB_NUMPY1_PYTHON;

const DEFAULTS: CompilationParams = {
  compile_single_recording: true, compile_to_mat: false, compile_to_npz: true, compile_waveforms: false,
  save_electrodes: true, save_spike_times: true, save_raw_pkl: false, save_dl_data: false, include_failed_units: false,
};

interface Described { type: string; dtype?: string; shape?: number[]; values?: unknown; value?: unknown; keys?: string[]; items?: Record<string, Described> }
interface NpzView {
  files: string[];
  members: Record<string, Described>;
  warnings: string[];
  spikelab: { available: boolean; trains: number[][]; attributes: Record<string, unknown>[]; metadata: { source_format: string; fs_Hz: number; channel_locations: number[][] | null } };
}

function readNpz(path: string, python = VENV_PYTHON): NpzView {
  const text = python === VENV_PYTHON ? runPython(SCRIPT, [path]) : execFileSync(python, [SCRIPT, path], { encoding: 'utf8' });
  return parsePythonJson(text) as NpzView;
}

/** §7 #21: A neg amp 50, B neg amp 70, C pos amp 80 → order [B, A, C]. */
function abcSet(waveformsPaths: Record<number, string> = {}) {
  return makeSet([
    { id: 7, amp: 50, train: [400, 100, 300], channel: 1, waveformsPath: waveformsPaths[7] }, // A (train deliberately unsorted)
    { id: 4, amp: 70, train: [50, 60], channel: 0, waveformsPath: waveformsPaths[4] }, // B
    { id: 9, amp: 80, positive: true, train: [1000], channel: 2, electrode: '1002', waveformsPath: waveformsPaths[9] }, // C
    { id: 11, amp: 99, train: [5] }, // not curated
  ]);
}

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => { tmp = tempDir('compile'); });
afterEach(() => tmp.cleanup());

describe('unit order (§4.2, §7 #21/#22)', () => {
  test('negatives by amplitude desc, then positives; sorted_index over curated units', () => {
    const set = abcSet();
    const ordered = orderUnits(set.units.filter((u) => u.unit_id !== 11));
    expect(ordered.map((o) => [o.unit.unit_id, o.sorted_index])).toEqual([[4, 0], [7, 1], [9, 2]]);
  });
  test('stable for equal amplitudes; NaN amplitude sorts as 0', () => {
    const set = makeSet([{ id: 1, amp: 5, train: [] }, { id: 2, amp: 5, train: [] }, { id: 3, amp: NaN, train: [] }, { id: 4, amp: 1, train: [] }]);
    expect(orderUnits(set.units).map((o) => o.unit.unit_id)).toEqual([1, 2, 4, 3]);
  });
});

(HAVE_PYTHON ? describe : describe.skip)('sorted.npz read back by NumPy and SpikeLab', () => {
  test('default keys, dtypes, values and the SpikeLab loader (§7 #21)', () => {
    const files = compileResults(abcSet(), [7, 4, 9], DEFAULTS, tmp.dir);
    expect(files).toEqual([join(tmp.dir, 'sorted.npz'), join(tmp.dir, 'sorted_units.json')]);
    const v = readNpz(join(tmp.dir, 'sorted.npz'));
    expect(v.warnings).toEqual([]);
    expect(v.files).toEqual(['units', 'locations', 'fs']);
    const units = v.members.units;
    expect(units).toMatchObject({ type: 'ndarray', dtype: 'object', shape: [3] });
    const dicts = units.values as Described[];
    expect(dicts.map((d) => d.keys)).toEqual(Array(3).fill(['unit_id', 'spike_train', 'x_max', 'y_max', 'template', 'electrode']));
    const b = dicts[0].items!;
    expect(b.unit_id).toEqual({ type: 'int', value: 4 });
    expect(b.spike_train).toEqual({ type: 'ndarray', dtype: 'int64', shape: [2], values: [50, 60] });
    expect(b.x_max).toEqual({ type: 'float', value: 0 });
    expect(b.y_max).toEqual({ type: 'float', value: 100 });
    expect(b.template).toMatchObject({ type: 'ndarray', dtype: 'float32', shape: [41, 3] });
    expect((b.template.values as number[][])[20][0]).toBe(-70);
    expect(b.electrode).toEqual({ type: 'int', value: 1000 });
    expect(dicts[1].items!.spike_train.values).toEqual([400, 100, 300]); // stored order, not re-sorted
    expect(dicts[2].items!.electrode).toEqual({ type: 'int', value: 1002 });
    expect(v.members.locations).toEqual({ type: 'ndarray', dtype: 'float64', shape: [3, 2], values: [[0, 100], [17.5, 99], [35, 98]] });
    expect(v.members.fs).toEqual({ type: 'ndarray', dtype: 'float64', shape: [], values: FS });

    // The venv ships SpikeLab; when it does, its loader must have run.
    expect(v.spikelab.available).toBe(existsSync(join(VENV_PYTHON, '..', '..', 'lib', 'python3.11', 'site-packages', 'spikelab')));
    if (v.spikelab.available) {
      expect(v.spikelab.trains).toEqual([[2.5, 3], [5, 15, 20], [50]]);
      expect(v.spikelab.metadata).toEqual({ source_format: 'SpikeLab_npz', fs_Hz: FS, channel_locations: [[0, 100], [17.5, 99], [35, 98]] });
      expect(v.spikelab.attributes[0]).toMatchObject({ unit_id: 4, location: [0, 100], electrode: 1000, template: { ndarray: ['float32', [41, 3]] } });
    }
  });

  test('save_dl_data adds the deep-learning keys in order, electrode last (§7 #22)', () => {
    compileResults(abcSet(), [7, 4, 9], { ...DEFAULTS, save_dl_data: true }, tmp.dir);
    const v = readNpz(join(tmp.dir, 'sorted.npz'));
    const dicts = v.members.units.values as Described[];
    expect(dicts[0].keys).toEqual(['unit_id', 'spike_train', 'x_max', 'y_max', 'template', 'sorted_index', 'max_channel_si', 'max_channel_id', 'peak_sign', 'peak_ind', 'amplitudes', 'std_norms', 'electrode']);
    expect(dicts.map((d) => [d.items!.sorted_index.value, d.items!.peak_sign.value, d.items!.max_channel_si.value, d.items!.max_channel_id.value])).toEqual([
      [0, 'negative', 0, '100'], [1, 'negative', 1, '101'], [2, 'positive', 2, '102'],
    ]);
    expect(dicts[0].items!.peak_ind).toEqual({ type: 'ndarray', dtype: 'int64', shape: [3], values: [20, 40, 40] });
    expect(dicts[0].items!.amplitudes).toEqual({ type: 'ndarray', dtype: 'float32', shape: [3], values: [70, 1.5, 2.5] });
    expect(dicts[0].items!.std_norms).toMatchObject({ dtype: 'float32', values: [expect.closeTo(0.1, 6), Infinity, Infinity] });
    if (v.spikelab.available) expect(v.spikelab.attributes[2]).toMatchObject({ peak_sign: 'positive', max_channel_id: '102' });
  });

  test('save_electrodes=false → no electrode key, and the loader sets none', () => {
    compileResults(abcSet(), [4], { ...DEFAULTS, save_electrodes: false }, tmp.dir);
    const v = readNpz(join(tmp.dir, 'sorted.npz'));
    expect((v.members.units.values as Described[])[0].keys).toEqual(['unit_id', 'spike_train', 'x_max', 'y_max', 'template']);
    if (v.spikelab.available) expect(v.spikelab.attributes[0]).not.toHaveProperty('electrode');
  });

  test('nothing curated (§7 #20): units is float64 (0,), the loader gives 0 units and the locations', () => {
    compileResults(abcSet(), [], DEFAULTS, tmp.dir);
    const v = readNpz(join(tmp.dir, 'sorted.npz'));
    expect(v.members.units).toEqual({ type: 'ndarray', dtype: 'float64', shape: [0], values: [] });
    if (v.spikelab.available) {
      expect(v.spikelab.trains).toEqual([]);
      expect(v.spikelab.metadata.channel_locations).toEqual([[0, 100], [17.5, 99], [35, 98]]);
    }
  });

  test('null locations → a 0-d object array holding None', () => {
    const set = { ...abcSet(), channel_locations: null };
    compileResults(set, [4], DEFAULTS, tmp.dir);
    const v = readNpz(join(tmp.dir, 'sorted.npz'));
    expect(v.members.locations).toEqual({ type: 'ndarray', dtype: 'object', shape: [], values: [{ type: 'NoneType' }] });
  });

  test('include_failed_units: failed units are never written (§7 #23)', () => {
    const set = makeSet([{ id: 5, amp: 10, train: [1] }, { id: 6, amp: 20, train: [2] }, { id: 7, amp: 30, train: [3] }]);
    compileResults(set, [5], { ...DEFAULTS, include_failed_units: true }, tmp.dir);
    const v = readNpz(join(tmp.dir, 'sorted.npz'));
    expect((v.members.units.values as Described[]).map((d) => d.items!.unit_id.value)).toEqual([5]);
    expect(() => compileResults(set, null, { ...DEFAULTS, include_failed_units: true }, tmp.dir)).toThrow(CompilationInputError);
    expect(() => compileResults(set, null, { ...DEFAULTS, include_failed_units: true }, tmp.dir)).toThrow('curated_final');
  });

  test('multi-epoch (§7 #27 fix): chunk<c>/sorted.npz with each epoch’s spikes, shifted', () => {
    const set = makeSet([{ id: 1, amp: 10, train: [5, 19_999, 20_000, 30_000] }, { id: 2, amp: 20, train: [25_000] }]);
    const files = compileResults(set, null, DEFAULTS, tmp.dir, { epochs: [[0, 20_000], [20_000, 40_000]] });
    expect(files).toContain(join(tmp.dir, 'chunk0', 'sorted.npz'));
    expect(existsSync(join(tmp.dir, 'sorted.npz'))).toBe(false);
    const c0 = readNpz(join(tmp.dir, 'chunk0', 'sorted.npz'));
    const c1 = readNpz(join(tmp.dir, 'chunk1', 'sorted.npz'));
    const trains = (v: NpzView) => (v.members.units.values as Described[]).map((d) => [d.items!.unit_id.value, d.items!.spike_train.values]);
    expect(trains(c0)).toEqual([[2, []], [1, [5, 19_999]]]);
    expect(trains(c1)).toEqual([[2, [5_000]], [1, [0, 10_000]]]);
    expect(readCompiledUnits(join(tmp.dir, 'chunk1')).n_samples).toBe(20_000);
  });

  (NUMPY1_PYTHON ? test : test.skip)('the same file loads under NumPy 1.x', () => {
    compileResults(abcSet(), [7, 4, 9], { ...DEFAULTS, save_dl_data: true }, tmp.dir);
    const v1 = readNpz(join(tmp.dir, 'sorted.npz'), NUMPY1_PYTHON!);
    const v2 = readNpz(join(tmp.dir, 'sorted.npz'));
    expect(v1.members).toEqual(v2.members);
    expect(v1.warnings).toEqual([]);
  });
});

describe('other outputs and flags', () => {
  test('sorted_units.json sidecar in compiled order', () => {
    compileResults(abcSet(), [7, 4, 9], DEFAULTS, tmp.dir);
    const side = readCompiledUnits(tmp.dir);
    expect(side.fs).toBe(FS);
    expect(side.n_samples).toBe(40000);
    expect(side.units.map((u) => [u.unit_id, u.sorted_index, u.has_pos_peak])).toEqual([[4, 0, false], [7, 1, false], [9, 2, true]]);
    expect(side.units[1].spike_train_samples).toEqual([400, 100, 300]);
  });

  test('compile_single_recording=false or all exporters off → nothing written', () => {
    const logs: string[] = [];
    expect(compileResults(abcSet(), [4], { ...DEFAULTS, compile_single_recording: false }, tmp.dir, { log: (m) => logs.push(m) })).toEqual([]);
    expect(logs[0]).toBe("Skipping compiling results because 'compile_single_recording' is set to False");
    expect(compileResults(abcSet(), [4], { ...DEFAULTS, compile_to_npz: false }, tmp.dir, { write_json_sidecar: false })).toEqual([]);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  test('compile_waveforms (§7 #26): windowed copies named by sorted_index, units without a file skipped', () => {
    const C = 3;
    const src = (id: number, n: number) => {
      const data = new Float32Array(n * 81 * C);
      for (let i = 0; i < data.length; i++) data[i] = id * 1000 + i;
      const p = join(tmp.dir, `wf_${id}.npy`);
      writeFileSync(p, encodeNpy(data, [n, 81, C]));
      return p;
    };
    const out = join(tmp.dir, 'results');
    const files = compileResults(abcSet({ 4: src(4, 5), 9: src(9, 1030) }), [7, 4, 9], { ...DEFAULTS, compile_waveforms: true, compile_to_npz: false }, out, { write_json_sidecar: false });
    expect(files).toEqual([join(out, 'negative_peaks', 'waveforms_0.npy'), join(out, 'positive_peaks', 'waveforms_2.npy')]);
    expect(readNpyHeader(files[0])).toMatchObject({ dtype: '<f4', shape: [5, 41, C] });
    const neg = readNpy(files[0]).data as Float32Array;
    expect(neg[0]).toBe(4000 + 20 * C);
    expect(neg[41 * C]).toBe(4000 + 81 * C + 20 * C);
    const pos = readNpy(files[1]);
    expect(pos.shape).toEqual([1030, 41, C]);
    expect((pos.data as Float32Array)[1029 * 41 * C]).toBe(9000 + 1029 * 81 * C + 20 * C);
    expect(existsSync(join(out, 'negative_peaks', 'waveforms_1.npy'))).toBe(false);
    expect(npyHeader('<f4', [1]).length % 64).toBe(0);
  });

  test('several recordings name their npz after the recording (§7 #24)', () => {
    expect(npzNameForRecording('rec/with:colon')).toBe('rec_with_colon.npz');
    expect(npzNameForRecording('a b')).toBe('a_b.npz');
    expect(npzNameForRecording('rec_b')).toBe('rec_b.npz');
  });
});
