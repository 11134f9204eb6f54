/**
 * Ground truth of a synthetic recording and the accuracy of a sorting against it.
 * Accuracy per ground-truth unit follows the usual spike-sorting comparison convention:
 * matches / (n_gt + n_sorted − matches) for the best-matching sorted unit.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface GroundTruthUnit {
  unit_id: number;
  /** Index into the recording's channel order (= raw-row order for our Maxwell writer). */
  peak_channel_index: number;
  channel_id: string;
  /** Unit position, µm. */
  x: number;
  y: number;
  /** Magnitude of the negative peak on the peak channel, µV (before quantisation). */
  amplitude_uv: number;
  firing_rate_hz: number;
  /** Frames of the template's negative peak, ascending. */
  spike_frames: number[];
}

export interface GroundTruth {
  sampling_frequency: number;
  num_frames: number;
  num_channels: number;
  units: GroundTruthUnit[];
}

export function groundTruthPath(recordingPath: string): string {
  return `${recordingPath}.ground_truth.json`;
}

export function writeGroundTruth(recordingPath: string, gt: GroundTruth): string {
  const p = groundTruthPath(recordingPath);
  writeFileSync(p, `${JSON.stringify(gt)}\n`);
  return p;
}

export function readGroundTruth(recordingPath: string): GroundTruth {
  return JSON.parse(readFileSync(groundTruthPath(recordingPath), 'utf8')) as GroundTruth;
}

export interface UnitAccuracy {
  unit_id: number;
  /** Index into the sorted units of the best match, or null when nothing matched. */
  best_sorted_index: number | null;
  accuracy: number;
  n_matches: number;
  n_gt: number;
  n_sorted: number;
}

export interface AccuracySummary {
  per_unit: UnitAccuracy[];
  /** Ground-truth units with accuracy ≥ `well_detected_threshold`. */
  n_well_detected: number;
  well_detected_threshold: number;
  mean_accuracy: number;
  tolerance_frames: number;
}

const WELL_DETECTED = 0.8;

/**
 * One-to-one matches between two ascending spike trains within ±tol frames (greedy in time
 * order: each spike is used at most once, so bursts cannot be double counted).
 */
export function countMatches(a: readonly number[], b: readonly number[], tol: number): number {
  let i = 0;
  let j = 0;
  let m = 0;
  while (i < a.length && j < b.length) {
    const d = a[i] - b[j];
    if (Math.abs(d) <= tol) { m++; i++; j++; } else if (d < 0) i++; else j++;
  }
  return m;
}

export function computeAccuracy(
  gt: GroundTruth,
  sortedUnits: readonly { spike_frames: readonly number[] }[],
  fs: number,
  tolerance_ms = 0.4,
): AccuracySummary {
  const tol = (tolerance_ms * fs) / 1000;
  const sorted = sortedUnits.map((u) => Float64Array.from(u.spike_frames).sort());
  const per_unit = gt.units.map((u): UnitAccuracy => {
    const g = [...u.spike_frames].sort((p, q) => p - q);
    let best: UnitAccuracy = { unit_id: u.unit_id, best_sorted_index: null, accuracy: 0, n_matches: 0, n_gt: g.length, n_sorted: 0 };
    sorted.forEach((s, k) => {
      const m = countMatches(g, Array.from(s), tol);
      const denom = g.length + s.length - m;
      const acc = denom > 0 ? m / denom : 0;
      if (m > 0 && acc > best.accuracy) best = { ...best, best_sorted_index: k, accuracy: acc, n_matches: m, n_sorted: s.length };
    });
    return best;
  });
  const n = per_unit.length;
  return {
    per_unit,
    n_well_detected: per_unit.filter((p) => p.accuracy >= WELL_DETECTED).length,
    well_detected_threshold: WELL_DETECTED,
    mean_accuracy: n === 0 ? 0 : per_unit.reduce((a, p) => a + p.accuracy, 0) / n,
    tolerance_frames: tol,
  };
}
