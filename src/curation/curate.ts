/**
 * Curation with its on-disk cache (waveforms_curation §3.5–§3.6, pipeline §2.5).
 *
 * - `curate`: the reference's single combined pass, written to the folder given
 *   (the pipeline passes `<inter>/curation/first`).
 * - `curateFirst` / `curateSecond`: the same criteria as two stages (everything but
 *   std-norm, then std-norm on the survivors), for a pipeline that runs them as separate
 *   activities into `curation/first` and `curation/second`. See `splitCriteria` for why
 *   the final set is the same.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy, npyToNumbers, readNpy } from '../io/npy';
import { writeFileAtomic } from '../util/fsx';
import { int64Array } from '../waveforms/npy-files';
import { applyCriteria, unitIdsOf, type CurationInput } from './apply';
import { curationCacheKey } from './cache-key';
import { criteriaFromConfig, splitCriteria, type CriteriaMap, type CurationParams } from './criteria';
import { historyJson, parseHistory, type CurationHistory } from './history';

export interface CurateOptions {
  /** Recompute and overwrite even when the cache matches (recurate_first / recurate_second). */
  readonly force?: boolean;
}

export interface CurationResult {
  /** Curated unit ids, in input order. */
  readonly curated_ids: number[];
  readonly history: CurationHistory;
  readonly cache_hit: boolean;
  /** Files written (empty on a cache hit). */
  readonly files: string[];
}

export const UNIT_IDS_FILE = 'unit_ids.npy';
export const HISTORY_FILE = 'curation_history.json';

/** `Curation: <before> -> <after> units (<removed> removed)`: the report parses this line. */
export function curationLogLine(before: number, after: number): string {
  return `Curation: ${before} -> ${after} units (${before - after} removed)`;
}

/** int64 ids; an empty result is float64 of shape (0,) as NumPy writes an empty list. */
function encodeUnitIds(ids: readonly number[]): Buffer {
  return ids.length === 0 ? encodeNpy(new Float64Array(0)) : encodeNpy(int64Array(ids));
}

function readCache(folder: string, key: string): { history: CurationHistory; ids: number[] } | null {
  const idsPath = join(folder, UNIT_IDS_FILE);
  const histPath = join(folder, HISTORY_FILE);
  if (!existsSync(idsPath) || !existsSync(histPath)) return null;
  try {
    const history = parseHistory(readFileSync(histPath, 'utf8'));
    // A legacy history without a key, or one for other inputs, is a miss.
    if (history.__cache_key__ !== key) return null;
    return { history, ids: npyToNumbers(readNpy(idsPath)) };
  } catch {
    return null;
  }
}

/** Runs one criteria map with the cache in `folder`. */
export function curateWithCriteria(input: CurationInput, criteria: CriteriaMap, folder: string, opts: CurateOptions = {}): CurationResult {
  const ids = unitIdsOf(input);
  const key = curationCacheKey(criteria, ids);
  if (!opts.force) {
    const cached = readCache(folder, key);
    if (cached !== null) {
      const keep = new Set(cached.ids);
      return { curated_ids: ids.filter((id) => keep.has(id)), history: cached.history, cache_hit: true, files: [] };
    }
  }
  const history: CurationHistory = { ...applyCriteria(input, criteria), __cache_key__: key };
  mkdirSync(folder, { recursive: true });
  const idsPath = join(folder, UNIT_IDS_FILE);
  const histPath = join(folder, HISTORY_FILE);
  writeFileAtomic(idsPath, encodeUnitIds(history.curated_final));
  // History last: with its key it is the cache's validity marker.
  writeFileAtomic(histPath, historyJson(history));
  return { curated_ids: [...history.curated_final], history, cache_hit: false, files: [idsPath, histPath] };
}

/** The reference's single pass with the combined criteria (§3.1). */
export function curate(input: CurationInput, params: CurationParams, folder: string, opts: CurateOptions = {}): CurationResult {
  return curateWithCriteria(input, criteriaFromConfig(params), folder, opts);
}

/** Stage 1: every criterion except std-norm (min_spikes already resolved as in §3.1). */
export function curateFirst(input: CurationInput, params: CurationParams, folder: string, opts: CurateOptions = {}): CurationResult {
  return curateWithCriteria(input, splitCriteria(criteriaFromConfig(params)).first, folder, opts);
}

/** Stage 2: std-norm only; `survivors` must be the units stage 1 kept. */
export function curateSecond(survivors: CurationInput, params: CurationParams, folder: string, opts: CurateOptions = {}): CurationResult {
  return curateWithCriteria(survivors, splitCriteria(criteriaFromConfig(params)).second, folder, opts);
}

/** The history the combined pass would have produced, from the two stage histories (no cache key). */
export function mergeHistories(first: CurationHistory, second: CurationHistory): CurationHistory {
  return {
    curation_parameters: { ...first.curation_parameters, ...second.curation_parameters },
    initial: first.initial,
    curations: [...first.curations, ...second.curations],
    curated: { ...first.curated, ...second.curated },
    failed: { ...first.failed, ...second.failed },
    metrics: { ...first.metrics, ...second.metrics },
    curated_final: second.curated_final,
  };
}

export interface TwoStageOptions {
  readonly force_first?: boolean;
  readonly force_second?: boolean;
}

/**
 * Both stages in one call, into `<root>/first` and `<root>/second`. Re-running stage 1
 * forces stage 2 (its input may have changed), as `recurate_first` deletes both folders.
 */
export function curateTwoStage(input: CurationInput, params: CurationParams, curationRoot: string, opts: TwoStageOptions = {}): { first: CurationResult; second: CurationResult; curated_ids: number[]; history: CurationHistory } {
  const first = curateFirst(input, params, join(curationRoot, 'first'), { force: opts.force_first });
  const keep = new Set(first.curated_ids);
  const ids = unitIdsOf(input);
  const survivors: CurationInput = { ...input, units: input.units.filter((_, i) => keep.has(ids[i])) };
  const second = curateSecond(survivors, params, join(curationRoot, 'second'), { force: opts.force_second || !first.cache_hit });
  return { first, second, curated_ids: second.curated_ids, history: mergeHistories(first.history, second.history) };
}
