import { InvalidRecordingError } from '../../src/errors';
import type { Recording } from '../../src/io/recording';
import { frameSlice, roundHalfEven, sliceRecording } from '../../src/io/slice';

/** A 1-channel recording whose sample value is its frame index (cheap stand-in for long data). */
function indexRecording(numFrames: number, fs = 20000): Recording {
  return {
    source_path: '/data/r.raw.h5', sampling_frequency: fs, num_channels: 1, num_frames: numFrames,
    channel_ids: ['0'], locations: [[0, 0]], electrodes: null,
    getTraces: (s, e) => Float32Array.from({ length: e - s }, (_, i) => s + i),
    close: () => undefined,
  };
}

function invalid(fn: () => unknown): InvalidRecordingError {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(InvalidRecordingError); return e as InvalidRecordingError; }
  throw new Error('expected InvalidRecordingError');
}

describe('sliceRecording (spec §3.6, §6 #17–18)', () => {
  const rec = indexRecording(200000); // 10 s at 20 kHz

  it('start 2 s / end 5 s → frames (40000, 100000)', () => {
    const s = sliceRecording(rec, { start_time_s: 2, end_time_s: 5 });
    expect(s.num_frames).toBe(60000);
    expect(Array.from(s.getTraces(0, 1))).toEqual([40000]);
    expect(Array.from(s.getTraces(59999, 60000))).toEqual([99999]);
  });

  it('end past the duration is clipped', () => {
    const s = sliceRecording(rec, { start_time_s: 2, end_time_s: 12 });
    expect(s.num_frames).toBe(160000);
    expect(s.getTraces(159999, 160000)[0]).toBe(199999);
    expect(sliceRecording(rec, { end_time_s: 3 }).num_frames).toBe(60000);
    expect(sliceRecording(rec, { start_time_s: 9 }).num_frames).toBe(20000);
  });

  it('start ≥ end or start < 0 → Invalid time range naming the fields and values', () => {
    const e = invalid(() => sliceRecording(rec, { start_time_s: 5, end_time_s: 2 }));
    expect(e.message).toMatch(/^Invalid time range: start_time_s=5, end_time_s=2 for \/data\/r\.raw\.h5/);
    expect(invalid(() => sliceRecording(rec, { start_time_s: -1 })).attributes.field).toBe('start_time_s');
    expect(invalid(() => sliceRecording(rec, { start_time_s: 10 })).message).toMatch(/Invalid time range/);
  });

  it('zero duration with a time parameter → error; without one → the recording as is', () => {
    const empty = indexRecording(0);
    expect(invalid(() => sliceRecording(empty, { start_time_s: 0 })).message).toMatch(/zero duration/);
    expect(sliceRecording(empty, {}).num_frames).toBe(0);
  });

  it('frames are round-half-to-even of t·fs', () => {
    expect([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, 2, 3]);
    const r = indexRecording(100, 10); // 10 Hz: t = 0.25 s → 2.5 frames → 2
    const s = sliceRecording(r, { start_time_s: 0.25, end_time_s: 0.35 });
    expect(s.getTraces(0, 1)[0]).toBe(2);
    expect(s.num_frames).toBe(2); // 3.5 → 4
  });

  it('first_n_mins: 1 min of a 2-min recording → 1 200 000 frames; 3 min → whole; 0 → whole', () => {
    const two = indexRecording(2 * 60 * 20000);
    expect(sliceRecording(two, { first_n_mins: 1 }).num_frames).toBe(1_200_000);
    expect(sliceRecording(two, { first_n_mins: 3 }).num_frames).toBe(2_400_000);
    expect(sliceRecording(two, { first_n_mins: 0 }).num_frames).toBe(2_400_000);
    expect(invalid(() => sliceRecording(two, { first_n_mins: -1 })).attributes.field).toBe('first_n_mins');
  });

  it('a time range is checked against the full duration but cut from the first_n_mins result', () => {
    const two = indexRecording(2 * 60 * 20000);
    const ok = sliceRecording(two, { first_n_mins: 1, start_time_s: 10, end_time_s: 20 });
    expect(ok.num_frames).toBe(200000);
    expect(ok.getTraces(0, 1)[0]).toBe(200000);
    expect(invalid(() => sliceRecording(two, { first_n_mins: 1, start_time_s: 70, end_time_s: 80 })).message)
      .toMatch(/past the end of the first_n_mins=1 cut/);
  });
});

describe('frameSlice', () => {
  it('offsets requests and rejects bad ranges with InvalidRecordingError', () => {
    const rec = indexRecording(1000);
    const s = frameSlice(rec, 100, 300);
    expect(Array.from(s.getTraces(0, 2))).toEqual([100, 101]);
    expect(frameSlice(s, 50, 60).getTraces(0, 1)[0]).toBe(150);
    expect(() => s.getTraces(0, 201)).toThrow(RangeError);
    expect(invalid(() => frameSlice(rec, 10, 1001)).message).toContain('/data/r.raw.h5');
    expect(() => frameSlice(rec, 5, 2)).toThrow(InvalidRecordingError);
  });
});
