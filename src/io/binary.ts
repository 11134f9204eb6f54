/**
 * Raw int16 binaries for sorters (pipeline spec §3.7): little-endian, frame-major
 * interleaved, no header, values = µV truncated toward zero and saturated to int16.
 * Writing goes through the chunk executor, so it reports progress, stops on abort and can
 * resume from a chunk after a retry; reading is a lazy Recording over positioned reads.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readSync, statSync, write, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';
import { type ChunkOptions, forEachChunk, resolveChunkFrames } from '../dsp/chunks';
import { checkFrameRange } from './frame_range';
import { type Recording, checkChannelIndices, pickChannels } from './recording';

const BYTES = 2;
/** Local alias for the per-sample loop (global lookups are slow inside jest's vm contexts). */
const { trunc } = Math;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

export interface Int16BinaryWriteResult {
  path: string;
  num_frames: number;
  num_channels: number;
  bytes: number;
  /** Chunk the write actually started from (after checking what the file already holds). */
  started_at_chunk: number;
}

/** µV → int16 as the reference writes it: truncate toward zero, saturate; NaN → 0. */
export function toInt16(v: number): number {
  const t = trunc(v);
  if (t > 32767) return 32767;
  if (t < -32768) return -32768;
  return t | 0; // in range here; `| 0` also maps NaN and −0 to 0
}

export function encodeInt16(traces: Float32Array): Buffer {
  if (LITTLE_ENDIAN_HOST) {
    const values = new Int16Array(traces.length);
    for (let i = 0; i < traces.length; i++) values[i] = toInt16(traces[i]);
    return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  }
  const buf = Buffer.alloc(traces.length * BYTES);
  for (let i = 0; i < traces.length; i++) buf.writeInt16LE(toInt16(traces[i]), i * BYTES);
  return buf;
}

/** Where chunked int16 output goes: the file's shape and the chunking its resume points count in. */
export interface Int16Layout {
  num_frames: number;
  num_channels: number;
  chunk_frames: number;
}

/** An int16 binary opened for writing chunks from a resume point on; see openResumableInt16. */
export interface ResumableInt16File {
  /** Chunk the write actually starts from (after checking what the file already holds). */
  readonly start_chunk: number;
  readonly n_chunks: number;
  /** Writes little-endian int16 bytes whose first sample is frame `frame`, channel 0. */
  write(bytes: Uint8Array, frame: number): void;
  /**
   * The same without blocking the calling thread (the write runs on libuv's pool, and can
   * overlap reading or filtering the next chunk). Await it before finish() or close().
   */
  writeAsync(bytes: Uint8Array, frame: number): Promise<void>;
  /** Makes the file durable (before the caller records the stage as done), then closes it. */
  finish(): void;
  /** Closes without flushing; idempotent (for failures). */
  close(): void;
}

/**
 * Opens `path` for a chunked write. With `startChunk` > 0 the existing file is kept up to
 * that chunk's byte offset and everything after it is rewritten; if the file holds fewer
 * complete chunks than that, writing resumes from the last complete one instead.
 */
