/**
 * Small seeded random source for synthetic data. Not cryptographic; chosen because it is
 * fast, has a 32-bit state that is trivially reproducible from a seed, and gives the same
 * stream on every platform (Math.random cannot be seeded).
 */
// Module-local aliases: hot loops then skip global lookups, which are slow inside
// vm contexts (jest runs tests in one) and free elsewhere.
const { imul, log, sqrt, cos, sin, floor, PI } = Math;

export class Prng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // Mix the seed so nearby seeds (1, 2, 3…) do not start with correlated streams.
    this.state = (imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next(); // (0, 1]: log(0) must not happen
    const v = this.next();
    const r = sqrt(-2 * log(u));
    this.spare = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  }

  /** Exponential with the given rate (events per unit). */
  exponential(rate: number): number {
    return -log(1 - this.next()) / rate;
  }
}
