import { butterBandpassSos } from '../../src/dsp/butterworth';
import { type FilterInput, filtfiltBlock, filtfiltFrames } from '../../src/dsp/filtfilt_frames';
import { sosfiltfilt, zeroPhaseFilter } from '../../src/dsp/sosfilt';
import { toInt16 } from '../../src/io/binary';
import { Prng } from '../../src/io/prng';
import { scaleStored } from '../../src/io/recording';

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

/** Stored 16-bit samples (channel-major) and the same µV values frame-major and channel-major. */
function layouts(n: number, nch: number, signed: boolean, seed: number): { frames: Float32Array; inputs: FilterInput[] } {
  const rng = new Prng(seed);
  const stored = signed ? new Int16Array(n * nch) : new Uint16Array(n * nch);
  for (let i = 0; i < stored.length; i++) stored[i] = signed ? Math.round(3000 * rng.normal()) : 512 + Math.round(300 * rng.normal());
  // The type's extremes, so scaling and saturation see them.
  for (let i = 0; i < stored.length; i += 997) stored[i] = signed ? (i % 2 === 0 ? 32767 : -32768) : (i % 2 === 0 ? 65535 : 0);
  const gain = (6.3e-6 * 1e6) / 1.7;
  const offset = fround(-123.456);
  const frames = new Float32Array(n * nch);
  const channels = new Float32Array(n * nch);
  for (let c = 0; c < nch; c++) {
    for (let f = 0; f < n; f++) {
      const v = scaleStored(stored[c * n + f], gain, offset);
      frames[f * nch + c] = v;
      channels[c * n + f] = v;
    }
  }
  return { frames, inputs: [{ layout: 'channels', data: channels }, { layout: 'stored', data: stored, gain, offset }] };
}

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('filtfiltBlock: channel-major and stored inputs', () => {
  it.each([1, 3, 8, 13, 16, 29])('give the frame-major result to the bit (odd and even frame counts, uint16 and int16) with %i channels', (nch) => {
    for (const n of [1500, 1501]) {
      for (const signed of [false, true]) {
        const keep = 120;
        const len = 1300;
        const { frames, inputs } = layouts(n, nch, signed, nch + n);
        for (const make of [(m: number) => new Int16Array(m), (m: number) => new Float32Array(m)]) {
          const want = make(len * nch);
          filtfiltFrames(filter, frames, nch, keep, len, want);
          for (const input of inputs) {
            const got = make(len * nch);
            filtfiltBlock(filter, input, nch, keep, len, got);
            expect(sameBytes(got, want)).toBe(true);
          }
        }
      }
    }
  });

  it('may write its output over its own input (the worker recycles the input buffer)', () => {
    const nch = 24;
    const n = 700;
    const { frames, inputs } = layouts(n, nch, false, 9);
    const want = new Int16Array(600 * nch);
    filtfiltFrames(filter, frames, nch, 50, 600, want);
    for (const input of inputs) {
      const data = input.data.slice();
      const shared = input.layout === 'stored' ? { ...input, data: data as Uint16Array } : { ...input, data: data as Float32Array };
      const out = new Int16Array(data.buffer, 0, 600 * nch);
      filtfiltBlock(filter, shared, nch, 50, 600, out);
      expect(sameBytes(out, want)).toBe(true);
    }
  });

  it('takes one-frame blocks (possible with padlen 0) and the shortest blocks the padding allows', () => {
    const noPad = zeroPhaseFilter(filter.sos, 0);
    for (const [f, n] of [[noPad, 1], [noPad, 2], [noPad, 3], [filter, 34], [filter, 35]] as const) {
      const { frames, inputs } = layouts(n, 11, true, n);
      const want = new Float32Array(n * 11);
      filtfiltFrames(f, frames, 11, 0, n, want);
      for (const input of inputs) {
        const got = new Float32Array(n * 11);
        filtfiltBlock(f, input, 11, 0, n, got);
        expect(sameBytes(got, want)).toBe(true);
      }
    }
  });
});
