/**
 * The inspect module on in-memory recordings with known planted defects: the hints must
 * name exactly the planted channels, saturation must come from raw = (µV − offset) / gain
 * at the dtype's rails, the noise estimate must match the band-limited σ, and reading must
 * stay within the planned windows.
 */
import { INSPECT_DEFAULTS, inspectRecording, planWindows, railsFor } from '../../src/io/inspect';
import { sourceInfoFallback } from '../../src/io/inspect_source';
import { madStdInPlace } from '../../src/dsp/median';
import { memoryRecording } from '../../src/io/memory';
import { Prng } from '../../src/io/prng';
import { DerivedRecording, type Recording, type SourceInfo } from '../../src/io/recording';

const FS = 20000;

function info(over: Partial<SourceInfo> & Pick<SourceInfo, 'dtype' | 'gain_to_uv' | 'offset_to_uv'>): SourceInfo {
  return { format: 'binary', stream_id: null, streams: [], details: {}, frame_gaps: [], ...over };
}

/** A source recording with `source_info`, as a real reader returns it. */
function withInfo(rec: Recording, si: SourceInfo): Recording {
  return Object.assign(Object.create(Object.getPrototypeOf(rec) as object) as Recording, rec, { source_info: si });
}

/** Frame-major µV built channel by channel from raw integer codes. */
function tracesFromRaw(numFrames: number, gains: number[], offsets: number[], rawOf: (c: number, f: number) => number): Float32Array {
  const nch = gains.length;
  const out = new Float32Array(numFrames * nch);
  for (let f = 0; f < numFrames; f++) for (let c = 0; c < nch; c++) out[f * nch + c] = rawOf(c, f) * gains[c] + offsets[c];
  return out;
}

describe('robust noise', () => {
  it('MAD / 0.6745 of Gaussian samples estimates σ', () => {
    const rng = new Prng(5);
    const x = Float64Array.from({ length: 200000 }, () => 3 + 12 * rng.normal());
    expect(madStdInPlace(x)).toBeGreaterThan(12 * 0.98);
    expect(madStdInPlace(Float64Array.from({ length: 200000 }, () => 12 * rng.normal()))).toBeLessThan(12 * 1.02);
  });
});

describe('planWindows', () => {
  it('spreads ceil(sample_s / window_s) equal windows from the start to the end', () => {
    const w = planWindows(10 * FS, FS, 5, 1);
    expect(w).toHaveLength(5);
    expect(w.every((x) => x.end_frame - x.start_frame === FS)).toBe(true);
    expect(w[0].start_frame).toBe(0);
    expect(w[4].end_frame).toBe(10 * FS);
    const starts = w.map((x) => x.start_frame);
    expect(starts).toEqual([0, 45000, 90000, 135000, 180000]);
  });

  it('shorter windows for a fractional total, fewer for a short recording, one for a tiny one', () => {
    expect(planWindows(10 * FS, FS, 2.5, 1).map((x) => x.end_frame - x.start_frame)).toEqual([16667, 16667, 16667]);
    expect(planWindows(3 * FS, FS, 5, 1)).toHaveLength(3);
    expect(planWindows(500, FS, 5, 1)).toEqual([{ start_frame: 0, end_frame: 500 }]);
    expect(() => planWindows(1000, FS, 0, 1)).toThrow(/sample_s/);
  });
});

describe('railsFor', () => {
  it('uses the dtype limits, Maxwell\'s 10-bit ADC codes, and none for floats', () => {
    expect(railsFor({ format: 'binary', dtype: 'int16' })).toMatchObject({ low: -32768, high: 32767 });
    expect(railsFor({ format: 'nwb', dtype: 'uint16' })).toMatchObject({ low: 0, high: 65535 });
    expect(railsFor({ format: 'maxwell', dtype: 'uint16' })).toMatchObject({ low: 0, high: 1023 });
    expect(railsFor({ format: 'nwb', dtype: 'float32' })).toBeNull();
  });
});

