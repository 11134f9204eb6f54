/**
 * The few .npy encodings the waveform folder needs beyond `src/io/npy.ts`: int64 from
 * plain numbers, bool arrays, and the structured `sampled_index` record array that the
 * reference writes (kept as is so Python tools that read `arr['spike_index']` still work).
 */
import { readFileSync } from 'node:fs';
import { encodeNpy, npyHeader } from '../io/npy';

export function int64Array(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.round(values[i]));
  return out;
}

export function encodeInt64(values: ArrayLike<number>): Buffer {
  return encodeNpy(int64Array(values));
}

export function encodeBool(values: readonly boolean[]): Buffer {
  const bytes = Uint8Array.from(values, (v) => (v ? 1 : 0));
  return Buffer.concat([npyHeader('|b1', [values.length]), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
}

const SAMPLED_INDEX_DESCR = "[('spike_index', '<i8'), ('segment_index', '<i8')]";

/**
 * `npyHeader` quotes the descr, which is right for plain dtypes only; a structured descr
 * is a Python list literal, so this header is built here with the same 64-byte padding.
 */
function structuredHeader(descr: string, rows: number): Buffer {
  let dict = `{'descr': ${descr}, 'fortran_order': False, 'shape': (${rows},), }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1')]);
}

/** Rows (spike_index, segment_index = 0), both int64. */
export function encodeSampledIndex(indices: readonly number[]): Buffer {
  const body = new BigInt64Array(indices.length * 2);
  for (let i = 0; i < indices.length; i++) body[2 * i] = BigInt(indices[i]);
  return Buffer.concat([structuredHeader(SAMPLED_INDEX_DESCR, indices.length), Buffer.from(body.buffer)]);
}

export class SampledIndexFormatError extends Error {
  constructor(path: string, detail: string) {
    super(`${path}: not a sampled_index file (${detail})`);
    this.name = 'SampledIndexFormatError';
  }
}

/** Reads the `spike_index` column back (our own files only: v1 header, the layout above). */
export function readSampledIndex(path: string): number[] {
  const buf = readFileSync(path);
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new SampledIndexFormatError(path, 'bad magic');
  const headerLen = buf[6] === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = buf[6] === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  if (!header.includes("'spike_index', '<i8'") || !header.includes("'segment_index', '<i8'")) throw new SampledIndexFormatError(path, `unexpected dtype in ${header.trim()}`);
  const rows = Number(/'shape'\s*:\s*\((\d+),?\)/.exec(header)?.[1] ?? NaN);
  if (!Number.isInteger(rows)) throw new SampledIndexFormatError(path, 'no shape');
  const dataStart = start + headerLen;
  if (buf.length < dataStart + rows * 16) throw new SampledIndexFormatError(path, 'truncated');
  const out = new Array<number>(rows);
  for (let i = 0; i < rows; i++) out[i] = Number(buf.readBigInt64LE(dataStart + i * 16));
  return out;
}
