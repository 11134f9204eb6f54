/**
 * Deterministic synthetic recordings for the extraction tests (§7 #5–#7): a noise pattern
 * [0, 1, 2, −2, −1] repeating every 5 samples on every channel (0 at every spike sample,
 * since spikes sit at multiples of 5), plus short spike shapes added at given times.
 */
import type { Sorting } from '../../src/backends/types';
import { arrayRecording, makeSorting, type CountingRecording } from './helpers';

export const NOISE_PATTERN = [0, 1, 2, -2, -1] as const;
/** Relative shape around the trough / peak, offsets −3…+3. */
export const SHAPE = [0.1, 0.3, 0.6, 1, 0.6, 0.3, 0.1] as const;

export interface SyntheticUnit {
  readonly id: number;
  /** True extreme times (frames). */
  readonly times: readonly number[];
  /** Signed amplitude per spike (negative = trough), cycled. */
  readonly amplitudes: readonly number[];
  /** Channel → scale of the shape on it. */
  readonly channels: Readonly<Record<number, number>>;
  /** Added to every stored spike time (the sorter's misalignment). */
  readonly storedShift?: number;
}

export function synthTraces(frames: number, C: number, units: readonly SyntheticUnit[]): Float32Array {
  const x = new Float32Array(frames * C);
  for (let f = 0; f < frames; f++) for (let c = 0; c < C; c++) x[f * C + c] = NOISE_PATTERN[f % 5];
  for (const u of units) {
    u.times.forEach((t, i) => {
      const amp = u.amplitudes[i % u.amplitudes.length];
      for (const [ch, scale] of Object.entries(u.channels)) {
        SHAPE.forEach((s, k) => {
          const f = t + k - 3;
          if (f >= 0 && f < frames) x[f * C + Number(ch)] += amp * scale * s;
        });
      }
    });
  }
  return x;
}

/**
 * Sorter template (82 samples) for a unit: sign × values on `channel` at 32..50 with the
 * extreme at 41 → half window 7 (§7 #3).
 */
export function wideTemplate(C: number, channel: number, sign: number): Float32Array {
  const T = 82;
  const data = new Float32Array(T * C);
  for (let t = 32; t <= 50; t++) data[t * C + channel] = sign * 0.5;
  data[41 * C + channel] = sign * 1;
  return data;
}

export interface SyntheticSet {
  readonly rec: CountingRecording;
  readonly sorting: Sorting;
}

/** Sorter templates stacked by unit id (rows of ids that are not units stay zero). */
export function synthSet(frames: number, C: number, fs: number, units: readonly SyntheticUnit[], templateFor: (u: SyntheticUnit) => Float32Array): SyntheticSet {
  const rec = arrayRecording(synthTraces(frames, C, units), C, fs);
  const nT = Math.max(...units.map((u) => u.id)) + 1;
  const data = new Float32Array(nT * 82 * C);
  for (const u of units) data.set(templateFor(u), u.id * 82 * C);
  const sorting = makeSorting({
    fs,
    units: units.map((u) => ({ id: u.id, train: u.times.map((t) => t + (u.storedShift ?? 0)) })),
    templates: { shape: [nT, 82, C], data },
  });
  return { rec, sorting };
}
