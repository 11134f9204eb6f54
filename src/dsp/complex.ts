/**
 * Minimal complex arithmetic for filter design. Division and square root follow the
 * algorithms NumPy uses (Smith's division, the C99 csqrt branch structure), so designed
 * coefficients agree with SciPy's to rounding, not just mathematically.
 */
export interface Complex {
  re: number;
  im: number;
}

export const c = (re: number, im = 0): Complex => ({ re, im });
export const add = (a: Complex, b: Complex): Complex => c(a.re + b.re, a.im + b.im);
export const sub = (a: Complex, b: Complex): Complex => c(a.re - b.re, a.im - b.im);
export const mul = (a: Complex, b: Complex): Complex => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
export const scale = (a: Complex, k: number): Complex => c(a.re * k, a.im * k);
export const conj = (a: Complex): Complex => c(a.re, -a.im);
export const neg = (a: Complex): Complex => c(-a.re, -a.im);
export const abs = (a: Complex): number => Math.hypot(a.re, a.im);
/** NumPy's `isreal`: the imaginary part is exactly zero. */
export const isReal = (a: Complex): boolean => a.im === 0;

export function div(a: Complex, b: Complex): Complex {
  const br = Math.abs(b.re);
  const bi = Math.abs(b.im);
  if (br >= bi) {
    if (br === 0 && bi === 0) return c(a.re / br, a.im / bi);
    const rat = b.im / b.re;
    const scl = 1 / (b.re + b.im * rat);
    return c((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl);
  }
  const rat = b.re / b.im;
  const scl = 1 / (b.im + b.re * rat);
  return c((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl);
}

/** Principal square root; the sign of a zero imaginary part picks the branch, as in C99. */
export function sqrt(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) {
    return x >= 0 ? c(Math.sqrt(x), y) : c(0, Math.sign(1 / y) * Math.sqrt(-x));
  }
  const d = Math.hypot(x, y);
  if (x > 0) {
    const r = Math.sqrt(0.5 * (d + x));
    return c(r, (0.5 * y) / r);
  }
  const s = Math.sqrt(0.5 * (d - x));
  return c(Math.abs((0.5 * y) / s), y < 0 ? -s : s);
}

/** e^{iθ} */
export const expi = (theta: number): Complex => c(Math.cos(theta), Math.sin(theta));

export function prod(values: readonly Complex[]): Complex {
  return values.reduce((acc, v) => mul(acc, v), c(1, 0));
}
