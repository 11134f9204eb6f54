/**
 * Small seeded PRNG (xoshiro128**, seeded through splitmix32).
 *
 * Why not NumPy's PCG64: the reference draws waveform samples and noise chunks with
 * NumPy's Generator, but the spec (waveforms_curation §1.4) only asks for a deterministic
 * draw for a given seed. Bit-for-bit parity with NumPy is NOT a goal here, so the same
 * seed gives different (but reproducible) draws than the reference.
 *
 * Why 32-bit state words: everything stays in plain `number` arithmetic (`Math.imul`,
 * `>>>`), which is fast in V8 and needs no BigInt.
 */

export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Uniform integer in [0, n). `n` must be a positive safe integer. */
  nextInt(n: number): number;
  /** Snapshot of the state, so a caller can persist and resume a stream. */
  state(): [number, number, number, number];
}

/** splitmix32: spreads a small seed over 32 bits; used only to fill the xoshiro state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Folds a seed that may exceed 32 bits (or be negative) into one 32-bit word. */
function foldSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`rng seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(words: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = words.map((w) => w >>> 0) as [number, number, number, number];
    // The all-zero state is a fixed point of xoshiro; splitmix never yields it, but a
    // hand-made state could.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  nextInt(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`nextInt bound must be a positive safe integer, got ${n}`);
    if (n <= 0x100000000) {
      // Rejection sampling keeps the draw exactly uniform (no modulo bias).
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    // Bounds past 2^32 (recordings longer than ~60 h at 20 kHz): the 53-bit float keeps
    // the bias below 2^-20, far under anything a sample position could show.
    return Math.floor(this.nextFloat() * n);
  }

  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }
}

/** A generator for `seed` (any safe integer). Same seed → same stream. */
export function createRng(seed: number): Rng {
  const sm = splitmix32(foldSeed(seed));
  return new Xoshiro128([sm(), sm(), sm(), sm()]);
}

/** Restores a generator from `Rng.state()`. */
export function rngFromState(state: readonly [number, number, number, number]): Rng {
  return new Xoshiro128(state);
}

/**
 * Seed for an independent sub-stream (e.g. one per unit id). Why: a stage that resumes at
 * unit k after a crash must draw exactly what the uninterrupted run drew for unit k,
 * without replaying units 0…k−1 through one shared generator.
 */
export function deriveSeed(seed: number, ...keys: readonly number[]): number {
  let h = foldSeed(seed) ^ 0x5bd1e995;
  for (const key of keys) {
    const k = foldSeed(key);
    h = Math.imul(h ^ k, 0x01000193) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
  }
  return h >>> 0;
}

/**
 * `k` distinct integers drawn uniformly from [0, n), in ascending order (Floyd's
 * algorithm: O(k) draws and memory, whatever n is).
 */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number): number[] {
  if (!Number.isSafeInteger(k) || k < 0 || k > n) throw new RangeError(`cannot draw ${k} distinct values from ${n}`);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rng.nextInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Array.from(chosen).sort((a, b) => a - b);
}
