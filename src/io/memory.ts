/**
 * A Recording over traces already in memory (frame-major µV). For tests, small fixtures
 * and synthetic inputs; real sources stream from disk.
 */
import { checkFrameRange } from './frame_range';
import { type Recording, checkChannelIndices, pickChannels } from './recording';

export interface MemoryRecordingMeta {
  sampling_frequency: number;
  num_channels: number;
  channel_ids?: readonly string[];
  locations?: readonly (readonly [number, number])[];
  electrodes?: readonly number[] | null;
  source_path?: string;
}

export function memoryRecording(traces: Float32Array, meta: MemoryRecordingMeta): Recording {
  const nch = meta.num_channels;
  if (!Number.isInteger(nch) || nch < 1 || traces.length % nch !== 0) {
    throw new RangeError(`memoryRecording: ${traces.length} samples do not divide into ${nch} channels`);
  }
  const source = meta.source_path ?? '<memory>';
  const numFrames = traces.length / nch;
  return {
    source_path: source,
    sampling_frequency: meta.sampling_frequency,
    num_channels: nch,
    num_frames: numFrames,
    channel_ids: meta.channel_ids ?? Array.from({ length: nch }, (_, i) => String(i)),
    locations: meta.locations ?? Array.from({ length: nch }, (_, i): readonly [number, number] => [0, i]),
    electrodes: meta.electrodes ?? null,
    getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
      checkFrameRange(source, numFrames, startFrame, endFrame);
      if (channels !== undefined) checkChannelIndices({ source_path: source, num_channels: nch }, channels);
      return pickChannels(traces.slice(startFrame * nch, endFrame * nch), nch, channels);
    },
    close(): void { /* nothing held */ },
  };
}
