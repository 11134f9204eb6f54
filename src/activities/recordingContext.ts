/** Per-request plumbing shared by the activities: layout, logger, fingerprints. */
import { existsSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { RecordingNotFoundError } from '../errors/taxonomy';
import { recordingLayout } from '../pipeline/layout';
import type { RecordingLayout } from '../pipeline/layout';
import { canonicalDigest } from '../config/hash';
import { fileDigest } from '../pipeline/manifest';
import { recordingLogger } from '../reporting/logger';
import type { RecordingJob } from '../workflows/types';

export function layoutOf(job: RecordingJob): RecordingLayout {
  return recordingLayout(job.rec_path, job.config.sorter.sorter_name, job.intermediate_folder, job.results_folder);
}

export function loggerOf(layout: RecordingLayout, stage: string): Logger {
  return recordingLogger(layout.results, { rec_name: layout.rec_name, stage });
}

/** Identity of the input recording: content-based, so a copied or touched file is still "the same". */
export function recordingFingerprint(recPath: string): string {
  if (!existsSync(recPath)) throw new RecordingNotFoundError(`Recording not found: ${recPath} (check the path and that its volume is mounted)`, { path: recPath });
  const st = statSync(recPath);
  if (st.isDirectory()) throw new RecordingNotFoundError(`${recPath} is a directory; directory concatenation is not supported yet, pass the .raw.h5 files`, { path: recPath });
  return canonicalDigest({ size: st.size, digest: fileDigest(recPath) });
}
