import { join } from 'node:path';
import { butterBandpassSos } from '../../src/dsp/butterworth';
import { sosfilt, sosfiltZi, sosfiltfilt, sosfiltfiltPadlen } from '../../src/dsp/sosfilt';
import { Prng } from '../../src/io/prng';
import { makeTempDir, readFloat64File, runPythonScript, writeFloat32File } from '../io/python';

const SOS = butterBandpassSos(5, 300, 6000, 20000);

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
}

describe('sosfilt / sosfilt_zi / sosfiltfilt vs SciPy', () => {
  const tmp = makeTempDir('sosfilt');
  afterAll(() => tmp.cleanup());

  it('sosfilt_zi equals scipy.signal.sosfilt_zi', () => {
    const ref = JSON.parse(runPythonScript('scipy_reference.py', ['sosfilt_zi', 5, 300, 6000, 20000])) as number[][];
    const zi = sosfiltZi(SOS);
    ref.flat().forEach((v, i) => expect(Math.abs(zi[i] - v)).toBeLessThan(1e-12 * Math.max(1, Math.abs(v))));
  });

  it('default padlen is 3 × (2·sections + 1) = 33 for order 5', () => {
    expect(sosfiltfiltPadlen(SOS)).toBe(33);
  });

  it('sosfiltfilt matches scipy on signals of several lengths (incl. just above padlen)', () => {
    const rng = new Prng(7);
    for (const len of [34, 100, 1000, 20000]) {
      // DC offset like raw Maxwell µV, plus noise.
      const col = Float32Array.from({ length: len }, () => 500 + 40 * rng.normal());
      const src = join(tmp.dir, `x${len}.f32`);
      const dst = join(tmp.dir, `y${len}.f64`);
      writeFloat32File(src, col);
      runPythonScript('scipy_reference.py', ['sosfiltfilt', 5, 300, 6000, 20000, 1, src, dst]);
      const ref = readFloat64File(dst);
      const ours = sosfiltfilt(SOS, col);
      expect(ours.length).toBe(ref.length);
      expect(relErr(ours, ref)).toBeLessThan(1e-12);
    }
  });

  it('refuses inputs not longer than padlen, like SciPy', () => {
    expect(() => sosfiltfilt(SOS, new Float64Array(33))).toThrow(/greater than padlen, which is 33/);
  });

  it('sosfilt with state continues seamlessly across calls', () => {
    const rng = new Prng(3);
    const x = Float64Array.from({ length: 5000 }, () => rng.normal());
    const whole = sosfilt(SOS, x).y;
    const a = sosfilt(SOS, x.subarray(0, 1234));
    const b = sosfilt(SOS, x.subarray(1234), a.zf);
    const joined = new Float64Array([...a.y, ...b.y]);
    expect(relErr(joined, whole)).toBe(0);
  });
});
