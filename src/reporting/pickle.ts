/**
 * A minimal Python pickle writer (protocol 3) for the values `sorted.npz` needs: None,
 * bools, ints, floats, strings, lists, tuples, ordered dicts and NumPy arrays.
 *
 * Why a pickle at all: NumPy stores object arrays (the `units` entry of sorted.npz,
 * waveforms_curation §4.3) as a pickle inside the .npy, and the reference's loader expects
 * exactly that. Arrays are rebuilt the way NumPy itself pickles them
 * (`_reconstruct(ndarray, (0,), b'b')` then `__setstate__`), naming the globals
 * `numpy.core.multiarray._reconstruct`, `numpy.ndarray` and `numpy.dtype`: importable
 * under NumPy 1.x, and NumPy 2.x keeps `numpy.core.multiarray._reconstruct` as a
 * warning-free alias for old pickles. Protocol 3 (BINBYTES for raw data) loads in any
 * Python 3.
 *
 * Value model: a plain `number` is a Python int when it is a safe integer and a float
 * otherwise; `PyFloat` forces a float (e.g. x = 0 µm must still be `0.0`); `bigint` is an
 * int. Dict keys are strings and keep the given order.
 */
import { PyFloat } from '../util/pythonJson';

export { PyFloat };

export type NdDtype = '<f4' | '<f8' | '<i4' | '<i8' | '|b1' | '|O';

export type NdData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

export class PickleDict {
  constructor(readonly entries: readonly (readonly [string, PickleValue])[]) {}
}

