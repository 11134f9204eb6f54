/**
 * Digital Butterworth band-pass design as second-order sections, following the same route
 * as `scipy.signal.butter(N, [lo, hi], btype='band', fs=fs, output='sos')`: analog prototype
 * poles → low-pass-to-band-pass → bilinear transform (with pre-warping) → pairing into
 * sections, worst (closest to the unit circle) last. Reproducing the pairing order matters:
 * a cascade is only numerically equivalent to SciPy's if its sections are the same.
 */
import * as C from './complex';
import type { Complex } from './complex';

/** Rows of [b0, b1, b2, a0 = 1, a1, a2]. */
export type Sos = number[][];

/** Analog Butterworth prototype poles of order n (unit cutoff, no zeros, gain 1). */
function prototypePoles(n: number): Complex[] {
  const poles: Complex[] = [];
  for (let m = -n + 1; m < n; m += 2) poles.push(C.neg(C.expi((Math.PI * m) / (2 * n))));
  return poles;
}

export function butterBandpassSos(order: number, lowHz: number, highHz: number, fs: number): Sos {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`Butterworth order must be a positive integer, got ${order}`);
  const wn = [(2 * lowHz) / fs, (2 * highHz) / fs];
  if (!(wn[0] > 0 && wn[0] < wn[1] && wn[1] < 1)) {
    throw new RangeError(`Band edges must satisfy 0 < low (${lowHz}) < high (${highHz}) < fs/2 (${fs / 2})`);
  }
  // Pre-warp for the bilinear transform at an internal sampling rate of 2 (normalised).
  const fsInternal = 2;
  const warped = wn.map((w) => 2 * fsInternal * Math.tan((Math.PI * w) / fsInternal));
  const bw = warped[1] - warped[0];
  const wo = Math.sqrt(warped[0] * warped[1]);

  // Low-pass prototype → band-pass: each pole splits into two around ±wo; the relative
  // degree (order) of zeros lands at the origin.
  const pLp = prototypePoles(order).map((p) => C.scale(p, bw / 2));
  const root = pLp.map((p) => C.sqrt(C.sub(C.mul(p, p), C.c(wo * wo))));
  const pBp = [...pLp.map((p, i) => C.add(p, root[i])), ...pLp.map((p, i) => C.sub(p, root[i]))];
  const zBp: Complex[] = Array.from({ length: order }, () => C.c(0));
  const kBp = bw ** order;

  // Bilinear transform; zeros at analog infinity go to Nyquist (z = −1).
  const fs2 = 2 * fsInternal;
  const bilinear = (s: Complex): Complex => C.div(C.add(C.c(fs2), s), C.sub(C.c(fs2), s));
  const zZ = [...zBp.map(bilinear), ...Array.from({ length: pBp.length - zBp.length }, () => C.c(-1))];
  const pZ = pBp.map(bilinear);
  const kZ = kBp * C.div(C.prod(zBp.map((z) => C.sub(C.c(fs2), z))), C.prod(pBp.map((p) => C.sub(C.c(fs2), p)))).re;

  return zpkToSos(zZ, pZ, kZ);
}

/**
 * Splits roots into conjugate-pair representatives (positive imaginary part, averaged with
 * their partner) and real roots, both sorted by real part.
 */
function splitConjugates(roots: readonly Complex[]): { pairs: Complex[]; reals: Complex[] } {
  const tol = 100 * Number.EPSILON;
  const sorted = [...roots].sort((a, b) => a.re - b.re || Math.abs(a.im) - Math.abs(b.im));
  const isRealish = (z: Complex): boolean => Math.abs(z.im) <= tol * C.abs(z);
  const reals = sorted.filter(isRealish).map((z) => C.c(z.re));
  const cplx = sorted.filter((z) => !isRealish(z));
  const pos = cplx.filter((z) => z.im > 0);
  const negs = cplx.filter((z) => z.im < 0);
  if (pos.length !== negs.length) throw new Error('Array contains complex value with no matching conjugate.');
  // Within runs of (nearly) equal real part, order by imaginary magnitude.
  for (let start = 0; start < pos.length;) {
    let stop = start + 1;
    while (stop < pos.length && pos[stop].re - pos[stop - 1].re <= tol * C.abs(pos[stop - 1])) stop++;
    for (const run of [pos, negs]) {
      const sortedRun = run.slice(start, stop).sort((a, b) => Math.abs(a.im) - Math.abs(b.im));
      run.splice(start, stop - start, ...sortedRun);
    }
    start = stop;
  }
  pos.forEach((z, i) => {
    if (C.abs(C.sub(z, C.conj(negs[i]))) > tol * C.abs(negs[i])) throw new Error('Array contains complex value with no matching conjugate.');
  });
  return { pairs: pos.map((z, i) => C.scale(C.add(z, C.conj(negs[i])), 0.5)), reals };
}

