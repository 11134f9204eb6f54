/**
 * From the `curation` config section to the criteria map (waveforms_curation §3.1,
 * pipeline §2.5), and the split of that map into the pipeline's two stages.
 */

/** The `curation` config section, structurally (snake_case names as in pipeline §1.1). */
export interface CurationParams {
  readonly curate_first: boolean;
  readonly curate_second: boolean;
  readonly curation_epoch?: number | null;
  readonly fr_min: number | null;
  readonly isi_viol_max: number | null;
  readonly isi_violation_method: string;
  readonly snr_min: number | null;
  readonly spikes_min_first: number | null;
  readonly spikes_min_second: number | null;
  readonly std_norm_max: number | null;
}

/**
 * Resolved thresholds. Key insertion order is meaningful: it is the order of
 * `curation_parameters` in the history (Python dict order, §3.1 table).
 */
export interface CriteriaMap {
  min_rate_hz?: number;
  isi_max?: number;
  isi_threshold_ms?: number;
  isi_method?: string;
  min_snr?: number;
  min_spikes?: number;
  max_std_norm?: number;
}

/** ISI threshold the pipeline always uses (not exposed in the config). */
export const ISI_THRESHOLD_MS = 1.5;

/**
 * One combined set of criteria. With both groups on, `spikes_min_second` overwrites
 * `spikes_min_first` (which then has no effect, parity §3.1); the overwrite keeps the
 * key's first position, as a Python dict does.
 */
export function criteriaFromConfig(p: CurationParams): CriteriaMap {
  const m: CriteriaMap = {};
  if (p.curate_first) {
    if (p.fr_min !== null) m.min_rate_hz = p.fr_min;
    if (p.isi_viol_max !== null) {
      m.isi_max = p.isi_viol_max;
      m.isi_threshold_ms = ISI_THRESHOLD_MS;
      m.isi_method = p.isi_violation_method;
    }
    if (p.snr_min !== null) m.min_snr = p.snr_min;
    if (p.spikes_min_first !== null) m.min_spikes = p.spikes_min_first;
  }
  if (p.curate_second) {
    if (p.spikes_min_second !== null) m.min_spikes = p.spikes_min_second;
    if (p.std_norm_max !== null) m.max_std_norm = p.std_norm_max;
  }
  return m;
}

/**
 * The two pipeline stages: every criterion but std-norm first, std-norm second. Criteria
 * are per-unit filters applied in a fixed order (spike_count, firing_rate, isi_violation,
 * snr, std_norm) and std-norm is last, so running the first map then the second map on its
 * survivors keeps exactly the units the combined map keeps.
 */
export function splitCriteria(m: CriteriaMap): { first: CriteriaMap; second: CriteriaMap } {
  const first: CriteriaMap = { ...m };
  delete first.max_std_norm;
  const second: CriteriaMap = m.max_std_norm === undefined ? {} : { max_std_norm: m.max_std_norm };
  return { first, second };
}

/** Keys that are Python floats in the reference (the rest: `min_spikes` int, `isi_method` str). */
export const FLOAT_CRITERIA: ReadonlySet<keyof CriteriaMap> = new Set(['min_rate_hz', 'isi_max', 'isi_threshold_ms', 'min_snr', 'max_std_norm']);
