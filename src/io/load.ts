/**
 * From a path and the recording config to the exact traces the sorter gets, before filtering:
 * open (any format, or a session directory), select frames, flip y, refuse non-finite samples.
 * The load stage and `spikelab preprocess` share it, so both see the same recording.
 */
import type { RecordingChunk } from './concat';
import { requireFiniteSamples } from './finite';
import { type OpenRecordingOptions, isConcatenated, openRecording } from './open';
import type { Recording } from './recording';
import { type RecordingSelection, selectRecording } from './selection';

export type LoadOptions = OpenRecordingOptions & RecordingSelection;

export interface LoadedRecording {
  /** The file (or joined files) as stored, in µV; close it when done. */
  source: Recording;
  /** The frames to sort: sliced, joined, y-flipped, finite-checked. Reads through `source`. */
  selected: Recording;
  /** Parts of `selected` (concatenated files, joined ranges); empty when one piece. */
  chunks: RecordingChunk[];
  /** Frames [start, end) of `source` that `selected` holds, in order. */
  source_ranges: [number, number][];
  /** Non-fatal findings (differing channel ids between concatenated files, …). */
  warnings: string[];
}

export async function loadRecording(path: string, opts: LoadOptions = {}): Promise<LoadedRecording> {
  const source = await openRecording(path, opts);
  try {
    const joined = isConcatenated(source);
    const { recording, chunks, source_ranges } = selectRecording(source, opts, joined ? source.chunks : []);
    return { source, selected: requireFiniteSamples(recording), chunks, source_ranges, warnings: joined ? [...source.warnings] : [] };
  } catch (err) {
    source.close();
    throw err;
  }
}
