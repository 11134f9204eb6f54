import { join } from 'node:path';
import { bandpassRecording } from '../../src/dsp/bandpass';
import { InvalidRecordingError } from '../../src/errors';
import { concatenateRecordings } from '../../src/io/concat';
import { requireFiniteSamples } from '../../src/io/finite';
import { openMaxwell } from '../../src/io/maxwell';
import { writeMaxwellH5 } from '../../src/io/maxwell_writer';
import { memoryRecording } from '../../src/io/memory';
import { type Recording, scaleStored } from '../../src/io/recording';
import { selectRecording } from '../../src/io/selection';
import { frameSlice, sliceRecording } from '../../src/io/slice';
import { makeTempDir, runPythonScript } from './python';

/** Frame-major (n × k) → channel-major (k × n). */
function transpose(t: Float32Array, k: number): Float32Array {
  const n = k === 0 ? 0 : t.length / k;
  const out = new Float32Array(t.length);
  for (let f = 0; f < n; f++) for (let j = 0; j < k; j++) out[j * n + f] = t[f * k + j];
  return out;
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The channel-major readers of `rec` agree with its getTraces, byte for byte, for these requests. */
function expectChannelMajorAgrees(rec: Recording, requests: readonly [number, number, (readonly number[])?][], stored: boolean): void {
  expect(rec.getTracesChannelMajor).toBeDefined();
  expect(rec.getStoredChannelMajor !== undefined).toBe(stored);
  for (const [s, e, channels] of requests) {
    const k = channels?.length ?? rec.num_channels;
    const want = transpose(rec.getTraces(s, e, channels), k);
    const cm = rec.getTracesChannelMajor?.(s, e, channels) as Float32Array;
    expect(cm.length).toBe(want.length);
    expect(sameBytes(cm, want)).toBe(true);
    if (stored) {
      const st = rec.getStoredChannelMajor?.(s, e, channels);
      if (st === undefined) throw new Error('unreachable');
      const scaled = Float32Array.from(st.samples, (v) => scaleStored(v, st.gain, st.offset));
      expect(sameBytes(scaled, want)).toBe(true);
    }
  }
}

describe('channel-major traces (Recording.getTracesChannelMajor / getStoredChannelMajor)', () => {
  const tmp = makeTempDir('channel-major');
  afterAll(() => tmp.cleanup());
  let legacy: string;
  let maxone: string;
  beforeAll(() => {
    legacy = join(tmp.dir, 'legacy.raw.h5');
    maxone = join(tmp.dir, 'maxone.raw.h5');
    runPythonScript('make_maxwell_fixture.py', [legacy, '--layout', 'legacy']);
    runPythonScript('make_maxwell_fixture.py', [maxone, '--layout', 'maxone']);
  });

  it('Maxwell: both equal the transposed getTraces (legacy sparse rows, current layout, scaling overrides, channel selections)', async () => {
    for (const [path, opts] of [[legacy, {}], [maxone, {}], [maxone, { gain_to_uv: 0.195, offset_to_uv: -10.3 }]] as const) {
      const rec = await openMaxwell(path, opts);
      const n = rec.num_frames;
      const last = rec.num_channels - 1;
      expectChannelMajorAgrees(rec, [[0, n], [17, 1234], [n - 3, n], [5, 5], [100, 200, [last, 0, last, 3]], [100, 200, []]], true);
      rec.close();
    }
  });

  it('Maxwell stored samples: the raw rows, into a caller block when it is large enough', async () => {
    const rec = await openMaxwell(maxone, { gain_to_uv: 1, offset_to_uv: 0 });
    const read = rec.getStoredChannelMajor;
    if (read === undefined) throw new Error('no stored reader');
    const k = rec.num_channels;
    const st = read.call(rec, 40, 140);
    expect(st.samples).toBeInstanceOf(Uint16Array);
    // Gain 1 and offset 0: µV are the ADC values themselves.
    expect(Array.from(st.samples)).toEqual(Array.from(transpose(rec.getTraces(40, 140), k)));

    const block = new ArrayBuffer(100 * k * 2 + 64);
    const into = read.call(rec, 40, 140, undefined, block);
    expect(into.samples.buffer).toBe(block);
    expect(into.samples.byteOffset).toBe(0);
    expect(into.samples.length).toBe(100 * k);
    expect(sameBytes(into.samples, st.samples)).toBe(true);
    // Too small: the samples get their own buffer and the block is left alone.
    const small = new ArrayBuffer(16);
    const own = read.call(rec, 40, 140, undefined, small);
    expect(own.samples.buffer).not.toBe(small);
    expect(sameBytes(own.samples, st.samples)).toBe(true);
    expect(() => read.call(rec, 0, rec.num_frames + 1)).toThrow(RangeError);
    expect(() => read.call(rec, 0, 1, [k])).toThrow(RangeError);
    rec.close();
    expect(() => read.call(rec, 0, 1)).toThrow(/closed/);
  });

  it('Maxwell: requests read in several hyperslabs (more than 8 Mi samples) join seamlessly', async () => {
    const path = join(tmp.dir, 'wide.raw.h5');
    const rows = 1024;
    const frames = 8400;
    const value = (r: number, f: number): number => (r * 37 + f * 11) % 4096;
    await writeMaxwellH5(path, [{
      well: 'well000', sampling_frequency: 20000, lsb: 6.3e-6, num_frames: frames,
      mapping: Array.from({ length: rows }, (_, i) => ({ channel: i, electrode: i, x: i, y: 0 })),
      fill: (s, e, out) => {
        const n = e - s;
        for (let r = 0; r < rows; r++) for (let f = 0; f < n; f++) out[r * n + f] = value(r, s + f);
      },
    }]);
    const rec = await openMaxwell(path, { gain_to_uv: 1 });
    // Rows 0…1023 span every row: 8192 frames per hyperslab.
    expectChannelMajorAgrees(rec, [[0, frames, [1023, 0, 512]], [8100, 8300]], true);
    const samples = rec.getStoredChannelMajor?.(0, frames).samples ?? new Uint16Array(0);
    let bad = 0;
    for (let r = 0; r < rows; r++) for (let f = 0; f < frames; f++) if (samples[r * frames + f] !== (r * 37 + f * 11) % 4096) bad++;
    expect(bad).toBe(0);
    rec.close();
  }, 60000);

  it('wrappers forward them: slices, joined ranges (µV only), the y flip, the finite check (µV only); the band-pass does not', async () => {
    const rec = await openMaxwell(maxone, { offset_to_uv: 3.25 });
    const n = rec.num_frames;
    const sliced = frameSlice(rec, 100, n - 50);
    expectChannelMajorAgrees(sliced, [[0, sliced.num_frames], [7, 301, [2, 1]]], true);
    expect(() => sliced.getTracesChannelMajor?.(0, sliced.num_frames + 1)).toThrow(RangeError);
    expect(() => sliced.getStoredChannelMajor?.(0, sliced.num_frames + 1)).toThrow(RangeError);
    const timed = sliceRecording(rec, { start_time_s: 0.01, end_time_s: 0.05 });
    expectChannelMajorAgrees(timed, [[0, timed.num_frames]], true);

    const flipped = selectRecording(rec, { mea_y_max: -1 }).recording;
    expect(flipped).not.toBe(rec);
    expectChannelMajorAgrees(flipped, [[0, 500], [300, 301, [0]]], true);

    // Range boundaries inside a request: parts are stitched per channel row.
    const joined = selectRecording(rec, { rec_chunks: [[10, 200], [300, 700], [900, 901]] }).recording;
    expectChannelMajorAgrees(joined, [[0, joined.num_frames], [150, 400, [3, 0]], [190, 191], [200, 591]], false);
    expect(() => joined.getTracesChannelMajor?.(0, joined.num_frames + 1)).toThrow(RangeError);

    const finite = requireFiniteSamples(joined);
    expect(finite).not.toBe(joined);
    expectChannelMajorAgrees(finite, [[0, finite.num_frames], [20, 60, [1]]], false);
    // An integer source needs no finite check: the stored path stays.
    expect(requireFiniteSamples(rec)).toBe(rec);

    const bp = bandpassRecording(rec, 300, 6000);
    expect(bp.getTracesChannelMajor).toBeUndefined();
    expect(bp.getStoredChannelMajor).toBeUndefined();
    rec.close();
  });

  it('sources without them give wrappers none (consumers fall back to getTraces)', () => {
    const mem = memoryRecording(new Float32Array(400), { sampling_frequency: 20000, num_channels: 4 });
    for (const r of [frameSlice(mem, 0, 50), selectRecording(mem, { mea_y_max: 10 }).recording, requireFiniteSamples(mem),
      concatenateRecordings([mem, frameSlice(mem, 0, 10)], 'joined')]) {
      expect(r.getTracesChannelMajor).toBeUndefined();
      expect(r.getStoredChannelMajor).toBeUndefined();
    }
  });

  it('the finite check names the same sample (earliest frame, then channel) in either layout', () => {
    const nch = 3;
    const frames = 40;
    const x = new Float32Array(frames * nch).fill(1);
    x[25 * nch + 2] = Number.NaN; // frame 25, channel 2: earliest in channel order, later in frame order
    x[12 * nch + 1] = Number.POSITIVE_INFINITY; // frame 12, channel 1
    x[12 * nch + 2] = Number.NaN; // frame 12, channel 2
    const mem = memoryRecording(x, { sampling_frequency: 1000, num_channels: nch, source_path: '/data/bad.bin' });
    const withChannelMajor: Recording = {
      ...mem,
      getTraces: (s, e, ch) => mem.getTraces(s, e, ch),
      getTracesChannelMajor: (s, e, ch) => transpose(mem.getTraces(s, e, ch), ch?.length ?? nch),
      close: () => mem.close(),
    };
    const rec = requireFiniteSamples(withChannelMajor);
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidRecordingError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    for (const [s, e, ch] of [[0, frames, undefined], [10, 30, [2, 1]], [13, 30, [0, 2]]] as const) {
      const a = message(() => rec.getTraces(s, e, ch));
      expect(message(() => rec.getTracesChannelMajor?.(s, e, ch))).toBe(a);
    }
    expect(message(() => rec.getTracesChannelMajor?.(0, frames))).toMatch(/frame 12 .*channel 1 is Infinity/);
    expect(message(() => rec.getTracesChannelMajor?.(13, frames, [0, 2]))).toMatch(/frame 25 .*channel 2 is NaN/);
  });
});
