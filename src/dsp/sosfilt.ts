/**
 * Cascaded second-order-section filtering in Float64, mirroring SciPy's `sosfilt`,
 * `sosfilt_zi` and `sosfiltfilt` (default padtype 'odd', default padlen), so our zero-phase
 * band-pass reproduces the reference pipeline's samples and not merely its response.
 */
import type { Sos } from './butterworth';

/** Flat [b0 b1 b2 a0 a1 a2] rows; a0 must be 1 (as SciPy requires). */
function flatten(sos: Sos): Float64Array {
  const flat = new Float64Array(sos.length * 6);
  sos.forEach((row, s) => {
    if (row.length !== 6 || row[3] !== 1) throw new RangeError(`SOS row ${s} must have 6 coefficients with a0 = 1`);
    flat.set(row, s * 6);
  });
  return flat;
}

/**
 * Filters `x` in place through the cascade (transposed direct form II). `zi` (sections × 2)
 * is the running state: it is updated, so consecutive calls continue seamlessly.
 */
export function sosfiltInPlace(sos: Sos | Float64Array, x: Float64Array, zi: Float64Array): void {
  const f = sos instanceof Float64Array ? sos : flatten(sos);
  const ns = f.length / 6;
  if (zi.length !== ns * 2) throw new RangeError(`zi must have ${ns * 2} entries (sections × 2), got ${zi.length}`);
  // Section by section over the whole signal (the cascade is sequential, so this equals the
  // sample-major loop operation for operation) with the state in locals: several times faster.
  const len = x.length;
  for (let s = 0; s < ns; s++) {
    const o = s * 6;
    const b0 = f[o];
    const b1 = f[o + 1];
    const b2 = f[o + 2];
    const a1 = f[o + 4];
    const a2 = f[o + 5];
    let z1 = zi[2 * s];
    let z2 = zi[2 * s + 1];
    for (let n = 0; n < len; n++) {
      const xn = x[n];
      const y = b0 * xn + z1;
      z1 = b1 * xn - a1 * y + z2;
      z2 = b2 * xn - a2 * y;
      x[n] = y;
    }
    zi[2 * s] = z1;
    zi[2 * s + 1] = z2;
  }
}

/** `scipy.signal.sosfilt`: returns the output and the final state; `x` is left untouched. */
export function sosfilt(sos: Sos, x: Float64Array, zi?: Float64Array): { y: Float64Array; zf: Float64Array } {
  const y = Float64Array.from(x);
  const zf = zi ? Float64Array.from(zi) : new Float64Array(sos.length * 2);
  sosfiltInPlace(sos, y, zf);
  return { y, zf };
}

/**
 * Steady-state initial conditions of one section for a unit step (`lfilter_zi`): solves
 * (I − Aᵀ) zi = B with the companion matrix of a, by 2 × 2 elimination with partial
 * pivoting like LAPACK's solver.
 */
function sectionZi(b0: number, b1: number, b2: number, a1: number, a2: number): [number, number] {
  // Rows of I − companion(a)ᵀ: [1 + a1, −1], [a2, 1]; right-hand side B.
  let r0 = [1 + a1, -1, b1 - a1 * b0];
  let r1 = [a2, 1, b2 - a2 * b0];
  if (Math.abs(r1[0]) > Math.abs(r0[0])) [r0, r1] = [r1, r0];
  const l = r1[0] / r0[0];
  const u11 = r1[1] - l * r0[1];
  const y1 = r1[2] - l * r0[2];
  const z1 = y1 / u11;
  const z0 = (r0[2] - r0[1] * z1) / r0[0];
  return [z0, z1];
}

/** `scipy.signal.sosfilt_zi`: per-section state for a unit step, scaled by upstream DC gain. */
export function sosfiltZi(sos: Sos): Float64Array {
  const zi = new Float64Array(sos.length * 2);
  let gain = 1;
  sos.forEach(([b0, b1, b2, , a1, a2], s) => {
    const [z0, z1] = sectionZi(b0, b1, b2, a1, a2);
    zi[2 * s] = gain * z0;
    zi[2 * s + 1] = gain * z1;
    gain *= (b0 + b1 + b2) / (1 + a1 + a2);
  });
  return zi;
}

/** SciPy's default pad length for `sosfiltfilt`: 3 × (2·sections + 1 − trailing-zero correction). */
export function sosfiltfiltPadlen(sos: Sos): number {
  const zerosB = sos.filter((r) => r[2] === 0).length;
  const zerosA = sos.filter((r) => r[5] === 0).length;
  return 3 * (2 * sos.length + 1 - Math.min(zerosB, zerosA));
}

/** Precomputed pieces of a zero-phase filter, reused across channels and chunks. */
export interface ZeroPhaseFilter {
  readonly sos: Sos;
  readonly flat: Float64Array;
  readonly zi: Float64Array;
  readonly padlen: number;
}

export function zeroPhaseFilter(sos: Sos, padlen?: number): ZeroPhaseFilter {
  return { sos, flat: flatten(sos), zi: sosfiltZi(sos), padlen: padlen ?? sosfiltfiltPadlen(sos) };
}

/**
 * `scipy.signal.sosfiltfilt(sos, x)` for one channel: odd extension by padlen each side,
 * forward pass from the steady state scaled by the first sample, backward pass likewise,
 * extension removed. Float32 input gets its extension rounded to float32, because NumPy
 * builds the extension in the input's dtype before filtering in float64; this keeps the
 * result equal to SciPy's for the float32 traces the pipeline filters.
 */
export function sosfiltfilt(filter: Sos | ZeroPhaseFilter, x: Float32Array | Float64Array): Float64Array {
  const zf = Array.isArray(filter) ? zeroPhaseFilter(filter) : filter;
  const n = x.length;
  const edge = zf.padlen;
  if (n <= edge) throw new RangeError(`The length of the input vector x (${n}) must be greater than padlen, which is ${edge}.`);
  const round = x instanceof Float32Array ? Math.fround : (v: number): number => v;
  const ext = new Float64Array(n + 2 * edge);
  for (let i = 0; i < edge; i++) {
    ext[i] = round(2 * x[0] - x[edge - i]);
    ext[edge + n + i] = round(2 * x[n - 1] - x[n - 2 - i]);
  }
  ext.set(x, edge);

  const state = new Float64Array(zf.zi.length);
  for (let i = 0; i < state.length; i++) state[i] = zf.zi[i] * ext[0];
  sosfiltInPlace(zf.flat, ext, state);
  ext.reverse();
  for (let i = 0; i < state.length; i++) state[i] = zf.zi[i] * ext[0];
  sosfiltInPlace(zf.flat, ext, state);
  ext.reverse();
  return ext.slice(edge, edge + n);
}
