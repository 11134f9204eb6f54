/**
 * Raw int16 binaries for sorters (pipeline spec §3.7): little-endian, frame-major
 * interleaved, no header, values = µV truncated toward zero and saturated to int16.
 * Writing goes through the chunk executor, so it reports progress, stops on abort and can
 * resume from a chunk after a retry; reading is a lazy Recording over positioned reads.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';
import { type ChunkOptions, forEachChunk, resolveChunkFrames } from '../dsp/chunks';
import { checkFrameRange } from './frame_range';
import type { Recording } from './recording';

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

/**
 * Writes `rec` to `path`. With `start_chunk` > 0 the existing file is kept up to that
 * chunk's byte offset and everything after it is rewritten; if the file holds fewer
 * complete chunks than that, writing resumes from the last complete one instead.
 */
export async function writeInt16Binary(rec: Recording, path: string, opts: ChunkOptions = {}): Promise<Int16BinaryWriteResult> {
  const chunkFrames = resolveChunkFrames(rec, opts.chunk_frames);
  const chunkBytes = chunkFrames * rec.num_channels * BYTES;
  const totalBytes = rec.num_frames * rec.num_channels * BYTES;
  const nChunks = Math.ceil(rec.num_frames / chunkFrames);
  let start = opts.start_chunk ?? 0;
  if (start > 0) {
    let existing = -1;
    try { existing = statSync(path).size; } catch { existing = -1; }
    start = existing < 0 ? 0 : Math.min(start, Math.floor(existing / chunkBytes), nChunks);
  }
  const fd = openSync(path, start > 0 ? 'r+' : 'w');
  try {
    // Never past the expected size: a longer file (garbage after a crash) is cut back.
    if (start > 0) ftruncateSync(fd, Math.min(start * chunkBytes, totalBytes));
    await forEachChunk(rec, { ...opts, chunk_frames: chunkFrames, start_chunk: start }, (traces, s) => {
      const buf = encodeInt16(traces);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, s * rec.num_channels * BYTES + off);
    });
    // Durable before the caller records the stage as done.
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return {
    path, num_frames: rec.num_frames, num_channels: rec.num_channels, bytes: totalBytes, started_at_chunk: start,
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

  getTraces(startFrame: number, endFrame: number): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
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
