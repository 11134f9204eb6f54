import type { CurationInput, CurationUnit } from '../../src/curation/apply';
import type { CurationParams } from '../../src/curation/criteria';

export const FS = 20000;

export const DEFAULTS: CurationParams = {
  curate_first: true, curate_second: true, curation_epoch: null, fr_min: 0.05, isi_viol_max: 0.01,
  isi_violation_method: 'percent', snr_min: 5.0, spikes_min_first: 30, spikes_min_second: 50, std_norm_max: 1.0,
};

/** Train in samples from times in ms. */
export function samples(ms: readonly number[]): Float64Array {
  return Float64Array.from(ms, (t) => Math.round((t * FS) / 1000));
}

/** `n` regular spikes every 100 ms from 0. */
export function regular(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i * 100);
}

export function unit(id: number, ms: readonly number[], snr: number | null = 10, stdNorm: number | null = 0.2): CurationUnit {
  return { unit_id: id, spike_train_samples: samples(ms), snr, std_norm: stdNorm };
}

export function input(units: readonly CurationUnit[], lengthMs = 100_000): CurationInput {
  return { fs_Hz: FS, length_ms: lengthMs, units };
}

/** §7 #16. */
export function scenario16(): CurationInput {
  return input([
    unit(10, regular(60), 6.0, 0.5),
    unit(11, regular(40), 9.0, 0.2),
    unit(12, [...regular(59), 5000.5].sort((a, b) => a - b), 9.0, 0.2),
    unit(13, regular(60), 4.9, 0.2),
    unit(14, regular(60), 10.0, 1.0),
    unit(15, regular(60), 5.0, Infinity),
  ]);
}
