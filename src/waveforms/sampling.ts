/**
 * Which of a unit's spikes get a waveform (waveforms_curation §1.4).
 */
import { createRng, deriveSeed, sampleWithoutReplacement } from '../util/rng';

export interface SamplingBounds {
  readonly nbefore: number;
  readonly nafter: number;
  /** Recording length in frames. */
  readonly num_frames: number;
}

/**
 * Indices into the unit's train (stored order): a sorted uniform sample of
 * `maxPerUnit` when the train is longer, else all; then, only when a maximum is set,
 * drop spikes whose window [t − nbefore, t + nafter) leaves the recording.
 *
 * The generator is derived from (seed, unit id) rather than shared across units in unit
 * order, so a stage resumed at unit k draws what an uninterrupted run would have drawn.
 */
export function sampleSpikeIndices(train: ArrayLike<number>, maxPerUnit: number | null, seed: number, unitId: number, bounds: SamplingBounds): number[] {
  const n = train.length;
  let picked: number[];
  if (maxPerUnit !== null && n > maxPerUnit) {
    picked = sampleWithoutReplacement(createRng(deriveSeed(seed, unitId)), n, maxPerUnit);
  } else {
    picked = Array.from({ length: n }, (_, i) => i);
  }
  if (maxPerUnit === null) return picked;
  const hi = bounds.num_frames - bounds.nafter;
  return picked.filter((i) => {
    const t = train[i];
    return t >= bounds.nbefore && t < hi;
  });
}
