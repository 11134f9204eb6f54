/**
 * Train-based curation metrics (waveforms_curation §3.2): spike count, firing rate and
 * ISI violations. Trains are in milliseconds, sorted ascending.
 */

export type IsiMethod = 'percent' | 'hill';

export class InvalidCurationParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCurationParameterError';
  }
}

export function parseIsiMethod(method: string): IsiMethod {
  if (method === 'percent' || method === 'hill') return method;
  throw new InvalidCurationParameterError(`method must be 'percent' or 'hill', got '${method}'`);
}

/** count / (length in s); 0 for a non-positive length. */
export function firingRateHz(count: number, lengthMs: number): number {
  return lengthMs > 0 ? count / (lengthMs / 1000) : 0;
}

export interface IsiOptions {
  readonly threshold_ms: number;
  readonly method: IsiMethod;
  readonly length_ms: number;
  /** Refractory floor for the hill estimate (the pipeline fixes it at 0). */
  readonly isi_min_ms?: number;
}

/**
 * percent: v / n, a fraction of **spikes** (not ISIs). hill: (v / (2n(τ − τmin))) / (n / T),
 * each ratio 0 when its denominator is 0. v = ISIs strictly under the threshold; n < 2 → 0.
 */
export function isiViolation(trainMs: ArrayLike<number>, opts: IsiOptions): number {
  const n = trainMs.length;
  if (n < 2) return 0;
  let v = 0;
  for (let i = 1; i < n; i++) if (trainMs[i] - trainMs[i - 1] < opts.threshold_ms) v++;
  if (opts.method === 'percent') return v / n;
  const tau = opts.threshold_ms / 1000;
  const tauMin = (opts.isi_min_ms ?? 0) / 1000;
  const T = opts.length_ms / 1000;
  const denom = 2 * n * (tau - tauMin);
  const violationRate = denom !== 0 ? v / denom : 0;
  const rate = T !== 0 ? n / T : 0;
  return rate !== 0 ? violationRate / rate : 0;
}
