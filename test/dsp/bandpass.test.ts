import { join } from 'node:path';
import { bandpassMarginFrames, bandpassRecording } from '../../src/dsp/bandpass';
import { forEachChunk } from '../../src/dsp/chunks';
import { InvalidRecordingError } from '../../src/errors';
import { openMaxwell } from '../../src/io/maxwell';
import { memoryRecording } from '../../src/io/memory';
import type { Recording } from '../../src/io/recording';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { makeTempDir, readFloat32File, readFloat64File, runPythonScript, writeFloat32File } from '../io/python';

const FS = 20000;
// Local aliases: global lookups in per-sample loops are slow inside jest's vm context.
const { abs, floor, max, sqrt } = Math;

async function readAll(rec: Recording, chunk_frames: number): Promise<Float32Array> {
  const out = new Float32Array(rec.num_frames * rec.num_channels);
  await forEachChunk(rec, { chunk_frames }, (t, s) => { out.set(t, s * rec.num_channels); });
  return out;
}

function stats(ours: ArrayLike<number>, ref: ArrayLike<number>, select: (frame: number) => boolean, nch: number) {
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!select(floor(i / nch))) continue;
    const d = ours[i] - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
    maxAbs = max(maxAbs, abs(d));
  }
  return { rel_rms: sqrt(num / den), max_abs_uv: maxAbs };
}

describe('bandpassRecording (300–6000 Hz, order 5) vs scipy sosfiltfilt over the whole signal', () => {
  const tmp = makeTempDir('bandpass');
  afterAll(() => tmp.cleanup());
  const path = join(tmp.dir, 'rec.raw.h5');
  let raw: Recording;
  let ref: Float64Array;

  beforeAll(async () => {
    await writeSyntheticMaxOne(path, { num_channels: 16, duration_s: 10, n_units: 6, seed: 21 });
    raw = await openMaxwell(path, {});
    const src = join(tmp.dir, 'raw.f32');
    const dst = join(tmp.dir, 'ref.f64');
    writeFloat32File(src, raw.getTraces(0, raw.num_frames));
    runPythonScript('scipy_reference.py', ['sosfiltfilt', 5, 300, 6000, FS, raw.num_channels, src, dst]);
    ref = readFloat64File(dst);
  }, 30000);
  afterAll(() => raw.close());

  it('chunked (1 s) output is within 1e-3 relative RMS of the whole-signal filter, including chunk borders', async () => {
    const bp = bandpassRecording(raw, 300, 6000);
    const ours = await readAll(bp, FS);
    const margin = bandpassMarginFrames(300, FS);
    const nearBorder = (f: number): boolean => {
      const d = f % FS;
      return f > margin && f < raw.num_frames - margin && (d < margin || d >= FS - margin);
    };
    const overall = stats(ours, ref, () => true, raw.num_channels);
    const borders = stats(ours, ref, nearBorder, raw.num_channels);
    process.stdout.write(
      `[bandpass] overall rel RMS ${overall.rel_rms.toExponential(2)} (max |err| ${overall.max_abs_uv.toExponential(2)} µV); ` +
        `within ${margin} frames of chunk borders rel RMS ${borders.rel_rms.toExponential(2)} (max ${borders.max_abs_uv.toExponential(2)} µV)\n`,
    );
    expect(overall.rel_rms).toBeLessThan(1e-3);
    expect(borders.rel_rms).toBeLessThan(1e-3);
  }, 20000);

  it('chunked (1 s) output is within 1e-4 relative RMS of SpikeInterface 0.104 bandpass_filter read in the same chunks, borders included', async () => {
    const src = join(tmp.dir, 'raw_si.f32');
    const dst = join(tmp.dir, 'si.f32');
    writeFloat32File(src, raw.getTraces(0, raw.num_frames));
    runPythonScript('si_preprocess.py', ['filter', src, raw.num_channels, FS, 300, 6000, FS, dst]);
    const si = readFloat32File(dst);
    expect(si.length).toBe(raw.num_frames * raw.num_channels);
    const ours = await readAll(bandpassRecording(raw, 300, 6000), FS);
    const margin = bandpassMarginFrames(300, FS);
    const nearBorder = (f: number): boolean => { const d = f % FS; return d < margin || d >= FS - margin; };
    const overall = stats(ours, si, () => true, raw.num_channels);
    const borders = stats(ours, si, nearBorder, raw.num_channels);
    const ends = stats(ours, si, (f) => f < margin || f >= raw.num_frames - margin, raw.num_channels);
    process.stdout.write(
      `[bandpass vs SpikeInterface] overall rel RMS ${overall.rel_rms.toExponential(2)} (max |err| ${overall.max_abs_uv.toExponential(2)} µV); ` +
        `chunk borders ${borders.rel_rms.toExponential(2)}; recording ends ${ends.rel_rms.toExponential(2)}\n`,
    );
    expect(overall.rel_rms).toBeLessThan(1e-4);
    expect(borders.rel_rms).toBeLessThan(1e-4);
    expect(ends.rel_rms).toBeLessThan(1e-4);
  }, 120000);

  it('a channel selection filters to the same samples as the full request', () => {
    const bp = bandpassRecording(raw, 300, 6000);
    const all = bp.getTraces(20000, 41000);
    const pick = [13, 2, 9];
    const some = bp.getTraces(20000, 41000, pick);
    expect(some.length).toBe(21000 * pick.length);
    let mismatches = 0;
    for (let f = 0; f < 21000; f++) pick.forEach((c, j) => { if (some[f * pick.length + j] !== all[f * raw.num_channels + c]) mismatches++; });
    expect(mismatches).toBe(0);
    expect(() => bp.getTraces(0, 10, [16])).toThrow(RangeError);
  });

  it('one request over the whole recording equals scipy to float32 rounding', () => {
    const bp = bandpassRecording(raw, 300, 6000);
    const whole = stats(bp.getTraces(0, raw.num_frames), ref, () => true, raw.num_channels);
    process.stdout.write(`[bandpass] single whole-range request rel RMS ${whole.rel_rms.toExponential(2)}\n`);
    expect(whole.rel_rms).toBeLessThan(1e-6);
  });

  it('different chunkings agree, and odd-sized / tiny requests work', async () => {
    const bp = bandpassRecording(raw, 300, 6000);
    const a = await readAll(bp, FS);
    const b = await readAll(bp, 7919);
    expect(stats(b, a, () => true, raw.num_channels).rel_rms).toBeLessThan(1e-3);
    expect(bp.getTraces(5, 6).length).toBe(raw.num_channels);
    expect(bp.getTraces(3, 3).length).toBe(0);
    expect(bp.getTraces(raw.num_frames - 1, raw.num_frames).length).toBe(raw.num_channels);
  });
});

