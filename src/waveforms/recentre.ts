/**
 * Moving a spike to its peak (waveforms_curation §1.5 step 3) and cutting its waveform
 * (step 4) out of a block of traces that is already in memory.
 */

/** A block of traces [start, start + frames) of a C-channel recording, frame-major. */
export interface TraceBlock {
  readonly data: Float32Array;
  readonly start: number;
  readonly frames: number;
  readonly channels: number;
}

/**
 * Offset in [−hw, +hw] from t to the extreme of `channel` within [t − hw, t + hw]: the
 * maximum for positive units, the minimum otherwise. Ties → the middle of the tied
 * indices (the later one of two). Exact equality is intended: tied samples are equal
 * float32 values read from the same traces.
 */
export function recentreOffset(block: TraceBlock, t: number, hw: number, channel: number, positive: boolean): number {
  const C = block.channels;
  const first = t - hw - block.start;
  let best = positive ? -Infinity : Infinity;
  for (let k = 0; k <= 2 * hw; k++) {
    const v = block.data[(first + k) * C + channel];
    if (positive ? v > best : v < best) best = v;
  }
  const ties: number[] = [];
  for (let k = 0; k <= 2 * hw; k++) {
    if (block.data[(first + k) * C + channel] === best) ties.push(k);
  }
  // All-NaN window: no index compares equal; leave the spike where it is.
  if (ties.length === 0) return 0;
  return ties[Math.trunc(ties.length / 2)] - hw;
}

/**
 * Copies rows [tc − nbefore, tc + nafter) into `out` (nsamples × C, zero-filled by the
 * caller), taking only rows inside [lo, hi). Rows outside stay 0: the reference reads
 * one block per spike, [t − max(nbefore, hw), t + max(nafter, hw)), and a recentred
 * window that sticks out of it keeps zeros there. We keep that (parity), even when the
 * batched block we hold has the data.
 */
export function cutWaveform(block: TraceBlock, tc: number, nbefore: number, nafter: number, lo: number, hi: number, out: Float32Array, outOffset: number): void {
  const C = block.channels;
  const from = Math.max(tc - nbefore, lo, block.start);
  const to = Math.min(tc + nafter, hi, block.start + block.frames);
  if (to <= from) return;
  const src = block.data.subarray((from - block.start) * C, (to - block.start) * C);
  out.set(src, outOffset + (from - (tc - nbefore)) * C);
}
