/**
 * Gaps in Maxwell frame numbers (pipeline spec §3.2): the hardware counts frames, so a jump of
 * more than one between consecutive samples means frames were dropped while recording. Pure
 * (samples come through a callback), so chunk boundaries and limits are unit-testable.
 */
import type { FrameGap } from './recording';

export interface FrameNumberScan {
  /** Gaps in sample order, at most `maxGaps` of them. */
  gaps: FrameGap[];
  /** All gaps found, including those beyond `maxGaps`. */
  gap_count: number;
  missing_frames: number;
  /** Consecutive samples whose frame number did not increase (repeats or steps back). */
  backsteps: number;
  first: number | null;
  last: number | null;
  /** The search stopped early (gap or read limit), so the list may be incomplete. */
  truncated: boolean;
  /** False when the numbers were not searched because they do not behave like a frame counter. */
  searched: boolean;
}

/** Upper bound on gaps kept, so a file of garbage frame numbers cannot blow up the details. */
export const MAX_REPORTED_GAPS = 10_000;

class GapCollector {
  readonly gaps: FrameGap[] = [];
  gap_count = 0;
  missing_frames = 0;
  backsteps = 0;

  constructor(private readonly maxGaps: number) {}

  step(index: number, diff: number): void {
    if (diff === 1) return;
    if (diff <= 0) {
      this.backsteps++;
      return;
    }
    this.gap_count++;
    this.missing_frames += diff - 1;
    if (this.gaps.length < this.maxGaps) this.gaps.push({ after_frame: index, missing_frames: diff - 1 });
  }

  result(first: number | null, last: number | null, truncated: boolean, searched = true): FrameNumberScan {
    return {
      gaps: this.gaps, gap_count: this.gap_count, missing_frames: this.missing_frames, backsteps: this.backsteps,
      first, last, truncated: truncated || this.gap_count > this.gaps.length, searched,
    };
  }
}

/**
 * Every consecutive pair of `n` frame numbers, read `chunk` at a time (`read(s, e)` returns
 * frame numbers [s, e)), so memory stays bounded however long the recording is.
 */
export function scanFrameGaps(
  n: number, read: (start: number, end: number) => Float64Array, chunk = 1 << 20, maxGaps = MAX_REPORTED_GAPS,
): FrameNumberScan {
  const out = new GapCollector(maxGaps);
  if (n === 0) return out.result(null, null, false);
  let prev = Number.NaN;
  let first: number | null = null;
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const v = read(s, e);
    if (v.length !== e - s) throw new RangeError(`frame numbers [${s}, ${e}) came back with ${v.length} values`);
    first ??= v[0];
    for (let i = 0; i < v.length; i++) {
      if (s + i > 0) out.step(s + i - 1, v[i] - prev);
      prev = v[i];
    }
  }
  return out.result(first, prev, false);
}

/**
 * Gaps found by bisection with single-value reads, for frame numbers stored where a full
 * scan would decode the whole raw dataset (legacy `/sig` status rows). Relies on the counter
 * only ever increasing: a span whose end minus start equals its length is taken as gap-free,
 * so a repeat and a jump inside one span can cancel out unseen. Cost: about log₂(n) reads
 * per gap, bounded by `maxReads` (each read may decode a whole chunk). Numbers that grow by
 * less than one per sample over the whole recording are no counter (a wrap, zeroed status
 * rows): they are not searched, which would cost a read per sample.
 */
export function bisectFrameGaps(
  n: number, at: (index: number) => number, maxReads = 4096, maxGaps = MAX_REPORTED_GAPS,
): FrameNumberScan {
  const out = new GapCollector(maxGaps);
  if (n === 0) return out.result(null, null, false);
  const first = at(0);
  const last = n > 1 ? at(n - 1) : first;
  if (last - first < n - 1) return out.result(first, last, false, false);
  let reads = 2;
  let truncated = false;
  // Depth-first, left half first, so gaps come out in sample order.
  const stack: [number, number, number, number][] = n > 1 ? [[0, n - 1, first, last]] : [];
  while (stack.length > 0) {
    const [lo, hi, flo, fhi] = stack.pop() as [number, number, number, number];
    if (fhi - flo === hi - lo) continue;
    if (hi - lo === 1) {
      out.step(lo, fhi - flo);
      continue;
    }
    if (reads >= maxReads) {
      truncated = true;
      break;
    }
    const mid = lo + Math.floor((hi - lo) / 2);
    const fm = at(mid);
    reads++;
    stack.push([mid, hi, fm, fhi], [lo, mid, flo, fm]);
  }
  return out.result(first, last, truncated);
}
