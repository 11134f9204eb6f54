/**
 * `sorted.npz` content (waveforms_curation §4.3): `units` (object array of dicts, one per
 * curated unit in §4.2 order), `locations` (C × 2 float64) and `fs` (0-d float64), in
 * that order. Dict keys and types follow the table there, so the reference's
 * `load_spikedata_from_spikelab_sorted_npz` reads our files.
 */
import { int64Array } from '../waveforms/npy-files';
import type { ChannelLocations, NeuronAttributes } from '../waveforms/unit-set';
import type { OrderedUnit } from './compile-order';
import { NdArray, PickleDict, PyFloat, type PickleValue } from './pickle';
import { writeNpz } from './npz';

export interface NpzFlags {
  readonly save_electrodes: boolean;
  readonly save_dl_data: boolean;
}

/** Electrode as an int where it is numeric: the loader casts it with int(). */
function electrodeValue(e: number | string): PickleValue {
  if (typeof e === 'number') return e;
  return /^-?\d+$/.test(e) ? Number(e) : e;
}

export function unitDict(o: OrderedUnit, channels: number, rows: number, flags: NpzFlags): PickleDict {
  const u: NeuronAttributes = o.unit;
  const entries: [string, PickleValue][] = [
    ['unit_id', u.unit_id],
    ['spike_train', new NdArray('<i8', [u.spike_train_samples.length], int64Array(u.spike_train_samples))],
    ['x_max', new PyFloat(u.x)],
    ['y_max', new PyFloat(u.y)],
    ['template', new NdArray('<f4', [rows, channels], u.template_windowed)],
  ];
  if (flags.save_dl_data) {
    entries.push(
      ['sorted_index', o.sorted_index],
      ['max_channel_si', u.channel],
      ['max_channel_id', u.channel_id],
      ['peak_sign', u.has_pos_peak ? 'positive' : 'negative'],
      ['peak_ind', new NdArray('<i8', [u.peak_inds.length], int64Array(u.peak_inds))],
      ['amplitudes', new NdArray('<f4', [u.amplitudes.length], u.amplitudes)],
      ['std_norms', new NdArray('<f4', [u.std_norms_all.length], u.std_norms_all)],
    );
  }
  // Always the last key when present.
  if (flags.save_electrodes) entries.push(['electrode', electrodeValue(u.electrode)]);
  return new PickleDict(entries);
}

function locationsArray(locations: ChannelLocations | null): NdArray {
  if (locations === null) return new NdArray('|O', [], [null]);
  const data = new Float64Array(locations.length * 2);
  locations.forEach(([x, y], i) => {
    data[2 * i] = x;
    data[2 * i + 1] = y;
  });
  return new NdArray('<f8', [locations.length, 2], data);
}

export interface SortedNpzInput {
  readonly units: readonly OrderedUnit[];
  readonly channels: number;
  /** Rows of `template_windowed` (nb_c + na_c). */
  readonly template_rows: number;
  readonly locations: ChannelLocations | null;
  readonly fs: number;
}

export function writeSortedNpz(path: string, input: SortedNpzInput, flags: NpzFlags): void {
  // Zero units: NumPy turns an empty list into float64 of shape (0,).
  const units = input.units.length === 0
    ? new NdArray('<f8', [0], new Float64Array(0))
    : new NdArray('|O', [input.units.length], input.units.map((o) => unitDict(o, input.channels, input.template_rows, flags)));
  writeNpz(path, [
    { name: 'units', array: units },
    { name: 'locations', array: locationsArray(input.locations) },
    { name: 'fs', array: new NdArray('<f8', [], Float64Array.of(input.fs)) },
  ]);
}
