/**
 * What the load stage records about the preprocessed recording, so later stages (possibly in
 * another process, after a crash) can reopen the sorter binary without the source file.
 */
import { readFileSync } from 'node:fs';
import { InvalidRecordingError } from '../../errors/taxonomy';
import { openInt16Binary } from '../../io/binary';
import type { RecordingChunk } from '../../io/concat';
import type { Recording } from '../../io/recording';
import { writeJsonAtomic } from '../../util/fsx';

export interface RecordingMeta {
  readonly source_path: string;
  readonly stream_id: string | null;
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly num_frames: number;
  /** Frame of the source where the sorted range starts (time slicing). */
  readonly source_start_frame: number;
  readonly source_num_frames: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[] | null;
  readonly freq_min: number;
  readonly freq_max: number;
  /** File name of the int16 µV binary beside this file. */
  readonly binary: string;
  readonly dtype: 'int16';
  /** Parts of the sorted frames (concatenated files, joined ranges); empty when one piece. */
  readonly chunks?: readonly RecordingChunk[];
}

export function writeRecordingMeta(path: string, meta: RecordingMeta): void {
  writeJsonAtomic(path, meta);
}

export function readRecordingMeta(path: string): RecordingMeta {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RecordingMeta;
  } catch (err) {
    throw new InvalidRecordingError(`cannot read the load stage's ${path}: ${(err as Error).message}; rerun with --recompute-recording`, { path, field: null, expected: 'recording_meta.json written by the load stage' });
  }
}

/** The preprocessed (filtered, µV) recording as the sorter sees it. */
export function openPreprocessed(binaryPath: string, meta: RecordingMeta): Recording {
  return openInt16Binary(binaryPath, {
    sampling_frequency: meta.sampling_frequency,
    num_channels: meta.num_channels,
    channel_ids: meta.channel_ids,
    locations: meta.locations,
    electrodes: meta.electrodes,
  });
}
