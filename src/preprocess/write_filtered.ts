/**
 * Read → band-pass → int16 binary (pipeline spec §3.4, §3.7) over worker threads. The
 * calling thread reads each chunk with its margins (sources such as h5wasm live there) and
 * writes results in chunk order; workers filter and encode. At most 2 × threads chunks are
 * in flight, so memory does not grow with the recording's length. The bytes are exactly
 * those of `writeInt16Binary(bandpassRecording(source, …))` with the same chunking, so a
 * write may resume from a chunk written by either path.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { type BandpassOptions, type BandpassPlan, bandpassRecording, bandpassWindow, planBandpass, readFilterInput } from '../dsp/bandpass';
import { type ChunkOptions, type ChunkRange, planChunks, resolveChunkFrames } from '../dsp/chunks';
import type { FilterInput } from '../dsp/filtfilt_frames';
import { type Int16BinaryWriteResult, type ResumableInt16File, int16WriteResult, openResumableInt16, writeInt16Binary } from '../io/binary';
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
  // The threads boot (modules, kernel compilation) while this one opens the output, which
  // takes a while when it truncates a large earlier file.
  const pool = new WorkerPool<FilterTask, FilterResult>(script, threads, workerDataOf(plan));
  let out: ResumableInt16File;
  try {
    out = openResumableInt16(path, { num_frames: source.num_frames, num_channels: nch, chunk_frames: opts.chunk_frames }, opts.start_chunk ?? 0);
  } catch (err) {
    await pool.close();
    throw err;
  }
  const all = planChunks(source.num_frames, opts.chunk_frames);
  const todo = all.slice(out.start_chunk);
  const maxInFlight = 2 * threads;
  const blocks = new BlockPool(source, plan, todo);
  const flusher = new EarlyFlush(path);
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
        const into = blocks.take();
        const input = transferable(readFilterInput(source, w.start, w.end, undefined, into), into);
        const task = pool.run({ start: next.start, end: next.end, num_channels: nch, input }, [input.data.buffer as ArrayBuffer]);
        // Handled here so that a failure of a chunk not yet awaited is not reported as unhandled;
        // it still rejects when its turn comes.
        task.catch(() => undefined);
        inFlight.push(task);
      }
      const { bytes, byte_length } = await untilAborted(inFlight.shift() as Promise<FilterResult>, opts.signal);
      if (writing) {
        await writing.done;
        progress(writing.chunk);
      }
      const done = out.writeAsync(new Uint8Array(bytes, 0, byte_length), ch.start);
      writing = { chunk: ch.index, done };
      done.then(() => { blocks.give(bytes); flusher.wrote(byte_length); }, () => undefined);
    }
    if (writing) {
      await writing.done;
      progress(writing.chunk);
      writing = null;
    }
    await flusher.settle();
    out.finish();
  } finally {
    // The descriptor must outlive any write still using it.
    if (writing) await writing.done.catch(() => undefined);
    await flusher.close();
    out.close();
    await pool.close();
  }
  return out.start_chunk;
}

/** Bytes written between two early flushes. */
const FLUSH_BYTES = 128 * 1024 * 1024;

/**
 * Flushes the output to disk while later chunks are still being filtered, so that the final
 * flush (finish()) only waits for the last few chunks: the page cache would otherwise hold
 * the whole file until then (the kernel starts writing back only after 30 s or gigabytes),
 * and a 1 GB flush at the end is dead time. Through a descriptor of its own: fdatasync
 * writes the file's dirty pages whichever descriptor wrote them.
 */
class EarlyFlush {
  private fd: Promise<FileHandle> | null;
  private pending = 0;
  private flushing: Promise<void> | null = null;

  constructor(path: string) {
    this.fd = FLUSH_BYTES > 0 ? open(path, 'r+') : null;
    this.fd?.catch(() => undefined);
  }

  wrote(bytes: number): void {
    this.pending += bytes;
    if (this.fd === null || this.flushing !== null || this.pending < FLUSH_BYTES) return;
    this.pending = 0;
    const fd = this.fd;
    // A failed early flush is not an error of the write: finish() flushes everything again.
    this.flushing = fd.then((h) => h.datasync()).catch(() => undefined).finally(() => { this.flushing = null; });
  }

  async settle(): Promise<void> {
    await this.flushing;
  }

  async close(): Promise<void> {
    await this.flushing;
    const fd = this.fd;
    this.fd = null;
    if (fd) await fd.then((h) => h.close(), () => undefined);
  }
}

/**
 * Blocks for stored samples, recycled: each chunk's input buffer comes back from its worker
 * holding the output and, once that is written, takes a later chunk's samples. Fresh 20 MB
 * blocks per chunk cost more in page faults (on the reading thread) than the reads' copies.
 * Every block is in flight, being written or here, so there are never more than the chunks
 * in flight plus one.
 */
class BlockPool {
  private readonly free: ArrayBuffer[] = [];
  /** Bytes of the largest chunk window's stored samples (0: the source has none). */
  private readonly bytes: number;

  constructor(source: Recording, plan: BandpassPlan, chunks: readonly ChunkRange[]) {
    let frames = 0;
    for (const c of chunks) {
      const w = bandpassWindow(plan, c.start, c.end);
      frames = Math.max(frames, w.end - w.start);
    }
    this.bytes = source.getStoredChannelMajor === undefined ? 0 : frames * source.num_channels * 2;
  }

  take(): ArrayBuffer | undefined {
    if (this.bytes === 0) return undefined;
    return this.free.pop() ?? new ArrayBuffer(this.bytes);
  }

  give(block: ArrayBuffer): void {
    if (this.bytes > 0 && block.byteLength === this.bytes) this.free.push(block);
  }
}

/**
 * An input whose samples can be transferred whole: a view into a larger buffer is copied
 * first (it may be a source's own memory), unless that buffer is our block `into`.
 */
function transferable(input: FilterInput, into: ArrayBuffer | undefined): FilterInput {
  const a = input.data;
  if (a.byteOffset === 0 && (a.byteLength === a.buffer.byteLength || a.buffer === into)) return input;
  if (input.layout === 'stored') return { ...input, data: input.data.slice() };
  return { ...input, data: input.data.slice() };
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
