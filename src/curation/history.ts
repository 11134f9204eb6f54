/**
 * The curation history (waveforms_curation §3.5): what entered each criterion, what
 * passed or failed, and every metric value. Written as `curation_history.json` in
 * Python's JSON dialect so a Python reader (and the reference's cache check) sees the
 * same text, including bare `Infinity` for an infinite std-norm.
 */
import { FLOAT_CRITERIA, type CriteriaMap } from './criteria';
import { dumpsPython, parsePythonJson, pyFloat, type PyJsonValue } from '../util/pythonJson';

export type CriterionName = 'spike_count' | 'firing_rate' | 'isi_violation' | 'snr' | 'std_norm';

export interface CurationHistory {
  readonly curation_parameters: CriteriaMap;
  /** Unit ids in input order. */
  readonly initial: readonly number[];
  /** Criterion names in the order applied. */
  readonly curations: readonly string[];
  readonly curated: Readonly<Record<string, readonly number[]>>;
  readonly failed: Readonly<Record<string, readonly number[]>>;
  /** criterion → (decimal id string → value), for the units that entered that criterion. */
  readonly metrics: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly curated_final: readonly number[];
  readonly __cache_key__?: string;
}

/** The criteria map with Python types: floats as floats, `min_spikes` as an int when integral. */
export function criteriaToPy(m: CriteriaMap): { [key: string]: PyJsonValue } {
  const out: { [key: string]: PyJsonValue } = {};
  for (const [k, v] of Object.entries(m) as [keyof CriteriaMap, string | number | undefined][]) {
    if (v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else out[k] = FLOAT_CRITERIA.has(k) ? pyFloat(v) : v;
  }
  return out;
}

function idLists(r: Readonly<Record<string, readonly number[]>>): { [key: string]: PyJsonValue } {
  const out: { [key: string]: PyJsonValue } = {};
  for (const [k, ids] of Object.entries(r)) out[k] = [...ids];
  return out;
}

export function historyToPy(h: CurationHistory): { [key: string]: PyJsonValue } {
  const metrics: { [key: string]: PyJsonValue } = {};
  for (const [name, values] of Object.entries(h.metrics)) {
    const row: { [key: string]: PyJsonValue } = {};
    for (const [id, v] of Object.entries(values)) row[id] = pyFloat(v);
    metrics[name] = row;
  }
  const out: { [key: string]: PyJsonValue } = {
    curation_parameters: criteriaToPy(h.curation_parameters),
    initial: [...h.initial],
    curations: [...h.curations],
    curated: idLists(h.curated),
    failed: idLists(h.failed),
    metrics,
    curated_final: [...h.curated_final],
  };
  if (h.__cache_key__ !== undefined) out.__cache_key__ = h.__cache_key__;
  return out;
}

export function historyJson(h: CurationHistory): string {
  return dumpsPython(historyToPy(h), { indent: 2 });
}

// ---- reading a cached history back ---------------------------------------------------------

export class CurationHistoryFormatError extends Error {
  constructor(detail: string) {
    super(`curation history does not have the expected shape: ${detail}`);
    this.name = 'CurationHistoryFormatError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numbers(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw new CurationHistoryFormatError(`${what} is not a list of numbers`);
  return v as number[];
}

function idMap(v: unknown, what: string): Record<string, number[]> {
  if (!isRecord(v)) throw new CurationHistoryFormatError(`${what} is not an object`);
  const out: Record<string, number[]> = {};
  for (const [k, ids] of Object.entries(v)) out[k] = numbers(ids, `${what}.${k}`);
  return out;
}

function parseCriteria(v: unknown): CriteriaMap {
  if (!isRecord(v)) throw new CurationHistoryFormatError('curation_parameters is not an object');
  const out: CriteriaMap = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'isi_method') {
      if (typeof x !== 'string') throw new CurationHistoryFormatError('isi_method is not a string');
      out.isi_method = x;
    } else if (k === 'min_rate_hz' || k === 'isi_max' || k === 'isi_threshold_ms' || k === 'min_snr' || k === 'min_spikes' || k === 'max_std_norm') {
      if (typeof x !== 'number') throw new CurationHistoryFormatError(`${k} is not a number`);
      out[k] = x;
    }
  }
  return out;
}

/** Parses a history file's text (Python dialect). Throws on anything malformed. */
export function parseHistory(text: string): CurationHistory {
  const v = parsePythonJson(text);
  if (!isRecord(v)) throw new CurationHistoryFormatError('top level is not an object');
  const metricsRaw = v.metrics;
  if (!isRecord(metricsRaw)) throw new CurationHistoryFormatError('metrics is not an object');
  const metrics: Record<string, Record<string, number>> = {};
  for (const [name, row] of Object.entries(metricsRaw)) {
    if (!isRecord(row)) throw new CurationHistoryFormatError(`metrics.${name} is not an object`);
    const r: Record<string, number> = {};
    for (const [id, x] of Object.entries(row)) {
      if (typeof x !== 'number') throw new CurationHistoryFormatError(`metrics.${name}.${id} is not a number`);
      r[id] = x;
    }
    metrics[name] = r;
  }
  const curations = v.curations;
  if (!Array.isArray(curations) || !curations.every((c) => typeof c === 'string')) throw new CurationHistoryFormatError('curations is not a list of names');
  const key = v.__cache_key__;
  return {
    curation_parameters: parseCriteria(v.curation_parameters),
    initial: numbers(v.initial, 'initial'),
    curations: curations as string[],
    curated: idMap(v.curated, 'curated'),
    failed: idMap(v.failed, 'failed'),
    metrics,
    curated_final: numbers(v.curated_final, 'curated_final'),
    ...(typeof key === 'string' ? { __cache_key__: key } : {}),
  };
}
