/**
 * Median by selection (O(n) average) instead of a full sort: the noise estimate takes a
 * median of 200 000 values per channel, twice, on up to ~1000 channels.
 */

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Reorders `a` so a[k] holds the k-th smallest value, smaller ones before, larger after. */
function selectInPlace(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot: guards against sorted input, common in traces.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Median of `values` (reordered in place). An even count averages the two middle values,
 * as NumPy does. Empty → NaN. NaN inputs are not expected (filtered traces).
 */
export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return NaN;
  const k = n >>> 1;
  selectInPlace(values, k);
  const upper = values[k];
  if (n % 2 === 1) return upper;
  let lower = -Infinity;
  for (let i = 0; i < k; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}

/** median(|x − median(x)|) / 0.6745: a noise std robust to spikes. `values` is overwritten. */
export function madStdInPlace(values: Float64Array): number {
  const med = medianInPlace(values);
  for (let i = 0; i < values.length; i++) values[i] = Math.abs(values[i] - med);
  return medianInPlace(values) / 0.6745;
}
