/**
 * Applies a criteria map to a set of units (waveforms_curation §3.2–§3.3). Criteria run in
 * a fixed order, each on the survivors of the previous one; NaN fails every test and +∞
 * fails the std-norm test.
 */
import { EmptyWaveformMetricsError } from '../errors';
import type { CriteriaMap } from './criteria';
import type { CriterionName, CurationHistory } from './history';
import { firingRateHz, isiViolation, parseIsiMethod } from './unit-metrics';

/** What curation needs of a unit; a UnitSet's `NeuronAttributes` is assignable. */
export interface CurationUnit {
  readonly unit_id?: number;
  /** Frames in any order; sorted (as ms) for the ISI metric. */
  readonly spike_train_samples: ArrayLike<number>;
  readonly snr?: number | null;
  readonly std_norm?: number | null;
}

/** A UnitSet is assignable. */
export interface CurationInput {
  readonly fs_Hz: number;
  /** Recording length; firing rates divide by it. */
  readonly length_ms: number;
  readonly units: readonly CurationUnit[];
  /**
   * false models a SpikeData without attribute dicts: SNR / std-norm are then never
   * available and ids come from positions. Default true.
   */
  readonly attributes_available?: boolean;
}

interface Entry {
  readonly id: number;
  readonly unit: CurationUnit;
}

/** Ids are the units' `unit_id` when every unit has one, else their positions. */
export function unitIdsOf(input: CurationInput): number[] {
  const withIds = input.attributes_available !== false && input.units.every((u) => typeof u.unit_id === 'number');
  return input.units.map((u, i) => (withIds ? (u.unit_id as number) : i));
}

function trainMsSorted(u: CurationUnit, fs: number): Float64Array {
  return Float64Array.from(u.spike_train_samples, (s) => (Number(s) / fs) * 1000).sort();
}

/**
 * SNR / std-norm come only from precomputed attributes: present on every unit still in
 * play (an empty set counts as complete). The reference's fallback that recomputes them
 * from raw traces is not ported, because pipeline unit sets always carry both values.
 */
function waveformMetric(entries: readonly Entry[], key: 'snr' | 'std_norm', attributesAvailable: boolean): number[] {
  const values = entries.map((e) => e.unit[key]);
  if (attributesAvailable && values.every((v) => v !== undefined && v !== null)) return values.map((v) => Number(v));
  throw new EmptyWaveformMetricsError(
    `Cannot compute '${key}': no precomputed values in neuron_attributes and raw_data is empty, so there are no waveforms to compute it from`,
    { metric_name: key },
  );
}

interface Criterion {
  readonly name: CriterionName;
  /** Per entry metric value, and whether it passes. */
  run(entries: readonly Entry[]): { values: number[]; pass: (v: number) => boolean };
}

function criteriaInOrder(m: CriteriaMap, input: CurationInput): Criterion[] {
  const out: Criterion[] = [];
  const attrs = input.attributes_available !== false;
  const { min_spikes, min_rate_hz, isi_max, min_snr, max_std_norm } = m;
  if (min_spikes !== undefined) {
    out.push({ name: 'spike_count', run: (es) => ({ values: es.map((e) => e.unit.spike_train_samples.length), pass: (v) => v >= min_spikes }) });
  }
  if (min_rate_hz !== undefined) {
    out.push({ name: 'firing_rate', run: (es) => ({ values: es.map((e) => firingRateHz(e.unit.spike_train_samples.length, input.length_ms)), pass: (v) => v >= min_rate_hz }) });
  }
  if (isi_max !== undefined) {
    const method = parseIsiMethod(m.isi_method ?? 'percent');
    const threshold = m.isi_threshold_ms ?? 1.5;
    out.push({
      name: 'isi_violation',
      run: (es) => ({
        values: es.map((e) => isiViolation(trainMsSorted(e.unit, input.fs_Hz), { threshold_ms: threshold, method, length_ms: input.length_ms, isi_min_ms: 0 })),
        pass: (v) => v <= isi_max,
      }),
    });
  }
  if (min_snr !== undefined) {
    out.push({ name: 'snr', run: (es) => ({ values: waveformMetric(es, 'snr', attrs), pass: (v) => v >= min_snr }) });
  }
  if (max_std_norm !== undefined) {
    out.push({ name: 'std_norm', run: (es) => ({ values: waveformMetric(es, 'std_norm', attrs), pass: (v) => v <= max_std_norm }) });
  }
  return out;
}

/** Runs the criteria; the returned history has no cache key yet. */
export function applyCriteria(input: CurationInput, criteria: CriteriaMap): CurationHistory {
  const ids = unitIdsOf(input);
  let entries: Entry[] = input.units.map((unit, i) => ({ id: ids[i], unit }));
  const curations: string[] = [];
  const curated: Record<string, number[]> = {};
  const failed: Record<string, number[]> = {};
  const metrics: Record<string, Record<string, number>> = {};
  for (const c of criteriaInOrder(criteria, input)) {
    const { values, pass } = c.run(entries);
    const row: Record<string, number> = {};
    const kept: Entry[] = [];
    const passed: number[] = [];
    const dropped: number[] = [];
    entries.forEach((e, i) => {
      row[String(e.id)] = values[i];
      if (pass(values[i])) {
        kept.push(e);
        passed.push(e.id);
      } else {
        dropped.push(e.id);
      }
    });
    curations.push(c.name);
    curated[c.name] = passed;
    failed[c.name] = dropped;
    metrics[c.name] = row;
    entries = kept;
  }
  return { curation_parameters: { ...criteria }, initial: ids, curations, curated, failed, metrics, curated_final: entries.map((e) => e.id) };
}
