/**
 * Headerless little-endian binary recordings (`.dat` / `.bin`) as a lazy Recording, read the
 * way SpikeInterface's read_binary reads them. Parameters come from the caller and a JSON
 * sidecar (format: raw_binary_params.ts). Samples are streamed with positioned reads in
 * bounded blocks; nothing maps or loads the whole file.
 *
 * µV match SpikeInterface's `get_traces(return_in_uV=True)` bit for bit: raw, gain and offset
 * each cast to float32, then `raw × gain + offset` in float32.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';
import { checkFrameRange } from './frame_range';
import { type RawBinaryDtype, type RawBinaryParams, DTYPE_BYTES, resolveRawBinaryParams } from './raw_binary_params';
import { type Recording, type SourceInfo, checkChannelIndices } from './recording';

export type { RawBinaryDtype, RawBinaryParams } from './raw_binary_params';
export { RAW_BINARY_DTYPES, sidecarCandidates } from './raw_binary_params';

/** Bytes per positioned read, bounding memory beyond the returned traces. */
const MAX_BYTES_PER_READ = 16 * 1024 * 1024;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
/** Types whose every value is exact in float32, so the raw → float32 cast can be skipped. */
const EXACT_IN_FLOAT32 = new Set<RawBinaryDtype>(['int8', 'uint8', 'int16', 'uint16', 'float32']);

type Samples = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array;
type SamplesCtor = new (buffer: ArrayBuffer, byteOffset?: number, length?: number) => Samples;

const CTORS: Readonly<Record<RawBinaryDtype, SamplesCtor>> = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  float32: Float32Array, float64: Float64Array,
};

const LE_GETTERS: Readonly<Record<RawBinaryDtype, (v: DataView, off: number) => number>> = {
  int8: (v, o) => v.getInt8(o), uint8: (v, o) => v.getUint8(o),
  int16: (v, o) => v.getInt16(o, true), uint16: (v, o) => v.getUint16(o, true), int32: (v, o) => v.getInt32(o, true),
  float32: (v, o) => v.getFloat32(o, true), float64: (v, o) => v.getFloat64(o, true),
};

export async function openRawBinary(path: string, params: Partial<RawBinaryParams> = {}): Promise<Recording> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      throw new InvalidRecordingError(`${path} is not a regular file: expected a raw binary recording`, {
        path, field: 'path', expected: 'binary file',
      });
    }
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RecordingNotFoundError(`Binary recording not found: ${path}`, { path });
    throw err;
  }
  const resolved = resolveRawBinaryParams(path, params);
  const p = resolved.params;
  const item = DTYPE_BYTES[p.dtype];
  const frameBytes = item * p.num_channels;
  const dataBytes = size - p.file_offset_bytes;
  if (dataBytes < 0) {
    throw new InvalidRecordingError(`${path}: file_offset_bytes ${p.file_offset_bytes} is beyond the end of the file (${size} bytes)`, {
      path, field: 'file_offset_bytes', expected: `at most ${size}`,
    });
  }
  if (dataBytes % frameBytes !== 0) {
    throw new InvalidRecordingError(
      `${path}: ${dataBytes} data bytes (file size ${size} − offset ${p.file_offset_bytes}) is not a multiple of the frame size ` +
        `${frameBytes} (${p.num_channels} channels × ${item}-byte ${p.dtype}); truncated file or wrong num_channels / dtype / offset`,
      { path, field: 'size', expected: `multiple of ${frameBytes} bytes after the offset` },
    );
  }
  if (resolved.expected_frames !== null && resolved.expected_frames !== dataBytes / frameBytes) {
    throw new InvalidRecordingError(
      `${path}: holds ${dataBytes / frameBytes} frames but its sidecar ${resolved.sidecar_path} records ${resolved.expected_frames}; ` +
        'an incomplete copy, or a sidecar of another file',
      { path, field: 'num_frames', expected: `${resolved.expected_frames} frames` },
    );
  }
  if (dataBytes === 0) {
    throw new InvalidRecordingError(`${path}: holds 0 samples (Cannot estimate noise levels on an empty recording)`, {
      path, field: 'size', expected: 'at least one frame',
    });
  }
  const perChannel = (v: number | number[]): number[] => (Array.isArray(v) ? v : new Array<number>(p.num_channels).fill(v));
  const gains = perChannel(p.gain_to_uv);
  const offsets = perChannel(p.offset_to_uv);
  const map = resolved.channel_map;
  const info: SourceInfo = {
    format: 'binary',
    dtype: p.dtype,
    gain_to_uv: map.map((c) => Math.fround(gains[c])),
    offset_to_uv: map.map((c) => Math.fround(offsets[c])),
    stream_id: null,
    streams: [],
    details: {
      time_axis: p.time_axis,
      file_offset_bytes: p.file_offset_bytes,
      stored_channels: p.num_channels,
      unwired_channels: p.num_channels - map.length,
      sidecar: resolved.sidecar_path,
      probe_path: resolved.probe_path,
      locations_from: resolved.locations_from,
      defaults_used: resolved.defaulted.length ? resolved.defaulted.join(', ') : null,
    },
    frame_gaps: [],
  };
  return new RawBinaryRecording(path, p, resolved.channel_ids, resolved.locations, map, dataBytes / frameBytes, info);
}