export function openResumableInt16(path: string, layout: Int16Layout, startChunk: number): ResumableInt16File {
  const { num_frames, num_channels, chunk_frames } = layout;
  const chunkBytes = chunk_frames * num_channels * BYTES;
  const totalBytes = num_frames * num_channels * BYTES;
  const nChunks = Math.ceil(num_frames / chunk_frames);
  // Checked before opening: a bad resume point must not truncate the file.
  if (!Number.isInteger(startChunk) || startChunk < 0) throw new RangeError(`start_chunk must be an integer in [0, ${nChunks}], got ${startChunk}`);
  let start = startChunk;
  if (start > 0) {
    let existing = -1;
    try { existing = statSync(path).size; } catch { existing = -1; }
    start = existing < 0 ? 0 : Math.min(start, Math.floor(existing / chunkBytes), nChunks);
  }
  let fd: number | null = openSync(path, start > 0 ? 'r+' : 'w');
  try {
    // Never past the expected size: a longer file (garbage after a crash) is cut back.
    if (start > 0) ftruncateSync(fd, Math.min(start * chunkBytes, totalBytes));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const open = (): number => {
    if (fd === null) throw new Error(`${path}: output is closed`);
    return fd;
  };
  return {
    start_chunk: start,
    n_chunks: nChunks,
    write(bytes: Uint8Array, frame: number): void {
      const f = open();
      const pos = frame * num_channels * BYTES;
      let off = 0;
      while (off < bytes.length) off += writeSync(f, bytes, off, bytes.length - off, pos + off);
    },
    async writeAsync(bytes: Uint8Array, frame: number): Promise<void> {
      const f = open();
      const pos = frame * num_channels * BYTES;
      let off = 0;
      while (off < bytes.length) {
        const at = off;
        off += await new Promise<number>((resolveW, rejectW) => {
          write(f, bytes, at, bytes.length - at, pos + at, (err, n) => (err ? rejectW(err) : resolveW(n)));
        });
      }
    },
    finish(): void {
      fdatasyncSync(open());
      this.close();
    },
    close(): void {
      if (fd === null) return;
      closeSync(fd);
      fd = null;
    },
  };
}

/**
 * Writes `rec` to `path` chunk by chunk (see openResumableInt16 for `start_chunk`). The
 * output bytes depend on the chunking only through `rec` itself.
 */
export async function writeInt16Binary(rec: Recording, path: string, opts: ChunkOptions = {}): Promise<Int16BinaryWriteResult> {
  const chunkFrames = resolveChunkFrames(rec, opts.chunk_frames);
  const out = openResumableInt16(path, { num_frames: rec.num_frames, num_channels: rec.num_channels, chunk_frames: chunkFrames }, opts.start_chunk ?? 0);
  try {
    await forEachChunk(rec, { ...opts, chunk_frames: chunkFrames, start_chunk: out.start_chunk }, (traces, s) => {
      out.write(encodeInt16(traces), s);
    });
    out.finish();
  } finally {
    out.close();
  }
  return int16WriteResult(path, rec, out.start_chunk);
}

export function int16WriteResult(path: string, rec: Pick<Recording, 'num_frames' | 'num_channels'>, startedAt: number): Int16BinaryWriteResult {
  return {
    path, num_frames: rec.num_frames, num_channels: rec.num_channels, bytes: rec.num_frames * rec.num_channels * BYTES, started_at_chunk: startedAt,
  };
}

export interface Int16BinaryMeta {
  sampling_frequency: number;
  num_channels: number;
  channel_ids: readonly string[];
  locations: readonly (readonly [number, number])[];
  electrodes: readonly number[] | null;
  /** µV per stored unit; default 1 (our binaries hold µV directly). */
  gain_to_uv?: number;
}

export function openInt16Binary(path: string, meta: Int16BinaryMeta): Recording {
  const nch = meta.num_channels;
  if (!Number.isInteger(nch) || nch < 1) throw new RangeError(`${path}: num_channels must be a positive integer, got ${nch}`);
  if (meta.channel_ids.length !== nch || meta.locations.length !== nch || (meta.electrodes !== null && meta.electrodes.length !== nch)) {
    throw new RangeError(`${path}: channel_ids, locations and electrodes must each have num_channels (${nch}) entries`);
  }
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RecordingNotFoundError(`Binary recording not found: ${path}`, { path });
    throw err;
  }
  if (size % (BYTES * nch) !== 0) {
    throw new InvalidRecordingError(
      `${path}: size ${size} bytes is not a multiple of ${BYTES * nch} (2 bytes × ${nch} channels); truncated or wrong channel count`,
      { path, field: 'size', expected: `multiple of ${BYTES * nch} bytes` },
    );
  }
  return new Int16BinaryRecording(path, meta, size / (BYTES * nch));
}

class Int16BinaryRecording implements Recording {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly channel_ids: readonly string[];
  readonly locations: readonly (readonly [number, number])[];
  readonly electrodes: readonly number[] | null;
  private readonly gain: number;
  private fd: number | null;

  constructor(readonly source_path: string, meta: Int16BinaryMeta, readonly num_frames: number) {
    this.sampling_frequency = meta.sampling_frequency;
    this.num_channels = meta.num_channels;
    this.channel_ids = meta.channel_ids;
    this.locations = meta.locations;
    this.electrodes = meta.electrodes;
    this.gain = meta.gain_to_uv ?? 1;
    this.fd = openSync(source_path, 'r');
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    if (channels !== undefined) {
      checkChannelIndices(this, channels);
      return pickChannels(this.getTraces(startFrame, endFrame), this.num_channels, channels);
    }
    if (this.fd === null) throw new Error(`${this.source_path}: recording is closed`);
    const count = (endFrame - startFrame) * this.num_channels;
    const buf = Buffer.alloc(count * BYTES);
    const pos = startFrame * this.num_channels * BYTES;
    for (let off = 0; off < buf.length;) {
      const n = readSync(this.fd, buf, off, buf.length - off, pos + off);
      if (n === 0) throw new InvalidRecordingError(`${this.source_path}: file shrank while reading`, { path: this.source_path });
      off += n;
    }
    const out = new Float32Array(count);
    if (LITTLE_ENDIAN_HOST) {
      // Buffer.alloc returns an unpooled, 0-offset buffer, so the int16 view is aligned.
      const view = new Int16Array(buf.buffer, buf.byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = view[i] * this.gain;
    } else {
      for (let i = 0; i < count; i++) out[i] = buf.readInt16LE(i * BYTES) * this.gain;
    }
    return out;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
