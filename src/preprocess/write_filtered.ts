/**
 * Read → band-pass → int16 binary (pipeline spec §3.4, §3.7) over worker threads. The
 * calling thread reads each chunk with its margins (sources such as h5wasm live there) and
 * writes results in chunk order; workers filter and encode. At most 2 × threads chunks are
 * in flight, so memory does not grow with the recording's length. The bytes are exactly
 * those of `writeInt16Binary(bandpassRecording(source, …))` with the same chunking, so a
 * write may resume from a chunk written by either path.
 */
import { availableParallelism } from 'node:os';
import { type BandpassOptions, type BandpassPlan, bandpassRecording, bandpassWindow, planBandpass } from '../dsp/bandpass';
import { type ChunkOptions, planChunks, resolveChunkFrames } from '../dsp/chunks';
import { type Int16BinaryWriteResult, int16WriteResult, openResumableInt16, writeInt16Binary } from '../io/binary';
import type { Recording } from '../io/recording';
import { type FilterResult, type FilterTask, workerDataOf } from './filter_task';
import { filterWorkerScript } from './filter_worker_path';
import { WorkerPool } from './worker_pool';

export interface FilteredBinaryOptions extends ChunkOptions, BandpassOptions {
  freq_min: number;
  freq_max: number;
  /** Filter worker threads; default: the machine's cores. 0 filters on the calling thread. */
  threads?: number;
}

export interface FilteredBinaryResult extends Int16BinaryWriteResult {
  /** Worker threads that filtered (0: the calling thread did). */
  threads: number;
  /** Why the calling thread filtered although workers were asked for; null otherwise. */
  in_thread_reason: string | null;
}

/** `source` is the unfiltered recording in µV; the file gets its band-passed int16 samples. */
export async function writeFilteredInt16Binary(source: Recording, path: string, opts: FilteredBinaryOptions): Promise<FilteredBinaryResult> {
  const plan = planBandpass(source, opts.freq_min, opts.freq_max, opts);
  const chunkFrames = resolveChunkFrames(source, opts.chunk_frames);
  const threads = opts.threads ?? threadsFromEnv() ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer, got ${threads}`);
  const script = threads > 0 ? filterWorkerScript() : { unavailable: 'threads = 0' };
  if ('unavailable' in script) {
    const res = await writeInt16Binary(bandpassRecording(source, opts.freq_min, opts.freq_max, opts), path, { ...opts, chunk_frames: chunkFrames });
    return { ...res, threads: 0, in_thread_reason: threads > 0 ? `filter workers unavailable: ${script.unavailable}` : null };
  }
  const start = await writeWithWorkers(source, plan, path, { ...opts, chunk_frames: chunkFrames }, script.path, threads);
  return { ...int16WriteResult(path, source, start), threads, in_thread_reason: null };
}

/**
 * `SPIKELAB_FILTER_THREADS`: band-pass threads of every load on this host (a shared machine
 * may want fewer than its cores; 0 filters on the activity's own thread).
 */
function threadsFromEnv(): number | null {
  const raw = process.env.SPIKELAB_FILTER_THREADS;
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`SPIKELAB_FILTER_THREADS must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Returns the chunk the write started from. */
async function writeWithWorkers(
  source: Recording, plan: BandpassPlan, path: string, opts: ChunkOptions & { chunk_frames: number }, script: string, threads: number,
): Promise<number> {
  const nch = source.num_channels;
  const out = openResumableInt16(path, { num_frames: source.num_frames, num_channels: nch, chunk_frames: opts.chunk_frames }, opts.start_chunk ?? 0);
  const all = planChunks(source.num_frames, opts.chunk_frames);
  const todo = all.slice(out.start_chunk);
  const pool = new WorkerPool<FilterTask, FilterResult>(script, threads, workerDataOf(plan));
  const maxInFlight = 2 * threads;
  const inFlight: Promise<FilterResult>[] = [];
  // The previous chunk's write, left running while this thread reads ahead: writing 20 MB to a
  // file can block for tens of milliseconds on disk throttling, and this thread's reads are
  // what every worker waits for.
  let writing: { chunk: number; done: Promise<void> } | null = null;
  const progress = (chunk: number): void => opts.onProgress?.({ chunk, n_chunks: all.length, fraction_done: (chunk + 1) / all.length });
  try {
    let submitted = 0;
    for (const ch of todo) {
      while (submitted < todo.length && inFlight.length < maxInFlight) {
        opts.signal?.throwIfAborted();
        const next = todo[submitted++];
        const w = bandpassWindow(plan, next.start, next.end);
        const raw = ownBuffer(source.getTraces(w.start, w.end));
        const task = pool.run({ start: next.start, end: next.end, num_channels: nch, raw }, [raw.buffer as ArrayBuffer]);
        // Handled here so that a failure of a chunk not yet awaited is not reported as unhandled;
        // it still rejects when its turn comes.
        task.catch(() => undefined);
        inFlight.push(task);
      }
      const { bytes } = await untilAborted(inFlight.shift() as Promise<FilterResult>, opts.signal);
      if (writing) {
        await writing.done;
        progress(writing.chunk);
      }
      writing = { chunk: ch.index, done: out.writeAsync(new Uint8Array(bytes), ch.start) };
      writing.done.catch(() => undefined);
    }
    if (writing) {
      await writing.done;
      progress(writing.chunk);
      writing = null;
    }
    out.finish();
  } finally {
    // The descriptor must outlive any write still using it.
    if (writing) await writing.done.catch(() => undefined);
    out.close();
    await pool.close();
  }
  return out.start_chunk;
}

/** A buffer that can be transferred whole: a view into a larger buffer is copied first. */
function ownBuffer(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/** `p`, or the abort reason as soon as `signal` aborts. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolveP, rejectP) => {
    const onAbort = (): void => rejectP(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolveP(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); rejectP(e); },
    );
  });
}
