/**
 * Extraction + metrics against an independent NumPy implementation of the spec
 * (fixtures/independent_waveform_metrics.py), on a random recording with three units,
 * a non-identity channel map and misaligned spike times. rel tol 1e-5.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../src/io/npy';
import { parsePythonJson } from '../../src/util/pythonJson';
import { extractWaveforms } from '../../src/waveforms/extract';
import { estimateNoiseLevels, noiseChunkStarts } from '../../src/waveforms/metrics';
import type { MetricsParams, WaveformParams } from '../../src/waveforms/params';
import { readUnitTemplates } from '../../src/waveforms/store';
import { buildUnitSet } from '../../src/waveforms/unit-set';
import { createRng, type Rng } from '../../src/util/rng';
import { arrayRecording, expectAllClose, expectClose, HAVE_PYTHON, makeSorting, runPython, tempDir } from './helpers';

const FS = 20000;
const N = 60000;
const C = 6;
const CHANNEL_MAP = [0, 1, 2, 3, 5]; // template channel 4 is recording channel 5
const T = 82;

function gauss(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r.nextFloat())) * Math.cos(2 * Math.PI * r.nextFloat());
}

/** Biphasic shape sampled at integer offsets: trough at 0, smaller rebound later. */
function shape(k: number, width: number): number {
  return -Math.exp(-(k * k) / (2 * width * width)) + 0.35 * Math.exp(-((k - 4 * width) ** 2) / (8 * width * width));
}

interface UnitDef { id: number; n: number; amp: number; chans: Record<number, number>; width: number; positive?: boolean }
const UNITS: UnitDef[] = [
  { id: 0, n: 120, amp: 80, chans: { 0: 1, 1: 0.4 }, width: 2 },
  { id: 2, n: 250, amp: 60, chans: { 5: 1, 3: 0.6 }, width: 1.2 },
  { id: 3, n: 90, amp: 45, chans: { 2: 1 }, width: 1.5, positive: true },
];

function build() {
  const r = createRng(2024);
  const x = new Float32Array(N * C);
  for (let i = 0; i < x.length; i++) x[i] = 5 * gauss(r);
  const trains: number[][] = [];
  for (const u of UNITS) {
    const stored: number[] = [];
    for (let i = 0; i < u.n; i++) {
      const t = 60 + Math.floor(r.nextFloat() * (N - 120));
      const a = u.amp * (0.8 + 0.4 * r.nextFloat()) * (u.positive ? -1 : 1);
      for (let k = -12; k <= 24; k++) {
        const f = t + k;
        if (f < 0 || f >= N) continue;
        for (const [c, s] of Object.entries(u.chans)) x[f * C + Number(c)] += a * s * shape(k, u.width);
      }
      stored.push(t + Math.floor(r.nextFloat() * 5) - 2); // sorter misalignment of −2…+2
    }
    trains.push(stored.sort((a, b) => a - b));
  }
  // spikes near both ends exercise the sampling and edge rules
  trains[0][0] = 20;
  trains[0][trains[0].length - 1] = N - 30;
  const nT = 4;
  const tpl = new Float32Array(nT * T * CHANNEL_MAP.length);
  for (const u of UNITS) {
    for (let k = -20; k < T - 41; k++) {
      CHANNEL_MAP.forEach((rc, kc) => {
        const s = u.chans[rc] ?? 0;
        tpl[u.id * T * CHANNEL_MAP.length + (41 + k) * CHANNEL_MAP.length + kc] = u.amp * s * shape(k, u.width) * (u.positive ? -1 : 1);
      });
    }
  }
  const rec = arrayRecording(x, C, FS);
  const sorting = makeSorting({ fs: FS, units: UNITS.map((u, i) => ({ id: u.id, train: trains[i] })), templates: { shape: [nT, T, CHANNEL_MAP.length], data: tpl }, channel_map: CHANNEL_MAP });
  return { x, rec, sorting, trains };
}

const wfParams: WaveformParams = { ms_before: 2, ms_after: 2, pos_peak_thresh: 2, max_waveforms_per_unit: 300, save_waveform_files: true, random_seed: 1 };
const mParams: MetricsParams = { compiled_ms_before: 1.5, compiled_ms_after: 1.5, std_at_peak: true, std_over_window_ms_before: 0.5, std_over_window_ms_after: 1.5 };

const READ_FOLDER = `
import json, sys, numpy as np
d = sys.argv[1]
si = np.load(d + '/waveforms/sampled_index_0.npy')
wf = np.load(d + '/waveforms/waveforms_0.npy')
tp = np.load(d + '/templates/templates_average.npy')
cm = {k: str(np.load(d + '/channels_max/' + k + '.npy').dtype) for k in ['use_pos_peak', 'chans_max_kilosort', 'chans_max_all']}
print(json.dumps({
  'sampled_index': {'names': list(si.dtype.names), 'dtypes': [str(si.dtype[n]) for n in si.dtype.names], 'n': int(si.shape[0]), 'segments': sorted(set(si['segment_index'].tolist()))},
  'waveforms': {'dtype': str(wf.dtype), 'shape': list(wf.shape)},
  'templates': {'dtype': str(tp.dtype), 'shape': list(tp.shape)},
  'channels_max': cm,
}))
`;

