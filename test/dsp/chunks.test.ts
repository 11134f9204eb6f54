import { type ChunkProgress, forEachChunk, planChunks } from '../../src/dsp/chunks';
import { memoryRecording } from '../../src/io/memory';

const rec = memoryRecording(Float32Array.from({ length: 2500 * 2 }, (_, i) => i), { sampling_frequency: 1000, num_channels: 2 });

describe('forEachChunk', () => {
  it('plans fixed chunks with a shorter last one', () => {
    expect(planChunks(2500, 1000)).toEqual([
      { index: 0, start: 0, end: 1000 }, { index: 1, start: 1000, end: 2000 }, { index: 2, start: 2000, end: 2500 },
    ]);
    expect(planChunks(0, 1000)).toEqual([]);
  });

  it('defaults to one second of frames, passes traces and reports progress after each chunk', async () => {
    const seen: [number, number, number, number][] = [];
    const progress: ChunkProgress[] = [];
    await forEachChunk(rec, { onProgress: (p) => progress.push(p) }, (t, s, e, i) => {
      seen.push([s, e, i, t[0]]);
      expect(t.length).toBe((e - s) * 2);
    });
    expect(seen).toEqual([[0, 1000, 0, 0], [1000, 2000, 1, 2000], [2000, 2500, 2, 4000]]);
    expect(progress).toEqual([
      { chunk: 0, n_chunks: 3, fraction_done: 1 / 3 }, { chunk: 1, n_chunks: 3, fraction_done: 2 / 3 }, { chunk: 2, n_chunks: 3, fraction_done: 1 },
    ]);
  });

  it('resumes from start_chunk and awaits async work in order', async () => {
    const order: number[] = [];
    await forEachChunk(rec, { chunk_frames: 500, start_chunk: 3 }, async (_t, _s, _e, i) => {
      await new Promise((r) => setTimeout(r, 5 - i));
      order.push(i);
    });
    expect(order).toEqual([3, 4]);
    await expect(forEachChunk(rec, { chunk_frames: 500, start_chunk: 6 }, () => undefined)).rejects.toThrow(RangeError);
    await expect(forEachChunk(rec, { chunk_frames: 0 }, () => undefined)).rejects.toThrow(RangeError);
  });

  it('checks the abort signal between chunks and throws its reason', async () => {
    const ac = new AbortController();
    const reason = new Error('cancelled by test');
    const done: number[] = [];
    const run = forEachChunk(rec, { chunk_frames: 500, signal: ac.signal }, (_t, _s, _e, i) => {
      done.push(i);
      if (i === 1) ac.abort(reason);
    });
    await expect(run).rejects.toBe(reason);
    expect(done).toEqual([0, 1]);
  });
});

test('the walk yields to the event loop between chunks (heartbeat timers and cancellation get a turn)', async () => {
  const rec = memoryRecording(new Float32Array(4 * 2), { sampling_frequency: 1, num_channels: 2 });
  let timerRan = false;
  const seenAt: number[] = [];
  setImmediate(() => { timerRan = true; });
  await forEachChunk(rec, { chunk_frames: 1 }, (_t, _s, _e, i) => { if (timerRan) seenAt.push(i); });
  // Chunk 0 runs before any turn of the event loop; every later chunk runs after one.
  expect(seenAt).toEqual([1, 2, 3]);
});
