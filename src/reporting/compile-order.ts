/**
 * Output order of compiled units (waveforms_curation §4.2): negative-peak units by
 * amplitude descending, then positive-peak units likewise; `sorted_index` numbers the
 * curated units in that order from 0.
 *
 * Failed units (kept around by `include_failed_units`) are never written to sorted.npz
 * and never take a sorted_index, so ordering only the curated units gives the same
 * indices as ordering all queued units and skipping the failed ones.
 */
import type { NeuronAttributes } from '../waveforms/unit-set';

export interface OrderedUnit {
  readonly unit: NeuronAttributes;
  readonly sorted_index: number;
}

/** A missing or NaN amplitude sorts as 0, as in the reference. */
function amplitudeKey(u: NeuronAttributes): number {
  return Number.isNaN(u.amplitude) ? 0 : u.amplitude;
}

export function orderUnits(units: readonly NeuronAttributes[]): OrderedUnit[] {
  // Array.prototype.sort is stable, so equal amplitudes keep their input order.
  const byAmp = (a: NeuronAttributes, b: NeuronAttributes): number => amplitudeKey(b) - amplitudeKey(a);
  const negative = units.filter((u) => !u.has_pos_peak).sort(byAmp);
  const positive = units.filter((u) => u.has_pos_peak).sort(byAmp);
  return [...negative, ...positive].map((unit, sorted_index) => ({ unit, sorted_index }));
}
