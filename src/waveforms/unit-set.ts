/**
 * The SpikeData-like result of a sort (waveforms_curation §2.6–§2.7): one attribute record
 * per unit plus recording metadata. Plain data so curation and compilation need no
 * recording, and so it can be stored between activities (`unit-set-store.ts`).
 *
 * Length decision: `length_ms = n_samples / fs × 1000` (the reference uses the last
 * spike, which skews firing rates and breaks epoch splits, §2.7).
 */
import type { Recording } from '../io/recording';
import { compiledWindow, type CompiledWindow, type ExtractionWindow, type MetricsParams } from './params';
import { unitMetrics } from './metrics';
import { readUnitTemplates } from './store';
import type { WaveformResult } from './types';

export type ChannelLocations = readonly (readonly [number, number])[];

/** `neuron_attributes` of one unit (§2.6). Arrays are time-major (row = sample). */
export interface NeuronAttributes {
  readonly unit_id: number;
  /** chan_max: recording channel index of the peak (from the sorter template). */
  readonly channel: number;
  readonly channel_id: string;
  readonly x: number;
  readonly y: number;
  /** The recording's electrode number at `channel`, else the channel id. */
  readonly electrode: number | string;
  /** Mean template on `channel`, full extraction window (nsamples). */
  readonly template: Float32Array;
  /** Mean template, all channels (nsamples × C). */
  readonly template_full: Float32Array;
  /** Rows of the compiled window, all channels ((nb_c + na_c) × C). */
  readonly template_windowed: Float32Array;
  readonly template_peak_ind: number;
  readonly amplitude: number;
  readonly amplitudes: Float32Array;
  readonly peak_inds: Int32Array;
  readonly std_norms_all: Float32Array;
  readonly has_pos_peak: boolean;
  readonly snr: number;
  /** May be +∞ (zero amplitude). */
  readonly std_norm: number;
  /** Frames, stored (not re-sorted) order, recentred where sampled. */
  readonly spike_train_samples: Float64Array;
  readonly _waveforms_path?: string;
  readonly _waveforms_window?: readonly [number, number];
}

export interface UnitSetMetadata {
  readonly source_file: string;
  readonly source_format: string;
  readonly fs_Hz: number;
  readonly channel_locations: ChannelLocations | null;
  readonly n_samples: number;
}

export interface UnitSet {
  readonly fs_Hz: number;
  readonly n_samples: number;
  readonly length_ms: number;
  readonly n_channels: number;
  readonly channel_locations: ChannelLocations | null;
  readonly noise_levels: Float64Array;
  readonly window: ExtractionWindow;
  readonly compiled_window: CompiledWindow;
  readonly units: readonly NeuronAttributes[];
  readonly metadata: UnitSetMetadata;
}

/** `Kilosort2` / `Kilosort4` / `RT-Sort`; any other sorter keeps its raw name. */
export function sourceFormat(sorterName: string): string {
  const known: Record<string, string> = { kilosort2: 'Kilosort2', kilosort4: 'Kilosort4', rt_sort: 'RT-Sort' };
  return known[sorterName] ?? sorterName;
}

/** A train in milliseconds, sorted ascending (SpikeData convention). */
export function trainMs(unit: Pick<NeuronAttributes, 'spike_train_samples'>, fs: number): Float64Array {
  const out = Float64Array.from(unit.spike_train_samples, (s) => (s / fs) * 1000);
  return out.sort();
}

function electrodeAt(rec: Pick<Recording, 'electrodes' | 'channel_ids'>, channel: number): number | string {
  const e = rec.electrodes?.[channel];
  if (e !== undefined && e !== null) return e;
  const id = rec.channel_ids[channel];
  // The npz loader casts electrode with int(); numeric ids travel as numbers.
  return /^-?\d+$/.test(id) ? Number(id) : id;
}

export interface BuildUnitSetOptions {
  readonly noise_levels: Float64Array;
  readonly sorter_name: string;
}

export type RecordingInfo = Pick<Recording, 'source_path' | 'sampling_frequency' | 'num_frames' | 'num_channels' | 'channel_ids' | 'locations' | 'electrodes'>;

/**
 * Builds the attribute records from a finished extraction. Only channel metadata is read
 * from the recording; the noise levels are passed in (`estimateNoiseLevels`), so this step
 * does no trace I/O and can run in a later activity.
 */
export function buildUnitSet(rec: RecordingInfo, wf: WaveformResult, params: MetricsParams, opts: BuildUnitSetOptions): UnitSet {
  const fs = wf.sampling_frequency;
  const C = wf.num_channels;
  const win = wf.window;
  const cw = compiledWindow(params, win, fs);
  const locations: ChannelLocations = rec.locations.map((l) => [l[0], l[1]] as const);
  const units = wf.units.map((u): NeuronAttributes => {
    const { average, std } = readUnitTemplates(wf, u.unit_id);
    const m = unitMetrics({ average, std, channels: C, chan_max: u.chan_max_all, noise_levels: opts.noise_levels, window: win, fs }, params);
    const template = new Float32Array(win.nsamples);
    for (let t = 0; t < win.nsamples; t++) template[t] = average[t * C + u.chan_max_all];
    const [x, y] = locations[u.chan_max_all] ?? [NaN, NaN];
    const base: NeuronAttributes = {
      unit_id: u.unit_id,
      channel: u.chan_max_all,
      channel_id: rec.channel_ids[u.chan_max_all],
      x,
      y,
      electrode: electrodeAt(rec, u.chan_max_all),
      template,
      template_full: average,
      template_windowed: m.template_windowed,
      template_peak_ind: win.peak_ind,
      amplitude: m.amplitude,
      amplitudes: m.amplitudes,
      peak_inds: m.peak_inds,
      std_norms_all: m.std_norms_all,
      has_pos_peak: u.use_pos_peak,
      snr: m.snr,
      std_norm: m.std_norm,
      spike_train_samples: u.spike_train,
    };
    return u.waveforms_path === null ? base : { ...base, _waveforms_path: u.waveforms_path, _waveforms_window: [cw.start, cw.end] };
  });
  const metadata: UnitSetMetadata = {
    source_file: String(rec.source_path),
    source_format: sourceFormat(opts.sorter_name),
    fs_Hz: fs,
    channel_locations: locations,
    n_samples: wf.num_frames,
  };
  return {
    fs_Hz: fs,
    n_samples: wf.num_frames,
    length_ms: (wf.num_frames / fs) * 1000,
    n_channels: C,
    channel_locations: locations,
    noise_levels: opts.noise_levels,
    window: win,
    compiled_window: cw,
    units,
    metadata,
  };
}

/** The curated subset: same metadata and length, units whose id is in `ids` (original order). */
export function selectUnits(set: UnitSet, ids: Iterable<number>): UnitSet {
  const keep = new Set(ids);
  return { ...set, units: set.units.filter((u) => keep.has(u.unit_id)) };
}
