/**
 * Opening a file for `inspect`: which stream to show when the file has several (the first,
 * where the pipeline would refuse to guess), and the reader's SourceInfo, with a minimal
 * stand-in for readers that do not report one, so inspect runs on every format.
 */
import { type OpenRecordingOptions, listRecordingStreams, openRecording, recordingKind } from './open';
import type { Recording, RecordingFormat, SourceInfo } from './recording';

export interface InspectTarget {
  readonly recording: Recording;
  readonly source_info: SourceInfo;
  /** `reader`: the Recording reported it; `inspect`: the stand-in of sourceInfoFallback. */
  readonly source_info_from: 'reader' | 'inspect';
  /** Why this stream is shown when the caller did not choose one among several. */
  readonly stream_note: string | null;
}

/** Opens `path` for inspection; the caller closes `recording`. */
export async function openForInspect(path: string, opts: OpenRecordingOptions = {}): Promise<InspectTarget> {
  let streamId = opts.stream_id ?? null;
  let note: string | null = null;
  if (streamId === null) {
    const streams = (await listRecordingStreams(path))?.streams ?? [];
    if (streams.length > 1) {
      streamId = streams[0];
      note = `first of ${streams.length} streams`;
    }
  }
  const recording = await openRecording(path, { ...opts, stream_id: streamId });
  const reported = recording.source_info;
  return reported !== undefined
    ? { recording, source_info: reported, source_info_from: 'reader', stream_note: note }
    : { recording, source_info: sourceInfoFallback(path, { ...opts, stream_id: streamId }), source_info_from: 'inspect', stream_note: note };
}

/**
 * What inspect can say about a source whose reader does not fill `source_info`: the format
 * only. The dtype is unknown (so no saturation check) and frame gaps are not looked for.
 */
export function sourceInfoFallback(path: string, opts: OpenRecordingOptions): SourceInfo {
  const kind = recordingKind(path);
  const format: RecordingFormat = kind === 'directory' ? 'concatenation' : kind ?? 'memory';
  return {
    format,
    dtype: 'unknown',
    gain_to_uv: [],
    offset_to_uv: [],
    stream_id: opts.stream_id ?? null,
    streams: [],
    details: { frame_gaps_checked: false },
    frame_gaps: [],
  };
}
