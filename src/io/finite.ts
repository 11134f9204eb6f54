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
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    const t = this.parent.getTraces(startFrame, endFrame, channels);
    for (let i = 0; i < t.length; i++) {
      const v = t[i];
      // v - v is NaN exactly for NaN and ±inf: one test for both.
      if (v - v !== 0) this.fail(t, i, startFrame, channels);
    }
    return t;
  }

  private fail(t: Float32Array, i: number, startFrame: number, channels: readonly number[] | undefined): never {
    const width = channels?.length ?? this.num_channels;
    const frame = startFrame + Math.floor(i / width);
    const index = channels?.[i % width] ?? i % width;
    const what = Number.isNaN(t[i]) ? 'NaN' : String(t[i]);
    throw new InvalidRecordingError(
      `${this.source_path}: sample at frame ${frame} (${(frame / this.sampling_frequency).toFixed(4)} s), channel ${this.channel_ids[index]} is ${what}; ` +
        'a recording must hold finite values only (replace or cut the damaged range, e.g. with start_time_s / rec_chunks)',
      { path: this.source_path, field: 'samples', expected: 'finite values' },
    );
  }
}