/** A C-ordered NumPy array. Object arrays (`|O`) hold a list of values, others a typed array. */
export class NdArray {
  constructor(
    readonly dtype: NdDtype,
    readonly shape: readonly number[],
    readonly data: NdData | readonly PickleValue[],
  ) {
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new RangeError(`array of shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
    if ((dtype === '|O') !== Array.isArray(data)) throw new TypeError(`dtype ${dtype} does not match the data container`);
  }
}

export type PickleValue = null | boolean | string | number | bigint | PyFloat | PickleTuple | PickleDict | NdArray | readonly PickleValue[];

const OP = {
  PROTO: 0x80, STOP: 0x2e, MARK: 0x28, TUPLE: 0x74, EMPTY_TUPLE: 0x29, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
  EMPTY_LIST: 0x5d, APPENDS: 0x65, EMPTY_DICT: 0x7d, SETITEMS: 0x75, NONE: 0x4e, NEWTRUE: 0x88, NEWFALSE: 0x89,
  BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, LONG1: 0x8a, BINFLOAT: 0x47, BINUNICODE: 0x58,
  SHORT_BINBYTES: 0x43, BINBYTES: 0x42, GLOBAL: 0x63, REDUCE: 0x52, BUILD: 0x62,
} as const;

/** NumPy's own dtype pickle: dtype(name, False, True) + state (3, byteorder, …, flags). */
const DTYPE_STATE: Record<NdDtype, { name: string; order: string; flags: number }> = {
  '<f4': { name: 'f4', order: '<', flags: 0 },
  '<f8': { name: 'f8', order: '<', flags: 0 },
  '<i4': { name: 'i4', order: '<', flags: 0 },
  '<i8': { name: 'i8', order: '<', flags: 0 },
  '|b1': { name: 'b1', order: '|', flags: 0 },
  // 63 = NPY_ITEM_REFCOUNT | NPY_ITEM_IS_POINTER | NPY_LIST_PICKLE | NPY_ITEM_HASOBJECT | NPY_NEEDS_INIT | NPY_NEEDS_PYAPI
  '|O': { name: 'O8', order: '|', flags: 63 },
};

/** Collects output as a list of buffers so large array payloads are never copied. */
class Out {
  readonly parts: Buffer[] = [];
  private small: number[] = [];

  byte(b: number): void {
    this.small.push(b);
  }

  bytes(buf: Buffer): void {
    if (buf.length < 64) {
      for (const b of buf) this.small.push(b);
      return;
    }
    this.flush();
    this.parts.push(buf);
  }

  flush(): void {
    if (this.small.length > 0) {
      this.parts.push(Buffer.from(this.small));
      this.small = [];
    }
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

function writeInt(out: Out, v: bigint): void {
  if (v >= 0n && v < 256n) {
    out.byte(OP.BININT1);
    out.byte(Number(v));
  } else if (v >= 0n && v < 65536n) {
    out.byte(OP.BININT2);
    const b = Buffer.alloc(2);
    b.writeUInt16LE(Number(v), 0);
    out.bytes(b);
  } else if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    out.byte(OP.BININT);
    const b = Buffer.alloc(4);
    b.writeInt32LE(Number(v), 0);
    out.bytes(b);
  } else {
    // LONG1: minimal little-endian two's complement.
    const bytes: number[] = [];
    let n = v;
    for (;;) {
      const byte = Number(n & 0xffn);
      bytes.push(byte);
      n >>= 8n;
      if ((n === 0n && byte < 0x80) || (n === -1n && byte >= 0x80)) break;
    }
    out.byte(OP.LONG1);
    out.byte(bytes.length);
    out.bytes(Buffer.from(bytes));
  }
}

function writeFloat(out: Out, v: number): void {
  out.byte(OP.BINFLOAT);
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v, 0);
  out.bytes(b);
}

function writeString(out: Out, s: string): void {
  const b = Buffer.from(s, 'utf8');
  out.byte(OP.BINUNICODE);
  out.bytes(u32(b.length));
  out.bytes(b);
}

function writeBytes(out: Out, b: Buffer): void {
  if (b.length > 0xffffffff) throw new RangeError('array payload over 4 GiB does not fit a protocol-3 pickle');
  if (b.length < 256) {
    out.byte(OP.SHORT_BINBYTES);
    out.byte(b.length);
  } else {
    out.byte(OP.BINBYTES);
    out.bytes(u32(b.length));
  }
  out.bytes(b);
}

function writeGlobal(out: Out, module: string, name: string): void {
  out.byte(OP.GLOBAL);
  out.bytes(Buffer.from(`${module}\n${name}\n`, 'ascii'));
}

function writeTuple(out: Out, items: readonly PickleValue[]): void {
  if (items.length === 0) {
    out.byte(OP.EMPTY_TUPLE);
    return;
  }
  if (items.length <= 3) {
    for (const it of items) writeValue(out, it);
    out.byte([OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1]);
    return;
  }
  out.byte(OP.MARK);
  for (const it of items) writeValue(out, it);
  out.byte(OP.TUPLE);
}

function writeDtype(out: Out, dtype: NdDtype): void {
  const s = DTYPE_STATE[dtype];
  writeGlobal(out, 'numpy', 'dtype');
  writeTuple(out, [s.name, false, true]);
  out.byte(OP.REDUCE);
  out.byte(OP.MARK);
  for (const v of [3, s.order, null, null, null, -1, -1, s.flags] as const) writeValue(out, v);
  out.byte(OP.TUPLE);
  out.byte(OP.BUILD);
}

function writeArray(out: Out, a: NdArray): void {
  writeGlobal(out, 'numpy.core.multiarray', '_reconstruct');
  writeGlobal(out, 'numpy', 'ndarray');
  writeTuple(out, [0]);
  writeBytes(out, Buffer.from('b', 'latin1'));
  out.byte(OP.TUPLE3);
  out.byte(OP.REDUCE);
  // __setstate__((version 1, shape, dtype, fortran_order False, data))
  out.byte(OP.MARK);
  writeInt(out, 1n);
  writeTuple(out, a.shape);
  writeDtype(out, a.dtype);
  out.byte(OP.NEWFALSE);
  if (Array.isArray(a.data)) {
    writeValue(out, a.data);
  } else {
    const d = a.data as NdData;
    writeBytes(out, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
  out.byte(OP.TUPLE);
  out.byte(OP.BUILD);
}

function writeValue(out: Out, v: PickleValue): void {
  if (v === null) out.byte(OP.NONE);
  else if (v === true) out.byte(OP.NEWTRUE);
  else if (v === false) out.byte(OP.NEWFALSE);
  else if (typeof v === 'string') writeString(out, v);
  else if (typeof v === 'bigint') writeInt(out, v);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) writeInt(out, BigInt(v));
    else writeFloat(out, v);
  } else if (v instanceof PyFloat) writeFloat(out, v.value);
  else if (v instanceof PickleTuple) writeTuple(out, v.items);
  else if (v instanceof NdArray) writeArray(out, v);
  else if (v instanceof PickleDict) {
    out.byte(OP.EMPTY_DICT);
    if (v.entries.length > 0) {
      out.byte(OP.MARK);
      for (const [k, x] of v.entries) {
        writeString(out, k);
        writeValue(out, x);
      }
      out.byte(OP.SETITEMS);
    }
  } else if (Array.isArray(v)) {
    out.byte(OP.EMPTY_LIST);
    if (v.length > 0) {
      out.byte(OP.MARK);
      for (const x of v as readonly PickleValue[]) writeValue(out, x);
      out.byte(OP.APPENDS);
    }
  } else {
    throw new TypeError('value cannot be pickled');
  }
}

/** The pickle of `value` as a list of buffers (array payloads are views, not copies). */
export function pickleParts(value: PickleValue): Buffer[] {
  const out = new Out();
  out.byte(OP.PROTO);
  out.byte(3);
  writeValue(out, value);
  out.byte(OP.STOP);
  out.flush();
  return out.parts;
}

export function pickle(value: PickleValue): Buffer {
  return Buffer.concat(pickleParts(value));
}
