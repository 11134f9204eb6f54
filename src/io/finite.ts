/**
 * NaN or infinite samples poison a zero-phase filter (the whole chunk turns NaN) and then the
 * sorter, silently. Sources whose stored type can hold them (float NWB / binary) are wrapped
 * so the first bad sample fails the load with its file, frame and channel.
 */
import { InvalidRecordingError } from '../errors';
import { DerivedRecording, type Recording } from './recording';

/** Stored types that cannot hold NaN/inf: their µV values are always finite. */
const INTEGER_DTYPES = /^u?int(8|16|32|64)$/;

export function requireFiniteSamples(rec: Recording): Recording {
  const dtype = rec.source_info?.dtype;
  if (dtype !== undefined && INTEGER_DTYPES.test(dtype) && rec.source_info?.format !== 'concatenation') return rec;
  return new FiniteSamplesRecording(rec);
}

class FiniteSamplesRecording extends DerivedRecording {
  readonly num_frames: number;

  constructor(parent: Recording) {
    super(parent);
    this.num_frames = parent.num_frames;
    this.forwardChannelMajor(0, (t, startFrame, channels) => {
      if (firstNonFinite(t) < 0) return;
      // Name the sample getTraces would (earliest frame, then channel), whatever the layout.
      const width = channels?.length ?? this.num_channels;
      const n = t.length / width;
      let frame = n;
      let j0 = 0;
      for (let j = 0; j < width; j++) {
        const f = firstNonFinite(t.subarray(j * n, j * n + frame));
        if (f >= 0) {
          frame = f;
          j0 = j;
        }
      }
      this.fail(t[j0 * n + frame], startFrame + frame, channels?.[j0] ?? j0);
    });
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    const t = this.parent.getTraces(startFrame, endFrame, channels);
    const i = firstNonFinite(t);
    if (i >= 0) {
      const width = channels?.length ?? this.num_channels;
      this.fail(t[i], startFrame + Math.floor(i / width), channels?.[i % width] ?? i % width);
    }
    return t;
  }

  private fail(v: number, frame: number, index: number): never {
    const what = Number.isNaN(v) ? 'NaN' : String(v);
    throw new InvalidRecordingError(
      `${this.source_path}: sample at frame ${frame} (${(frame / this.sampling_frequency).toFixed(4)} s), channel ${this.channel_ids[index]} is ${what}; ` +
        'a recording must hold finite values only (replace or cut the damaged range, e.g. with start_time_s / rec_chunks)',
      { path: this.source_path, field: 'samples', expected: 'finite values' },
    );
  }
}

/** Index of the first NaN or ±inf sample; −1 when all are finite. */
function firstNonFinite(t: Float32Array): number {
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    // v - v is NaN exactly for NaN and ±inf: one test for both.
    if (v - v !== 0) return i;
  }
  return -1;
}
