/**
 * `sort_multistream` (pipeline spec §2.9): one sort per stream (MaxTwo well) of a file or
 * session directory, each with its own folders, after checking every requested stream exists.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { SortingPipelineConfig } from '../config';
import { override } from '../config';
import { listRecordingStreams } from '../io/open';
import { recordingStem } from '../pipeline/layout';
import type { RecordingJob } from '../workflows/types';
import { JobSpecError } from './jobs';

/** `all` expands to every stream of the (first) file. */
export type StreamRequest = readonly string[] | 'all';

export async function buildMultistreamJobs(path: string, request: StreamRequest, config: SortingPipelineConfig): Promise<RecordingJob[]> {
  if (config.recording.stream_id !== null) {
    throw new JobSpecError(`Do not pass 'stream_id' to a multistream sort (got ${config.recording.stream_id}): it is set per stream from the stream list`);
  }
  const recPath = resolve(path);
  const listed = await listRecordingStreams(recPath);
  let ids: readonly string[];
  if (request === 'all') {
    if (listed === null) throw new JobSpecError(`${recPath}: this format has no streams to expand 'all' into; name the streams`);
    ids = listed.streams;
  } else {
    ids = request;
    if (listed !== null) {
      const missing = ids.filter((s) => !listed.streams.includes(s));
      if (missing.length > 0) {
        throw new JobSpecError(`Stream ID(s) [${missing.join(', ')}] not found in ${basename(listed.file)}. Available streams: [${listed.streams.join(', ')}]`);
      }
    }
  }
  if (ids.length === 0) throw new JobSpecError(`${recPath}: no streams to sort`);
  if (new Set(ids).size !== ids.length) throw new JobSpecError(`stream ids repeat: [${ids.join(', ')}]; give each stream once`);
  const base = statSync(recPath).isDirectory() ? recPath : dirname(recPath);
  const sorter = config.sorter.sorter_name;
  // Quirk fix: the reference names folders after the stream only (and a timestamp), so two
  // files of one directory collide; the recording's stem keeps them apart and resumable.
  const stem = recordingStem(recPath);
  return ids.map((sid) => ({
    rec_path: recPath,
    intermediate_folder: join(base, `inter_${sorter}_${stem}_${sid}`),
    results_folder: join(base, `sorted_${sorter}_${stem}_${sid}`),
    config: override(config, { stream_id: sid }),
  }));
}