/** Index of the root nearest to `to`, restricted to real or complex roots when asked. */
function nearestIndex(from: readonly Complex[], to: Complex, which: 'any' | 'real' | 'complex'): number {
  let best = -1;
  let bestDist = Infinity;
  from.forEach((z, i) => {
    if (which === 'real' && !C.isReal(z)) return;
    if (which === 'complex' && C.isReal(z)) return;
    const d = C.abs(C.sub(z, to));
    if (d < bestDist) { bestDist = d; best = i; }
  });
  return best;
}

/** Pole closest to the unit circle: it gets the last section, where its gain hurts least. */
function worstIndex(p: readonly Complex[]): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (Math.abs(1 - C.abs(p[i])) < Math.abs(1 - C.abs(p[best]))) best = i;
  return best;
}

/** One section from up to two zeros and two poles (a conjugate pair or two reals). */
function section(zeros: readonly Complex[], poles: readonly Complex[]): number[] {
  const poly = (roots: readonly Complex[]): number[] => {
    if (roots.length === 0) return [1];
    if (roots.length === 1) return [1, -roots[0].re];
    const [r1, r2] = roots;
    return [1, C.add(C.neg(r1), C.neg(r2)).re, C.mul(C.neg(r1), C.neg(r2)).re];
  };
  const b = poly(zeros);
  const a = poly(poles);
  const row = [0, 0, 0, 0, 0, 0];
  b.forEach((v, i) => { row[3 - b.length + i] = v; });
  a.forEach((v, i) => { row[6 - a.length + i] = v; });
  return row;
}

function take<T>(arr: T[], i: number): T {
  return arr.splice(i, 1)[0];
}

/** SciPy's `zpk2sos` with the default 'nearest' pairing, for digital filters. */
export function zpkToSos(zeros: readonly Complex[], poles: readonly Complex[], k: number): Sos {
  let z = [...zeros];
  let p = [...poles];
  const pad = (arr: Complex[], n: number): Complex[] => [...arr, ...Array.from({ length: Math.max(n - arr.length, 0) }, () => C.c(0))];
  [z, p] = [pad(z, p.length), pad(p, z.length)];
  const nSections = Math.floor((Math.max(p.length, z.length) + 1) / 2);
  if (p.length % 2 === 1) { p.push(C.c(0)); z.push(C.c(0)); }
  const zs = splitConjugates(z);
  const ps = splitConjugates(p);
  z = [...zs.pairs, ...zs.reals];
  p = [...ps.pairs, ...ps.reals];

  const sos: number[][] = Array.from({ length: nSections }, () => [0, 0, 0, 0, 0, 0]);
  const realCount = (arr: readonly Complex[]): number => arr.filter(C.isReal).length;
  for (let si = nSections - 1; si >= 0; si--) {
    const p1 = take(p, worstIndex(p));
    if (C.isReal(p1) && realCount(p) === 0) {
      // Last real pole: a first-order section with the nearest real zero.
      const z1 = take(z, nearestIndex(z, p1, 'real'));
      sos[si] = section([z1, C.c(0)], [p1, C.c(0)]);
    } else if (p.length + 1 === z.length && !C.isReal(p1) && realCount(p) === 1 && realCount(z) === 1) {
      // One real pole and one real zero remain with equal counts: this complex pole must
      // take a complex zero, or the real pair could not be formed later.
      const z1 = take(z, nearestIndex(z, p1, 'complex'));
      sos[si] = section([z1, C.conj(z1)], [p1, C.conj(p1)]);
    } else {
      let p2: Complex;
      if (C.isReal(p1)) {
        const realIdx = p.map((v, i) => (C.isReal(v) ? i : -1)).filter((i) => i >= 0);
        p2 = take(p, realIdx[worstIndex(realIdx.map((i) => p[i]))]);
      } else {
        p2 = C.conj(p1);
      }
      if (z.length > 0) {
        const z1 = take(z, nearestIndex(z, p1, 'any'));
        if (!C.isReal(z1)) {
          sos[si] = section([z1, C.conj(z1)], [p1, p2]);
        } else if (z.length > 0) {
          const z2 = take(z, nearestIndex(z, p1, 'real'));
          sos[si] = section([z1, z2], [p1, p2]);
        } else {
          sos[si] = section([z1], [p1, p2]);
        }
      } else {
        sos[si] = section([], [p1, p2]);
      }
    }
  }
  for (let i = 0; i < 3; i++) sos[0][i] *= k;
  return sos;
}
