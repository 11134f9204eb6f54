/**
 * Time and frame slicing after loading (pipeline spec §3.6): `start_time_s`/`end_time_s`
 * select a range (end clipped to the duration, frames = round half to even of t·fs), and
 * `first_n_mins` keeps the first N minutes. As in the reference, the time range is checked
 * against the full duration but cut from the `first_n_mins` result.
 */
import { InvalidRecordingError } from '../errors';
import { checkFrameRange } from './frame_range';
import { DerivedRecording } from './recording';
import type { Recording } from './recording';

export interface SliceOptions {
  start_time_s?: number | null;
  end_time_s?: number | null;
  /** Keep only the first N minutes; 0 or null = whole recording. */
  first_n_mins?: number | null;
}

/** Python's round(): ties go to the even neighbour (0.5 → 0, 1.5 → 2, 2.5 → 2). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

export function sliceRecording(rec: Recording, opts: SliceOptions): Recording {
  return sliceFrames(rec, opts).recording;
}

/** sliceRecording, plus the frames [start, end) of `rec` the result holds. */
export function sliceFrames(rec: Recording, opts: SliceOptions): { recording: Recording; range: [number, number] } {
  const path = rec.source_path;
  const fs = rec.sampling_frequency;
  let range: [number, number] | null = null;
  if (opts.start_time_s != null || opts.end_time_s != null) {
    const duration = rec.num_frames / fs;
    const given = `start_time_s=${opts.start_time_s ?? 'null'}, end_time_s=${opts.end_time_s ?? 'null'}`;
    if (!(duration > 0)) {
      throw new InvalidRecordingError(`Invalid time range: ${path} has zero duration, cannot apply ${given}`, {
        path, field: opts.start_time_s != null ? 'start_time_s' : 'end_time_s', expected: 'a recording longer than 0 s',
      });
    }
    const start = opts.start_time_s ?? 0;
    const end = Math.min(opts.end_time_s ?? duration, duration);
    if (!(start >= 0 && start < end)) {
      throw new InvalidRecordingError(
        `Invalid time range: ${given} for ${path} (duration ${duration} s, end clipped to ${end} s); expected 0 <= start_time_s < end_time_s`,
        { path, field: start < 0 ? 'start_time_s' : 'start_time_s/end_time_s', expected: '0 <= start_time_s < end_time_s' },
      );
    }
    range = [roundHalfEven(start * fs), roundHalfEven(end * fs)];
  }

  let base = rec;
  const minutes = opts.first_n_mins;
  if (minutes != null && minutes !== 0) {
    if (!(minutes > 0)) {
      throw new InvalidRecordingError(`Invalid first_n_mins=${minutes} for ${path}; expected a positive number of minutes`, {
        path, field: 'first_n_mins', expected: '> 0',
      });
    }
    const endFrame = Math.trunc(minutes * 60 * fs);
    if (endFrame < rec.num_frames) base = frameSlice(rec, 0, endFrame);
  }

  if (range === null) return { recording: base, range: [0, base.num_frames] };
  if (range[1] > base.num_frames) {
    throw new InvalidRecordingError(
      `Invalid time range: frames [${range[0]}, ${range[1]}) of ${path} lie past the end of the first_n_mins=${minutes} cut ` +
        `(${base.num_frames} frames)`,
      { path, field: 'end_time_s', expected: `end frame <= ${base.num_frames}` },
    );
  }
  return { recording: frameSlice(base, range[0], range[1]), range };
}

/** Frames [start, end) of `rec` as a recording of its own (frame 0 = `start`). */
export function frameSlice(rec: Recording, start: number, end: number): Recording {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > rec.num_frames) {
    throw new InvalidRecordingError(
      `${rec.source_path}: invalid frame slice [${start}, ${end}) of a recording with ${rec.num_frames} frames`,
      { path: rec.source_path, field: 'frame_slice', expected: `0 <= start <= end <= ${rec.num_frames}` },
    );
  }
  return new FrameSliceRecording(rec, start, end);
}

class FrameSliceRecording extends DerivedRecording {
  readonly num_frames: number;

  constructor(parent: Recording, readonly start_frame: number, end: number) {
    super(parent);
    this.num_frames = end - start_frame;
    this.forwardChannelMajor(start_frame);
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    return this.parent.getTraces(this.start_frame + startFrame, this.start_frame + endFrame, channels);
  }
}
