/**
 * Kilosort4 failure classifier (guards spec §2, KS4 column of §2.2):
 * HDF5 → Docker → GPU OOM (over the haystack = chain text + log text) → insufficient
 * activity (over the chain text only, never the log).
 *
 * For the host runner the "chain text" is the child's error chain (the runner prints the
 * Python exception's cause/context messages on a `SPIKELAB_ERROR` line) plus the child's
 * stderr (the traceback), see `run.ts`.
 */
import { join } from 'node:path';
import { InsufficientActivityError, SpikeSortingClassifiedError } from '../../errors';
import { classifyEnvironmentOrResource, errorChainText, haystackOf, readClassifierLog } from '../classify_common';

export type Ks4ActivitySignature = 'svd' | 'kmeans' | 'kmeans_loose' | 'no_spikes';

export interface Ks4ActivityMatch {
  signature: Ks4ActivitySignature;
  /** The sample count in the message (SVD: clips found; KMeans: n_samples). */
  units_at_failure: number;
  evidence: string;
}

const SVD = /Found array with\s+(\d+)\s+sample\(s\)[\s\S]*?required by TruncatedSVD/;
const KMEANS = /n_samples=(\d+)\s+should be\s+>=\s+n_clusters=(\d+)/;
const KMEANS_LOOSE = /n_samples=(\d+)[\s\S]{0,200}?n_clusters=(\d+)/;
/**
 * Extension beyond the spec: Kilosort4 4.1.x raises `ValueError('No spikes detected, cannot
 * continue sorting.')` when template matching finds nothing although the template-learning
 * pass found clips. Same meaning (nothing to sort), so same class, with 0 samples.
 */
const NO_SPIKES = /No spikes detected, cannot continue sorting/;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 297)}...` : one;
}

/** KS4 insufficient-activity signatures, SVD first, then strict KMeans, then the looser KMeans wording. */
export function matchKilosort4InsufficientActivity(chainText: string): Ks4ActivityMatch | null {
  const svd = SVD.exec(chainText);
  if (svd !== null) return { signature: 'svd', units_at_failure: Number(svd[1]), evidence: clip(svd[0]) };
  const km = KMEANS.exec(chainText);
  if (km !== null) return { signature: 'kmeans', units_at_failure: Number(km[1]), evidence: clip(km[0]) };
  const loose = KMEANS_LOOSE.exec(chainText);
  if (loose !== null) return { signature: 'kmeans_loose', units_at_failure: Number(loose[1]), evidence: clip(loose[0]) };
  const none = NO_SPIKES.exec(chainText);
  if (none !== null) return { signature: 'no_spikes', units_at_failure: 0, evidence: none[0] };
  return null;
}

export interface Ks4FailureText {
  /** Messages of the failure's cause chain (and, for the child process, its stderr). */
  chain_text: string;
  /** Kilosort4's log text, or null when there is none. */
  log_text: string | null;
  /** The log to point the operator at (the tee log for the host runner). */
  log_path: string | null;
  cause?: unknown;
}

/** Pure classifier: a classified error, or null (the caller keeps the original failure). */
export function classifyKilosort4Failure(f: Ks4FailureText): SpikeSortingClassifiedError | null {
  const ctx = { sorter: 'kilosort4' as const, log_path: f.log_path, cause: f.cause };
  const head = classifyEnvironmentOrResource(haystackOf(f.chain_text, f.log_text), ctx);
  if (head !== null) return head;
  const act = matchKilosort4InsufficientActivity(f.chain_text);
  if (act === null) return null;
  return new InsufficientActivityError(
    `kilosort4 found too little activity to sort (${act.units_at_failure} sample(s) where more were required: ${act.evidence})` +
      (f.log_path === null ? '' : `; inspect ${f.log_path}`),
    { sorter: 'kilosort4', units_at_failure: act.units_at_failure, log_path: f.log_path },
    { cause: f.cause },
  );
}

/** Where Kilosort4's own log is looked for (first regular file wins). */
export function kilosort4LogCandidates(outputFolder: string): string[] {
  return [join(outputFolder, 'kilosort4.log'), join(outputFolder, 'sorter_output', 'kilosort4.log')];
}

/**
 * Classifies a caught error against the output folder's Kilosort4 log (spec §2 inputs).
 * An error that is already classified is returned unchanged (spec §2.3: pass through).
 */
export function classifyKilosort4Error(
  outputFolder: string,
  err: unknown,
  logPath: string | null = null,
): SpikeSortingClassifiedError | null {
  if (err instanceof SpikeSortingClassifiedError) return err;
  const log = readClassifierLog(kilosort4LogCandidates(outputFolder));
  return classifyKilosort4Failure({
    chain_text: errorChainText(err),
    log_text: log?.text ?? null,
    log_path: logPath ?? log?.path ?? null,
    cause: err,
  });
}
