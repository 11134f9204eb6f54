/**
 * Which frames of a loaded recording get sorted (pipeline spec §3.6): one time range, or
 * several frame / time ranges joined in order, after the `first_n_mins` cut, plus the
 * `mea_y_max` flip of channel y. Joined ranges and concatenated files become *chunks* whose
 * boundaries are cumulative in the result (the reference's original-position boundaries
 * are a quirk we fix), so spike times split back per chunk.
 */
import { basename } from 'node:path';
import { InvalidRecordingError } from '../errors';
import { type RecordingChunk, concatenateRecordings } from './concat';
import { DerivedRecording, type Recording } from './recording';
import { frameSlice, roundHalfEven, sliceFrames } from './slice';

export interface RecordingSelection {
  start_time_s?: number | null;
  end_time_s?: number | null;
  first_n_mins?: number | null;
  rec_chunks?: readonly (readonly [number, number])[];
  rec_chunks_s?: readonly (readonly [number, number])[];
  mea_y_max?: number | null;
}

export interface SelectedRecording {
  recording: Recording;
  /** Chunk boundaries in the result's frames; empty when it is one piece. */
  chunks: RecordingChunk[];
  /** The input's frames [start, end) the result holds, in order. */
  source_ranges: [number, number][];
}

function invalid(path: string, message: string, field: string, expected: string): InvalidRecordingError {
  return new InvalidRecordingError(`${message} (${path})`, { path, field, expected });
}

/** `rec_chunks_s` in frames, each entry checked before anything is cut (spec §3.6 step 1). */
function timeChunksToFrames(path: string, ranges: readonly (readonly [number, number])[], fs: number): [number, number][] {
  return ranges.map(([s, e], i) => {
    if (!(Number.isFinite(s) && Number.isFinite(e) && s >= 0 && s < e)) {
      throw invalid(path, `Invalid chunk in rec_chunks_s: entry ${i} is [${s}, ${e}]; expected 0 <= start < end (seconds)`,
        'rec_chunks_s', '0 <= start < end');
    }
    return [roundHalfEven(s * fs), roundHalfEven(e * fs)];
  });
}

function checkFrameChunks(path: string, ranges: readonly (readonly [number, number])[], numFrames: number, field: string): void {
  ranges.forEach(([s, e], i) => {
    if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && s < e)) {
      throw invalid(path, `Invalid chunk in ${field}: entry ${i} is [${s}, ${e}]; expected integer frames 0 <= start < end`,
        field, '0 <= start < end');
    }
    if (e > numFrames) {
      throw invalid(path, `Invalid chunk in ${field}: entry ${i} [${s}, ${e}) (frames) ends past the recording's ${numFrames} frames`,
        field, `end <= ${numFrames} frames`);
    }
  });
}

/** Input chunks cut to the first `numFrames` frames (a `first_n_mins` cut of a concatenation). */
function clipChunks(chunks: readonly RecordingChunk[], numFrames: number): RecordingChunk[] {
  return chunks
    .filter((c) => c.start_frame < numFrames)
    .map((c) => ({ ...c, end_frame: Math.min(c.end_frame, numFrames) }));
}

export function selectRecording(rec: Recording, sel: RecordingSelection, inputChunks: readonly RecordingChunk[] = []): SelectedRecording {
  const path = rec.source_path;
  const frameRanges = sel.rec_chunks ?? [];
  const timeRanges = sel.rec_chunks_s ?? [];
  const hasTimeRange = sel.start_time_s != null || sel.end_time_s != null;
  if (frameRanges.length > 0 && (timeRanges.length > 0 || hasTimeRange)) {
    throw invalid(path, "Cannot combine frame-based 'rec_chunks' with time-based ranges (rec_chunks_s, start_time_s/end_time_s)",
      'rec_chunks', '[] when time-based ranges are set');
  }
  if (timeRanges.length > 0 && hasTimeRange) {
    throw invalid(path, "Cannot combine 'rec_chunks_s' with start_time_s/end_time_s: give the ranges in one of them",
      'rec_chunks_s', '[] when start_time_s/end_time_s are set');
  }
  const timeFrames = timeChunksToFrames(path, timeRanges, rec.sampling_frequency);

  const { recording: base, range: baseRange } = sliceFrames(rec, { start_time_s: sel.start_time_s, end_time_s: sel.end_time_s, first_n_mins: sel.first_n_mins });
  const ranges = timeRanges.length > 0 ? timeFrames : frameRanges;
  let selected: SelectedRecording;
  if (ranges.length > 0) {
    checkFrameChunks(path, ranges, base.num_frames, timeRanges.length > 0 ? 'rec_chunks_s' : 'rec_chunks');
    const names = ranges.map(([s, e]) => `${basename(path)}[${s}:${e}]`);
    const joined = concatenateRecordings(ranges.map(([s, e]) => frameSlice(base, s, e)), path, names);
    // Ranges only ever combine with first_n_mins, whose cut starts at the input's frame 0.
    selected = { recording: joined, chunks: ranges.length >= 2 ? [...joined.chunks] : [], source_ranges: ranges.map(([s, e]) => [s, e]) };
  } else {
    const chunks = hasTimeRange ? [] : clipChunks(inputChunks, base.num_frames);
    selected = { recording: base, chunks: chunks.length >= 2 ? chunks : [], source_ranges: [baseRange] };
  }
  if (sel.mea_y_max != null) selected.recording = new FlippedYRecording(selected.recording, sel.mea_y_max);
  return selected;
}

/** Channel y mirrored (spec §1.1 `mea_y_max`): −1 → max(y) − y, any other v → v − y. */
class FlippedYRecording extends DerivedRecording {
  readonly num_frames: number;
  override readonly locations: readonly (readonly [number, number])[];

  constructor(parent: Recording, meaYMax: number) {
    super(parent);
    this.num_frames = parent.num_frames;
    const top = meaYMax === -1 ? Math.max(...parent.locations.map((l) => l[1])) : meaYMax;
    this.locations = parent.locations.map(([x, y]): readonly [number, number] => [x, top - y]);
    this.forwardChannelMajor(0);
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    return this.parent.getTraces(startFrame, endFrame, channels);
  }
}
