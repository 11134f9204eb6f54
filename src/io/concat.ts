/**
 * Several recordings as one (pipeline spec §3.5, §2.8): frames of file i follow those of
 * file i − 1, so one sort covers a whole session (compile splits its spike times back per file).
 * Channel count and sampling rate must agree (else the sort would mix channels or times);
 * differing channel ids or locations only warn, as in the reference.
 */
import { basename } from 'node:path';
import { InvalidRecordingError } from '../errors';
import { checkFrameRange } from './frame_range';
import type { Recording, SourceInfo } from './recording';

/** One source's frames inside the joined recording: [start_frame, end_frame). */
export interface RecordingChunk {
  name: string;
  start_frame: number;
  end_frame: number;
}

export interface ConcatenatedRecording extends Recording {
  readonly chunks: readonly RecordingChunk[];
  /** Non-fatal differences between the parts (ids, locations), for the log. */
  readonly warnings: readonly string[];
}

function sameLocations(a: Recording, b: Recording): boolean {
  return a.locations.every((l, i) => l[0] === b.locations[i][0] && l[1] === b.locations[i][1]);
}

/**
 * Joins `parts` in order. Takes ownership: closing the result closes every part, and a
 * refused join closes them too, so callers never leak file handles on bad input.
 */
export function concatenateRecordings(parts: readonly Recording[], sourcePath: string, names?: readonly string[]): ConcatenatedRecording {
  if (parts.length === 0) {
    throw new InvalidRecordingError(`${sourcePath}: nothing to concatenate`, { path: sourcePath, field: 'files', expected: 'at least one recording' });
  }
  const first = parts[0];
  const warnings: string[] = [];
  try {
    for (const rec of parts.slice(1)) {
      if (rec.num_channels !== first.num_channels) {
        throw new InvalidRecordingError(
          `Cannot concatenate: ${rec.source_path} has ${rec.num_channels} channels but ${first.source_path} has ${first.num_channels}.`,
          { path: rec.source_path, field: 'num_channels', expected: `${first.num_channels} channels, as in ${first.source_path}` },
        );
      }
      if (rec.sampling_frequency !== first.sampling_frequency) {
        throw new InvalidRecordingError(
          `Cannot concatenate: ${rec.source_path} has sampling frequency ${rec.sampling_frequency} Hz but ${first.source_path} has ${first.sampling_frequency} Hz.`,
          { path: rec.source_path, field: 'sampling_frequency', expected: `${first.sampling_frequency} Hz, as in ${first.source_path}` },
        );
      }
      if (rec.channel_ids.some((id, i) => id !== first.channel_ids[i])) {
        warnings.push(`${rec.source_path} has different channel ids than ${first.source_path}; using the first file's`);
      }
      if (!sameLocations(rec, first)) {
        warnings.push(`${rec.source_path} has different channel locations than ${first.source_path}; using the first file's`);
      }
    }
  } catch (err) {
    for (const p of parts) p.close();
    throw err;
  }
  return new JoinedRecording(parts, sourcePath, names ?? parts.map((p) => basename(p.source_path)), warnings);
}

class JoinedRecording implements ConcatenatedRecording {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[] | null;
  readonly source_info: SourceInfo | undefined;
  readonly chunks: readonly RecordingChunk[];
  /** Only when every part has one. */
  readonly getTracesChannelMajor?: (startFrame: number, endFrame: number, channels?: readonly number[]) => Float32Array;

  constructor(
    private readonly parts: readonly Recording[],
    readonly source_path: string,
    names: readonly string[],
    readonly warnings: readonly string[],
  ) {
    const first = parts[0];
    this.sampling_frequency = first.sampling_frequency;
    this.num_channels = first.num_channels;
    this.channel_ids = first.channel_ids;
    this.locations = first.locations;
    this.electrodes = first.electrodes;
    let start = 0;
    this.chunks = parts.map((p, i) => {
      const chunk = { name: names[i], start_frame: start, end_frame: start + p.num_frames };
      start = chunk.end_frame;
      return chunk;
    });
    this.num_frames = start;
    const info = first.source_info;
    this.source_info = info === undefined ? undefined : {
      ...info,
      format: 'concatenation',
      details: { ...info.details, parts_format: info.format, n_files: parts.length },
      frame_gaps: [],
    };
    if (parts.every((p) => p.getTracesChannelMajor !== undefined)) this.getTracesChannelMajor = this.channelMajor.bind(this);
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    const width = channels?.length ?? this.num_channels;
    const out = new Float32Array((endFrame - startFrame) * width);
    for (let i = 0; i < this.parts.length; i++) {
      const { start_frame: s, end_frame: e } = this.chunks[i];
      const lo = Math.max(startFrame, s);
      const hi = Math.min(endFrame, e);
      if (lo >= hi) continue;
      out.set(this.parts[i].getTraces(lo - s, hi - s, channels), (lo - startFrame) * width);
    }
    return out;
  }

  /** Joined rows: each part's channel-major block lands row by row at its frames. */
  private channelMajor(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    const width = channels?.length ?? this.num_channels;
    const total = endFrame - startFrame;
    let out: Float32Array | null = null;
    for (let i = 0; i < this.parts.length; i++) {
      const { start_frame: s, end_frame: e } = this.chunks[i];
      const lo = Math.max(startFrame, s);
      const hi = Math.min(endFrame, e);
      if (lo >= hi) continue;
      const part = this.parts[i];
      const block = (part.getTracesChannelMajor as NonNullable<Recording['getTracesChannelMajor']>).call(part, lo - s, hi - s, channels);
      const n = hi - lo;
      // Inside one part: that part's block is the answer.
      if (n === total) return block;
      out ??= new Float32Array(total * width);
      for (let j = 0; j < width; j++) out.set(block.subarray(j * n, (j + 1) * n), j * total + (lo - startFrame));
    }
    return out ?? new Float32Array(0);
  }

  close(): void {
    for (const p of this.parts) p.close();
  }
}
