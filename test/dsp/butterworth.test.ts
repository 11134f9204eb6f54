import { butterBandpassSos } from '../../src/dsp/butterworth';
import { runPythonScript } from '../io/python';

type Case = [order: number, lo: number, hi: number, fs: number];

const CASES: Case[] = [
  [5, 300, 6000, 20000], // pipeline default
  [5, 300, 3000, 20000],
  [3, 100, 9000, 20000],
  [4, 500, 5000, 30000], // even order
  [1, 300, 6000, 20000], // single section
  [6, 250, 7500, 25000],
  [5, 2000, 2500, 20000], // narrow band: every pole complex
];

describe('butterBandpassSos vs scipy.signal.butter(..., output="sos")', () => {
  let refs: number[][][];
  beforeAll(() => {
    refs = JSON.parse(runPythonScript('scipy_reference.py', ['butter', ...CASES.flat()])) as number[][][];
  });

  it.each(CASES.map((c, i) => [...c, i]))('order %d, %d–%d Hz at fs %d', (order, lo, hi, fs, i) => {
    const ref = refs[i];
    const ours = butterBandpassSos(order, lo, hi, fs);
    expect(ours.length).toBe(ref.length);
    let worst = 0;
    ours.forEach((row, s) => row.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - ref[s][i]) / Math.max(1, Math.abs(ref[s][i])));
    }));
    // Same sections in the same order, equal to rounding.
    expect(worst).toBeLessThan(1e-13); // measured ≤ 7e-16
  });

  it('rejects edges outside (0, fs/2)', () => {
    expect(() => butterBandpassSos(5, 300, 10000, 20000)).toThrow(RangeError);
    expect(() => butterBandpassSos(5, 0, 3000, 20000)).toThrow(RangeError);
    expect(() => butterBandpassSos(0, 300, 3000, 20000)).toThrow(RangeError);
  });
});
