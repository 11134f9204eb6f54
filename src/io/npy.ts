/**
 * NumPy `.npy` (format 1.0/2.0/3.0) reading and writing for plain numeric arrays.
 * Sorter outputs (Phy folders) and our own artefacts use it, so Python users can open
 * every intermediate file with `numpy.load`.
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';

export type NpyDtype = '<f4' | '<f8' | '<i2' | '<i4' | '<i8' | '<u1' | '<u2' | '<u4' | '<u8' | '|u1' | '|i1' | '|b1';

export type NpyTypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  fortran_order: boolean;
  data: NpyTypedArray;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

const ITEM_SIZE: Record<string, number> = { f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1 };

export class NpyFormatError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: not a readable .npy file (${detail})`);
    this.name = 'NpyFormatError';
  }
}

function normaliseDescr(descr: string, path: string): NpyDtype {
  const kind = descr.slice(1);
  if (!(kind in ITEM_SIZE)) throw new NpyFormatError(path, `unsupported dtype '${descr}'`);
  if (descr[0] === '>') throw new NpyFormatError(path, `big-endian dtype '${descr}' is not supported`);
  const size = ITEM_SIZE[kind];
  if (size === 1) return (kind === 'b1' ? '|b1' : kind === 'i1' ? '|i1' : '|u1');
  return `<${kind}` as NpyDtype;
}

function viewOf(dtype: NpyDtype, bytes: Buffer): NpyTypedArray {
  // Copy into a fresh, aligned ArrayBuffer: header lengths keep data 64-byte aligned in
  // files, but a Buffer slice may sit at any offset of Node's pool.
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  switch (dtype) {
    case '<f4': return new Float32Array(ab);
    case '<f8': return new Float64Array(ab);
    case '<i2': return new Int16Array(ab);
    case '<i4': return new Int32Array(ab);
    case '<i8': return new BigInt64Array(ab);
    case '<u2': return new Uint16Array(ab);
    case '<u4': return new Uint32Array(ab);
    case '<u8': return new BigUint64Array(ab);
    case '|i1': return new Int8Array(ab);
    default: return new Uint8Array(ab);
  }
}

interface Header { descr: string; fortran_order: boolean; shape: number[]; dataOffset: number }

function parseHeader(buf: Buffer, path: string): Header {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new NpyFormatError(path, 'bad magic bytes');
  const major = buf[6];
  let headerLen: number;
  let start: number;
  if (major === 1) { headerLen = buf.readUInt16LE(8); start = 10; }
  else if (major === 2 || major === 3) { headerLen = buf.readUInt32LE(8); start = 12; }
  else throw new NpyFormatError(path, `unknown format version ${major}`);
  if (buf.length < start + headerLen) throw new NpyFormatError(path, 'truncated header');
  const text = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyFormatError(path, `unparseable header ${text.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => Number.parseInt(s, 10));
  return { descr, fortran_order: fortran === 'True', shape, dataOffset: start + headerLen };
}

export function parseNpy(buf: Buffer, path = '<buffer>'): NpyArray {
  const h = parseHeader(buf, path);
  if (h.descr === '|O') throw new NpyFormatError(path, 'object arrays (pickles) are not read');
  const dtype = normaliseDescr(h.descr, path);
  const count = h.shape.reduce((a, b) => a * b, 1);
  const nbytes = count * ITEM_SIZE[dtype.slice(1)];
  if (buf.length < h.dataOffset + nbytes) throw new NpyFormatError(path, `truncated data: expected ${nbytes} bytes`);
  return { dtype, shape: h.shape, fortran_order: h.fortran_order, data: viewOf(dtype, buf.subarray(h.dataOffset, h.dataOffset + nbytes)) };
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

/** Header only: shape and dtype without reading the data. */
export function readNpyHeader(path: string): { dtype: string; shape: number[]; fortran_order: boolean; dataOffset: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(65536);
    const n = readSync(fd, head, 0, head.length, 0);
    const h = parseHeader(head.subarray(0, n), path);
    return { dtype: h.descr, shape: h.shape, fortran_order: h.fortran_order, dataOffset: h.dataOffset };
  } finally {
    closeSync(fd);
  }
}

/** Numbers as a plain array (int64 converted; precise up to 2^53). */
export function npyToNumbers(arr: NpyArray): number[] {
  const out = new Array<number>(arr.data.length);
  for (let i = 0; i < arr.data.length; i++) out[i] = Number(arr.data[i]);
  return out;
}

export function dtypeOf(data: NpyTypedArray): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigUint64Array) return '<u8';
  if (data instanceof Int8Array) return '|i1';
  return '|u1';
}

export function npyHeader(dtype: string, shape: readonly number[], fortranOrder = false): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, as numpy does.
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const header = Buffer.alloc(10);
  MAGIC.copy(header, 0);
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(dict.length, 8);
  return Buffer.concat([header, Buffer.from(dict, 'latin1')]);
}

export function encodeNpy(data: NpyTypedArray, shape: readonly number[] = [data.length]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy shape [${shape.join(', ')}] holds ${count} values but the array has ${data.length}`);
  return Buffer.concat([npyHeader(dtypeOf(data), shape), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function writeNpy(path: string, data: NpyTypedArray, shape: readonly number[] = [data.length]): void {
  writeFileSync(path, encodeNpy(data, shape));
}
