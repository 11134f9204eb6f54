import { butterBandpassSos } from '../../src/dsp/butterworth';
import { filtfiltFrames } from '../../src/dsp/filtfilt_frames';
import { sosfiltfilt, zeroPhaseFilter } from '../../src/dsp/sosfilt';
import { toInt16 } from '../../src/io/binary';
import { Prng } from '../../src/io/prng';

const filter = zeroPhaseFilter(butterBandpassSos(5, 300, 6000, 20000));
const { fround } = Math;

/** Frame-major float32 noise with a per-channel offset and a few large excursions (int16 saturation). */
function block(frames: number, nch: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  const x = new Float32Array(frames * nch);
  for (let i = 0; i < x.length; i++) x[i] = 40 * rng.normal() + (i % nch) * 3;
  for (let i = 0; i < x.length; i += 997) x[i] = 5e5 * (rng.normal() > 0 ? 1 : -1);
  return x;
}

describe('filtfiltFrames: the SIMD multi-channel kernel', () => {
  it.each([1, 3, 8, 13, 16, 29])('equals per-channel sosfiltfilt to the bit, float32 and int16, with %i channels', (nch) => {
    const n = 1500;
    const keep = 120;
    const len = 1300;
    const raw = block(n, nch, nch);
    const f32 = new Float32Array(len * nch);
    const i16 = new Int16Array(len * nch);
    filtfiltFrames(filter, raw, nch, keep, len, f32);
    filtfiltFrames(filter, raw, nch, keep, len, i16);
    let f32Mismatch = 0;
    let i16Mismatch = 0;
    let saturated = 0;
    for (let c = 0; c < nch; c++) {
      const col = new Float32Array(n);
      for (let f = 0; f < n; f++) col[f] = raw[f * nch + c];
      const ref = sosfiltfilt(filter, col);
      for (let f = 0; f < len; f++) {
        const want = fround(ref[keep + f]);
        if (f32[f * nch + c] !== want) f32Mismatch++;
        if (i16[f * nch + c] !== toInt16(want)) i16Mismatch++;
        if (Math.abs(want) > 32768) saturated++;
      }
    }
    expect(f32Mismatch).toBe(0);
    expect(i16Mismatch).toBe(0);
    // The fixture does reach int16 saturation, so that branch of the conversion is exercised.
    expect(saturated).toBeGreaterThan(0);
  });

  it('keeps no state between calls (same input → same output after other shapes)', () => {
    const raw = block(900, 11, 5);
    const a = new Float32Array(800 * 11);
    filtfiltFrames(filter, raw, 11, 50, 800, a);
    filtfiltFrames(filter, block(4000, 40, 6), 40, 0, 4000, new Int16Array(4000 * 40));
    const b = new Float32Array(800 * 11);
    filtfiltFrames(filter, raw, 11, 50, 800, b);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('rejects blocks no longer than the padding, ranges outside the block and wrong output sizes', () => {
    expect(() => filtfiltFrames(filter, new Float32Array(33 * 2), 2, 0, 33, new Float32Array(66))).toThrow(/must be greater than padlen, which is 33/);
    expect(() => filtfiltFrames(filter, new Float32Array(100 * 2), 2, 50, 60, new Float32Array(120))).toThrow(RangeError);
    expect(() => filtfiltFrames(filter, new Float32Array(100 * 2), 2, 0, 10, new Float32Array(19))).toThrow(/expected 20/);
    expect(() => filtfiltFrames(filter, new Float32Array(101), 2, 0, 10, new Float32Array(20))).toThrow(/do not divide/);
  });
});
