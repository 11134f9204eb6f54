/**
 * Curation cache key (waveforms_curation §3.6): SHA-256 of the canonical JSON
 * `{"kwargs": <criteria>, "unit_ids": <sorted ids>}` with sorted keys and Python float
 * spelling. Same text as the reference, so a key computed here matches one it wrote.
 *
 * Parity: the key covers ids and thresholds only, not metric values (the reference's
 * quirk); a re-sort with the same cluster ids reuses the cached curated set. The pipeline
 * invalidates curation when extraction reruns (recurate / reextract flags, manifests).
 */
import { createHash } from 'node:crypto';
import type { CriteriaMap } from './criteria';
import { criteriaToPy } from './history';
import { dumpsPython } from '../util/pythonJson';

export function cacheKeyText(criteria: CriteriaMap, unitIds: readonly number[]): string {
  const ids = [...unitIds].sort((a, b) => a - b);
  return dumpsPython({ kwargs: criteriaToPy(criteria), unit_ids: ids }, { sortKeys: true });
}

export function curationCacheKey(criteria: CriteriaMap, unitIds: readonly number[]): string {
  return createHash('sha256').update(cacheKeyText(criteria, unitIds), 'utf8').digest('hex');
}
