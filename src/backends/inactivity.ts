/**
 * The sorter log-inactivity tolerance (guards spec §4.5):
 * `timeout = base_s + per_min_s × duration_min`, then `min(…, max_s)` unless `max_s` is null.
 */

export interface InactivitySettings {
  /** `sorter_inactivity_timeout`: false turns the watchdog off. */
  enabled: boolean;
  /** `sorter_inactivity_base_s` (600 by default). */
  base_s: number;
  /** `sorter_inactivity_per_min_s` (30 by default). */
  per_min_s: number;
  /** `sorter_inactivity_max_s` (7200 by default); null = no cap. */
  max_s: number | null;
}

export const DEFAULT_INACTIVITY: Readonly<InactivitySettings> = { enabled: true, base_s: 600, per_min_s: 30, max_s: 7200 };

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`${name} must be a finite number, got ${String(v)}`);
  }
  return v;
}

/**
 * The formula itself. base, per-minute and max must be finite (else RangeError); there is no
 * range check, so a negative base gives a negative timeout. A duration that is null, NaN or
 * negative counts as 0.
 */
export function inactivityTimeoutS(
  cfg: { base_s: number; per_min_s: number; max_s: number | null },
  durationMin: number | null,
): number {
  const base = finite('sorter_inactivity_base_s', cfg.base_s);
  const perMin = finite('sorter_inactivity_per_min_s', cfg.per_min_s);
  const cap = cfg.max_s === null ? null : finite('sorter_inactivity_max_s', cfg.max_s);
  const minutes = durationMin === null || Number.isNaN(durationMin) || durationMin < 0 ? 0 : durationMin;
  const t = base + perMin * minutes;
  return cap === null ? t : Math.min(t, cap);
}

/**
 * The watchdog tolerance for a recording of `durationMin` minutes: null when disabled;
 * otherwise the formula's value, which must be positive and finite (else RangeError, as the
 * watchdog constructor rejects it).
 */
export function resolveInactivityS(settings: InactivitySettings, durationMin: number | null): number | null {
  if (!settings.enabled) return null;
  const t = inactivityTimeoutS(settings, durationMin);
  if (!(t > 0) || !Number.isFinite(t)) {
    throw new RangeError(`sorter inactivity timeout must be a positive finite number of seconds, got ${t}`);
  }
  return t;
}