describe('inspectRecording on an int16 source with planted defects', () => {
  // Intan-like scaling with a non-zero offset: saturation is only found if both are undone.
  const GAIN = 0.195;
  const OFFSET = -100;
  const NCH = 9;
  const N = 4 * FS;
  const rng = new Prng(11);
  const noise = Array.from({ length: NCH }, () => Float64Array.from({ length: N }, () => rng.normal()));
  const gains = new Array<number>(NCH).fill(GAIN);
  const offsets = new Array<number>(NCH).fill(OFFSET);
  // Clipping comes in 50 ms bursts, as when an amplifier saturates after an artefact.
  const burst = (f: number): boolean => f % 3000 < 1000;
  const raw = (c: number, f: number): number => {
    const n = Math.round(40 * noise[c][f]); // ≈ 7.8 µV white noise
    switch (c) {
      case 1: return 1200; // flat, mid-range
      case 2: return burst(f) ? -32768 : n; // a third of the samples at the low rail
      case 5: return 6 * n; // noisiest
      case 6: return 32767; // stuck at the high rail: flat and saturated
      case 7: return burst(f) ? 32766 : n; // one code below the rail: not saturated
      default: return n;
    }
  };
  const traces = tracesFromRaw(N, gains, offsets, raw);
  traces[1000 * NCH + 3] = Number.NaN;
  traces[2 * FS * NCH + 3] = Number.NaN;
  traces[3 * FS * NCH + 4] = Number.POSITIVE_INFINITY;
  const ids = Array.from({ length: NCH }, (_, c) => `A-${c * 3}`);
  const rec = withInfo(
    memoryRecording(traces, { sampling_frequency: FS, num_channels: NCH, channel_ids: ids, source_path: '/data/intan.dat' }),
    info({ dtype: 'int16', gain_to_uv: gains, offset_to_uv: offsets }),
  );
  // The whole recording is sampled, so every planted NaN falls in a window.
  const report = inspectRecording(rec, rec.source_info as SourceInfo, { sample_s: 4 });

  it('names exactly the flat, saturated and non-finite channels', () => {
    expect(report.hints.flat).toEqual([ids[1], ids[6]]);
    expect(report.hints.saturated.map((s) => s.channel_id)).toEqual([ids[2], ids[6]]);
    const bursts = Array.from({ length: N }, (_, f) => burst(f)).filter(Boolean).length;
    expect(report.hints.saturated[0].fraction).toBe(bursts / N);
    expect(report.hints.saturated[1].fraction).toBe(1);
    expect(report.hints.non_finite).toEqual([{ channel_id: ids[3], count: 2 }, { channel_id: ids[4], count: 1 }]);
    expect(report.channels[7].saturated_fraction).toBe(0);
    expect(report.channels[3].flags).toEqual(['non_finite']);
    expect(report.hints.notes).toEqual([]);
  });

  it('lists the noisiest channels by band-passed MAD noise, the planted one first', () => {
    expect(report.hints.noisiest[0].channel_id).toBe(ids[5]);
    const typical = report.channels[0].noise_uv as number;
    // White noise of σ = 40 codes × 0.195 µV keeps (6000 − 300) / 10000 of its power in the band.
    expect(typical).toBeGreaterThan(40 * GAIN * Math.sqrt(0.57) * 0.95);
    expect(typical).toBeLessThan(40 * GAIN * Math.sqrt(0.57) * 1.05);
    expect(report.hints.noisiest[0].ratio_to_median).toBeGreaterThan(5);
    expect(report.channels[3].noise_uv).not.toBeNull(); // NaN-free windows still give a level
    expect(report.hints.noise_method).toMatch(/300–6000 Hz/);
  });

  it('reports the facts of the source', () => {
    expect(report).toMatchObject({
      path: '/data/intan.dat', format: 'binary', dtype: 'int16', num_channels: NCH, num_frames: N, duration_s: 4,
      gain_to_uv: { min: GAIN, max: GAIN, uniform: true }, offset_to_uv: { min: OFFSET, max: OFFSET, uniform: true },
      rails: { low: -32768, high: 32767 },
    });
    expect(report.sample.seconds).toBe(4);
    expect(report.sample.fraction_of_recording).toBe(1);
  });
});

describe('inspectRecording without rails, and what it reads', () => {
  class CountingRecording extends DerivedRecording {
    readonly num_frames: number;
    readonly requests: [number, number][] = [];
    constructor(parent: Recording) {
      super(parent);
      this.num_frames = parent.num_frames;
    }
    getTraces(s: number, e: number, channels?: readonly number[]): Float32Array {
      this.requests.push([s, e]);
      return this.parent.getTraces(s, e, channels);
    }
  }

  const N = 60 * FS;
  const NCH = 2;
  const traces = new Float32Array(N * NCH);
  const rng = new Prng(2);
  for (let f = 0; f < N; f++) traces[f * NCH] = 5 * rng.normal(); // channel 1 stays 0.0
  const source = withInfo(memoryRecording(traces, { sampling_frequency: FS, num_channels: NCH }),
    info({ format: 'nwb', dtype: 'float32', gain_to_uv: [1, 1], offset_to_uv: [0, 0] }));

  it('a float source has no saturation check (said in a note) and a µV flat threshold', () => {
    const counting = new CountingRecording(source);
    const r = inspectRecording(counting, source.source_info as SourceInfo);
    expect(r.rails).toBeNull();
    expect(r.hints.saturated_rule).toBeNull();
    expect(r.hints.notes.join(' ')).toMatch(/float32 samples have no fixed rails/);
    expect(r.hints.flat).toEqual(['1']);
    expect(r.channels.every((c) => c.saturated_fraction === null)).toBe(true);
  });

  it('reads only the planned windows: 5 × 1 s of a 60 s recording, one request each', () => {
    const counting = new CountingRecording(source);
    inspectRecording(counting, source.source_info as SourceInfo);
    expect(counting.requests).toEqual(planWindows(N, FS, INSPECT_DEFAULTS.sample_s, INSPECT_DEFAULTS.window_s).map((w) => [w.start_frame, w.end_frame]));
    const frames = counting.requests.reduce((s, [a, b]) => s + b - a, 0);
    expect(frames).toBe(5 * FS);
  });

  it('skips the saturation check when gains do not match the channel count', () => {
    const odd = info({ format: 'binary', dtype: 'int16', gain_to_uv: [1, 1, 1], offset_to_uv: [0] });
    const r = inspectRecording(source, odd);
    expect(r.rails).toBeNull();
    expect(r.hints.notes.join(' ')).toMatch(/3 gains \/ 1 offsets for 2 channels/);
  });

  it('a reader without source_info: format from the path, no scaling, no saturation check, gaps not checked', () => {
    const stand_in = sourceInfoFallback('/data/x.bin', { stream_id: null });
    const r = inspectRecording(source, stand_in, {}, { source_info_from: 'inspect' });
    expect(r).toMatchObject({ format: 'binary', dtype: 'unknown', gain_to_uv: null, offset_to_uv: null, rails: null, frame_gaps_checked: false, source_info_from: 'inspect' });
    expect(r.hints.notes).toEqual(['saturation not checked: the reader does not report the stored sample type']);
    expect(r.hints.flat).toEqual(['1']);
  });
});