class RawBinaryRecording implements Recording {
  readonly sampling_frequency: number;
  readonly num_channels: number;
  readonly electrodes = null;
  private readonly dtype: RawBinaryDtype;
  private readonly item: number;
  private readonly stored: number;
  private readonly timeAxis: 0 | 1;
  private readonly fileOffset: number;
  private readonly map: Int32Array;
  private readonly gains: Float32Array;
  private readonly offsets: Float32Array;
  private fd: number | null;

  constructor(
    readonly source_path: string,
    p: RawBinaryParams,
    readonly channel_ids: readonly string[],
    readonly locations: readonly (readonly [number, number])[],
    map: readonly number[],
    readonly num_frames: number,
    readonly source_info: SourceInfo,
  ) {
    this.sampling_frequency = p.sampling_frequency;
    this.num_channels = map.length;
    this.dtype = p.dtype;
    this.item = DTYPE_BYTES[p.dtype];
    this.stored = p.num_channels;
    this.timeAxis = p.time_axis;
    this.fileOffset = p.file_offset_bytes;
    this.map = Int32Array.from(map);
    this.gains = Float32Array.from(source_info.gain_to_uv);
    this.offsets = Float32Array.from(source_info.offset_to_uv);
    this.fd = openSync(source_path, 'r');
  }

  getTraces(startFrame: number, endFrame: number, channels?: readonly number[]): Float32Array {
    checkFrameRange(this.source_path, this.num_frames, startFrame, endFrame);
    if (channels !== undefined) checkChannelIndices(this, channels);
    if (this.fd === null) throw new Error(`${this.source_path}: recording is closed`);
    const sel = channels ?? Array.from({ length: this.num_channels }, (_, j) => j);
    const k = sel.length;
    const cols = Int32Array.from(sel, (c) => this.map[c]);
    const g = Float32Array.from(sel, (c) => this.gains[c]);
    const o = Float32Array.from(sel, (c) => this.offsets[c]);
    const out = new Float32Array((endFrame - startFrame) * k);
    if (k === 0 || endFrame === startFrame) return out;
    if (this.timeAxis === 0) this.readFrameMajor(this.fd, startFrame, endFrame, cols, g, o, out);
    else this.readChannelMajor(this.fd, startFrame, endFrame, cols, g, o, out);
    return out;
  }

  private readFrameMajor(fd: number, s0: number, e0: number, cols: Int32Array, g: Float32Array, o: Float32Array, out: Float32Array): void {
    const k = cols.length;
    const st = this.stored;
    const frameBytes = st * this.item;
    const step = Math.max(1, Math.floor(MAX_BYTES_PER_READ / frameBytes));
    const buf = new ArrayBuffer(Math.min(e0 - s0, step) * frameBytes);
    const exact = EXACT_IN_FLOAT32.has(this.dtype);
    const { fround } = Math;
    for (let s = s0; s < e0; s += step) {
      const n = Math.min(e0, s + step) - s;
      const raw = this.read(fd, buf, n * frameBytes, this.fileOffset + s * frameBytes);
      const base = (s - s0) * k;
      if (exact) {
        for (let f = 0; f < n; f++) for (let j = 0; j < k; j++) out[base + f * k + j] = fround(raw[f * st + cols[j]] * g[j]) + o[j];
      } else {
        for (let f = 0; f < n; f++) {
          for (let j = 0; j < k; j++) out[base + f * k + j] = fround(fround(raw[f * st + cols[j]]) * g[j]) + o[j];
        }
      }
    }
  }

  /** time_axis 1: the file is stored channel after channel, each num_frames long. */
  private readChannelMajor(fd: number, s0: number, e0: number, cols: Int32Array, g: Float32Array, o: Float32Array, out: Float32Array): void {
    const k = cols.length;
    const step = Math.max(1, Math.floor(MAX_BYTES_PER_READ / this.item));
    const buf = new ArrayBuffer(Math.min(e0 - s0, step) * this.item);
    const exact = EXACT_IN_FLOAT32.has(this.dtype);
    const { fround } = Math;
    for (let j = 0; j < k; j++) {
      const col = cols[j];
      const gj = g[j];
      const oj = o[j];
      for (let s = s0; s < e0; s += step) {
        const n = Math.min(e0, s + step) - s;
        const raw = this.read(fd, buf, n * this.item, this.fileOffset + (col * this.num_frames + s) * this.item);
        const base = (s - s0) * k + j;
        if (exact) for (let f = 0; f < n; f++) out[base + f * k] = fround(raw[f] * gj) + oj;
        else for (let f = 0; f < n; f++) out[base + f * k] = fround(fround(raw[f]) * gj) + oj;
      }
    }
  }

  /** `bytes` bytes at `pos` as samples, decoded little-endian whatever the host. */
  private read(fd: number, buf: ArrayBuffer, bytes: number, pos: number): Samples {
    const view = new Uint8Array(buf, 0, bytes);
    for (let off = 0; off < bytes;) {
      const got = readSync(fd, view, off, bytes - off, pos + off);
      if (got === 0) {
        throw new InvalidRecordingError(`${this.source_path}: file ended at byte ${pos + off} while reading (shrank after opening?)`, {
          path: this.source_path, field: 'size', expected: `${pos + bytes} bytes`,
        });
      }
      off += got;
    }
    const count = bytes / this.item;
    const Ctor = CTORS[this.dtype];
    if (LITTLE_ENDIAN_HOST) return new Ctor(buf, 0, count);
    const le = LE_GETTERS[this.dtype];
    const dv = new DataView(buf, 0, bytes);
    const host = new Ctor(new ArrayBuffer(bytes), 0, count);
    for (let i = 0; i < count; i++) host[i] = le(dv, i * this.item);
    return host;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
