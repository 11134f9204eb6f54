/** Per-request plumbing shared by the activities: layout, logger, fingerprints. */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { RecordingNotFoundError } from '../errors/taxonomy';
import { recordingLayout } from '../pipeline/layout';
import type { RecordingLayout } from '../pipeline/layout';
import { canonicalDigest } from '../config/hash';
import { fileDigest } from '../pipeline/manifest';
import { listRecordingFiles } from '../io/directory';
import { recordingKind } from '../io/open';
import { sidecarCandidates } from '../io/raw_binary';
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
  // A session directory is the ordered list of its recording files: adding, removing or
  // changing one of them changes what gets sorted.
  const files = statSync(recPath).isDirectory() ? listRecordingFiles(recPath) : [recPath];
  const parts = files.map((f) => ({ name: basename(f), size: statSync(f).size, digest: fileDigest(f) }));
  // A raw binary's sidecar says how to read its bytes: editing it changes the recording.
  const sidecars = recordingKind(recPath) === 'binary' ? sidecarCandidates(recPath).filter((p) => existsSync(p)).map(fileDigest) : [];
  if (parts.length === 1 && files[0] === recPath && sidecars.length === 0) return canonicalDigest({ size: parts[0].size, digest: parts[0].digest });
  return canonicalDigest({ files: parts, sidecars });
}
