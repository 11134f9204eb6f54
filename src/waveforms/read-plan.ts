/**
 * Groups a unit's spike windows into few `getTraces` calls. Why: a per-spike read costs a
 * file seek plus a decode call each; spikes of a bursting unit often sit a few ms apart,
 * and one read covering them costs barely more than a single window.
 */

export interface ReadGroup {
  /** Positions (into the caller's spike list) covered by this read. */
  readonly members: readonly number[];
  readonly start: number;
  readonly end: number;
}

export interface ReadPlanOptions {
  /** Frames before / after each spike that must be in the read. */
  readonly before: number;
  readonly after: number;
  /** Merge two windows when the gap between them is at most this many frames. */
  readonly maxGapFrames: number;
  /** Never make one read longer than this (bounds the block buffer). */
  readonly maxBlockFrames: number;
}

/** `times` must be ascending (a sampled train is). */
export function planReads(times: readonly number[], opts: ReadPlanOptions): ReadGroup[] {
  const groups: ReadGroup[] = [];
  let members: number[] = [];
  let start = 0;
  let end = 0;
  for (let i = 0; i < times.length; i++) {
    const s = times[i] - opts.before;
    const e = times[i] + opts.after;
    const fits = members.length > 0 && s - end <= opts.maxGapFrames && Math.max(end, e) - start <= opts.maxBlockFrames;
    if (fits) {
      members.push(i);
      end = Math.max(end, e);
    } else {
      if (members.length > 0) groups.push({ members, start, end });
      members = [i];
      start = s;
      end = e;
    }
  }
  if (members.length > 0) groups.push({ members, start, end });
  return groups;
}
