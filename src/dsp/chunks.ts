/**
 * The one chunk loop every stage uses to walk a recording: fixed-size frame chunks,
 * progress after each, cancellation between them, and a resume point (`start_chunk`) so a
 * retried activity skips work already on disk. Chunks run sequentially here; the worker-thread
 * writer (src/preprocess) walks the same `planChunks` list with several chunks in flight.
 */
import type { Recording } from '../io/recording';

export interface ChunkProgress {
  /** Index of the chunk just finished; resume with `start_chunk = chunk + 1`. */
  chunk: number;
  n_chunks: number;
  fraction_done: number;
}

export interface ChunkOptions {
  /** Frames per chunk; default one second of frames. */
  chunk_frames?: number;
  /** First chunk to process (chunks before it are assumed done). Default 0. */
  start_chunk?: number;
  signal?: AbortSignal;
  onProgress?: (p: ChunkProgress) => void;
}

export interface ChunkRange {
  index: number;
  start: number;
  end: number;
}

export type ChunkFn = (traces: Float32Array, startFrame: number, endFrame: number, chunkIndex: number) => void | Promise<void>;

export function defaultChunkFrames(rec: Recording): number {
  return Math.max(1, Math.round(rec.sampling_frequency));
}

export function resolveChunkFrames(rec: Recording, chunkFrames: number | undefined): number {
  const n = chunkFrames ?? defaultChunkFrames(rec);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`chunk_frames must be a positive integer, got ${n}`);
  return n;
}

/** Chunk boundaries for `numFrames` frames; the last chunk may be shorter. */
export function planChunks(numFrames: number, chunkFrames: number): ChunkRange[] {
  const out: ChunkRange[] = [];
  for (let i = 0, s = 0; s < numFrames; i++, s += chunkFrames) out.push({ index: i, start: s, end: Math.min(numFrames, s + chunkFrames) });
  return out;
}

export async function forEachChunk(rec: Recording, opts: ChunkOptions, fn: ChunkFn): Promise<void> {
  const chunks = planChunks(rec.num_frames, resolveChunkFrames(rec, opts.chunk_frames));
  const first = opts.start_chunk ?? 0;
  if (!Number.isInteger(first) || first < 0 || first > chunks.length) {
    throw new RangeError(`start_chunk must be an integer in [0, ${chunks.length}], got ${first}`);
  }
  for (const ch of chunks.slice(first)) {
    opts.signal?.throwIfAborted();
    await fn(rec.getTraces(ch.start, ch.end), ch.start, ch.end, ch.index);
    opts.onProgress?.({ chunk: ch.index, n_chunks: chunks.length, fraction_done: (ch.index + 1) / chunks.length });
    // Reading and filtering are synchronous: give the event loop a turn after every chunk, or
    // heartbeats, cancellation and watchdog polls would all wait until the whole walk is done.
    await yieldToEventLoop();
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolveTurn) => setImmediate(resolveTurn));
}