describe('bandpassRecording parameters', () => {
  const rec = memoryRecording(new Float32Array(2000 * 2), { sampling_frequency: FS, num_channels: 2 });

  it('default margin is 5 periods of freq_min: trunc(5000/300 ms · 20 kHz) = 333 frames', () => {
    expect(bandpassMarginFrames(300, FS)).toBe(333);
    expect(bandpassMarginFrames(300, FS, 5)).toBe(100);
  });

  it('freq_max at or above Nyquist → RangeError naming freq_max, its value and the limit', () => {
    expect(() => bandpassRecording(rec, 300, 10000)).toThrow(RangeError);
    expect(() => bandpassRecording(rec, 300, 12000)).toThrow(/freq_max = 12000 Hz .*Nyquist frequency 10000 Hz/);
  });

  it('freq_min below 100 Hz or above freq_max → RangeError', () => {
    expect(() => bandpassRecording(rec, 50, 6000)).toThrow(/freq_min = 50 Hz/);
    expect(() => bandpassRecording(rec, 7000, 6000)).toThrow(RangeError);
  });

  it('keeps metadata and float32 output; a recording shorter than the filter padding is invalid', () => {
    const bp = bandpassRecording(rec, 300, 6000);
    expect(bp.num_frames).toBe(2000);
    expect(bp.channel_ids).toEqual(['0', '1']);
    expect(bp.getTraces(0, 10)).toBeInstanceOf(Float32Array);
    const short = memoryRecording(new Float32Array(30), { sampling_frequency: FS, num_channels: 1 });
    expect(() => bandpassRecording(short, 300, 6000)).toThrow(InvalidRecordingError);
  });
});