interface PyUnit {
  unit_id: number; use_pos_peak: boolean; chan_max_kilosort: number; chan_max_all: number; half_window: number;
  sampled_index: number[]; waveform_rows: number[]; spike_train: number[]; average: number[]; std: number[];
  peak_inds: number[]; amplitudes: number[]; amplitude: number; snr: number; std_norms_all: number[]; std_norm: number; std_norm_window: number;
}

(HAVE_PYTHON ? describe : describe.skip)('waveforms vs independent NumPy', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => { tmp = tempDir('npcheck'); });
  afterAll(() => tmp.cleanup());

  test('peak channels, half windows, recentring, templates, noise, amplitudes, SNR, std-norm', async () => {
    const { x, rec, sorting, trains } = build();
    const starts = noiseChunkStarts(N);
    const inDir = join(tmp.dir, 'in');
    mkdirSync(inDir);
    writeFileSync(join(inDir, 'traces.npy'), encodeNpy(x, [N, C]));
    writeFileSync(join(inDir, 'sorter_templates.npy'), encodeNpy(sorting.templates!.data as Float32Array, [...sorting.templates!.shape]));
    writeFileSync(join(inDir, 'channel_map.npy'), encodeNpy(Int32Array.from(CHANNEL_MAP)));
    const flatT = trains.flat();
    const flatC = UNITS.flatMap((u, i) => trains[i].map(() => u.id));
    writeFileSync(join(inDir, 'spike_times.npy'), encodeNpy(Float64Array.from(flatT)));
    writeFileSync(join(inDir, 'spike_clusters.npy'), encodeNpy(Int32Array.from(flatC)));
    writeFileSync(join(inDir, 'params.json'), JSON.stringify({
      fs: FS, ms_before: 2, ms_after: 2, pos_peak_thresh: 2, compiled_ms_before: 1.5, compiled_ms_after: 1.5,
      std_over_window_ms_before: 0.5, std_over_window_ms_after: 1.5, unit_ids: UNITS.map((u) => u.id),
      noise_chunk_starts: starts, noise_chunk_size: 10000,
    }));
    const py = parsePythonJson(runPython(join(__dirname, 'fixtures', 'independent_waveform_metrics.py'), [inDir])) as { noise_levels: number[]; units: PyUnit[] };

    const wf = await extractWaveforms(rec, sorting, wfParams, join(tmp.dir, 'waveforms'));
    const noise = await estimateNoiseLevels(rec);
    expectAllClose(noise, py.noise_levels);
    const set = buildUnitSet(rec, wf, mParams, { noise_levels: noise, sorter_name: 'kilosort4' });
    const setWin = buildUnitSet(rec, wf, { ...mParams, std_at_peak: false }, { noise_levels: noise, sorter_name: 'kilosort4' });

    for (const p of py.units) {
      const u = wf.units.find((w) => w.unit_id === p.unit_id)!;
      expect({ pos: u.use_pos_peak, ks: u.chan_max_kilosort, all: u.chan_max_all, hw: u.half_window }).toEqual({ pos: p.use_pos_peak, ks: p.chan_max_kilosort, all: p.chan_max_all, hw: p.half_window });
      expect(u.sampled_index).toEqual(p.sampled_index);
      expect(u.waveform_rows).toEqual(p.waveform_rows);
      expect(Array.from(u.spike_train)).toEqual(p.spike_train);
      const { average, std } = readUnitTemplates(wf, u.unit_id);
      expectAllClose(average, p.average, 1e-5, 1e-4);
      expectAllClose(std, p.std, 1e-5, 1e-4);
      const a = set.units.find((s) => s.unit_id === p.unit_id)!;
      expect(Array.from(a.peak_inds)).toEqual(p.peak_inds);
      expectAllClose(a.amplitudes, p.amplitudes);
      expectClose(a.amplitude, p.amplitude);
      expectClose(a.snr, p.snr);
      expectAllClose(a.std_norms_all, p.std_norms_all);
      expectClose(a.std_norm, p.std_norm);
      expectClose(setWin.units.find((s) => s.unit_id === p.unit_id)!.std_norm, p.std_norm_window);
    }
    expect(py.units.map((p) => [p.unit_id, p.use_pos_peak, p.chan_max_kilosort, p.chan_max_all])).toEqual([[0, false, 0, 0], [2, false, 4, 5], [3, true, 2, 2]]);
    expect(py.units.every((p) => p.half_window > 0)).toBe(true);
    // the checks above must have exercised recentring and edge drops
    expect(py.units.some((p) => p.spike_train.some((t, i) => t !== trains[UNITS.findIndex((u) => u.id === p.unit_id)][i]))).toBe(true);
    expect(py.units[0].sampled_index.length).toBe(UNITS[0].n - 2);

    // the folder itself, as NumPy sees it
    const seen = JSON.parse(runPython('-c', [READ_FOLDER, join(tmp.dir, 'waveforms')]));
    expect(seen).toEqual({
      sampled_index: { names: ['spike_index', 'segment_index'], dtypes: ['int64', 'int64'], n: UNITS[0].n - 2, segments: [0] },
      waveforms: { dtype: 'float32', shape: [UNITS[0].n - 2, 81, C] },
      templates: { dtype: 'float32', shape: [4, 81, C] },
      channels_max: { use_pos_peak: 'bool', chans_max_kilosort: 'int64', chans_max_all: 'int64' },
    });
  });
});
