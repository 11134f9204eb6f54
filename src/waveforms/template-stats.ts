/**
 * Mean and population std (divide by n) over a unit's waveform rows (§1.5 step 5).
 * Accumulated in float64 with two passes, then stored as float32: the spike counts are
 * small (≤ 300 by default) but amplitudes reach hundreds of µV, and a one-pass
 * sum-of-squares loses digits where std ≪ mean.
 */
export function meanAndStd(rows: Float32Array, count: number, rowLength: number): { average: Float32Array; std: Float32Array } {
  const average = new Float32Array(rowLength);
  const std = new Float32Array(rowLength);
  if (count === 0) return { average, std };
  const mean = new Float64Array(rowLength);
  for (let r = 0; r < count; r++) {
    const base = r * rowLength;
    for (let i = 0; i < rowLength; i++) mean[i] += rows[base + i];
  }
  for (let i = 0; i < rowLength; i++) mean[i] /= count;
  const sq = new Float64Array(rowLength);
  for (let r = 0; r < count; r++) {
    const base = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const d = rows[base + i] - mean[i];
      sq[i] += d * d;
    }
  }
  for (let i = 0; i < rowLength; i++) {
    average[i] = mean[i];
    std[i] = Math.sqrt(sq[i] / count);
  }
  return { average, std };
}
