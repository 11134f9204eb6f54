import type { NeuronAttributes, UnitSet } from '../../src/waveforms/unit-set';

export const FS = 20000;

export interface UnitSpec {
  id: number;
  amp: number;
  positive?: boolean;
  train: number[];
  channel?: number;
  electrode?: number | string;
  waveformsPath?: string;
}

/** A UnitSet with C channels and a 1/1 ms compiled window (rows [20, 61) of 81). */
export function makeSet(units: readonly UnitSpec[], C = 3, locations: UnitSet['channel_locations'] = null): UnitSet {
  const locs = locations === null ? null : locations;
  const loc = (c: number): readonly [number, number] => (locs ?? Array.from({ length: C }, (_, i) => [i * 17.5, 100 - i] as const))[c];
  const attrs = units.map((u): NeuronAttributes => {
    const ch = u.channel ?? 0;
    const full = new Float32Array(81 * C);
    for (let t = 0; t < 81; t++) for (let c = 0; c < C; c++) full[t * C + c] = (t - 40) * 0.01 + c;
    full[40 * C + ch] = u.positive ? u.amp : -u.amp;
    const template = new Float32Array(81);
    for (let t = 0; t < 81; t++) template[t] = full[t * C + ch];
    return {
      unit_id: u.id,
      channel: ch,
      channel_id: String(100 + ch),
      x: loc(ch)[0],
      y: loc(ch)[1],
      electrode: u.electrode ?? 1000 + ch,
      template,
      template_full: full,
      template_windowed: full.slice(20 * C, 61 * C),
      template_peak_ind: 40,
      amplitude: u.amp,
      amplitudes: Float32Array.from({ length: C }, (_, c) => (c === ch ? u.amp : c + 0.5)),
      peak_inds: Int32Array.from({ length: C }, (_, c) => (c === ch ? 20 : 40)),
      std_norms_all: Float32Array.from({ length: C }, (_, c) => (c === ch ? 0.1 : Infinity)),
      has_pos_peak: u.positive ?? false,
      snr: u.amp / 5,
      std_norm: 0.1,
      spike_train_samples: Float64Array.from(u.train),
      ...(u.waveformsPath ? { _waveforms_path: u.waveformsPath, _waveforms_window: [20, 61] as const } : {}),
    };
  });
  return {
    fs_Hz: FS,
    n_samples: 40000,
    length_ms: 2000,
    n_channels: C,
    channel_locations: locs === null ? Array.from({ length: C }, (_, i) => loc(i)) : locs,
    noise_levels: new Float64Array(C).fill(5),
    window: { nbefore: 40, nafter: 41, nsamples: 81, peak_ind: 40 },
    compiled_window: { nb_c: 20, na_c: 21, start: 20, end: 61 },
    units: attrs,
    metadata: { source_file: '/data/rec.raw.h5', source_format: 'Kilosort2', fs_Hz: FS, channel_locations: null, n_samples: 40000 },
  };
}
