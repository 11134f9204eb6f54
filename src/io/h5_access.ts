/**
 * Typed access to HDF5 files through h5wasm: opening with classified errors, walking paths
 * without HDF5's diagnostic noise, reading small numeric / string datasets, creating nested
 * groups. Format-specific readers (Maxwell) build on this; none of them touch h5wasm's
 * untyped `OutputData` directly.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';
import { type H5Wasm, h5Runtime, loadH5Wasm } from './h5';

export type H5File = InstanceType<H5Wasm['File']>;
export type H5Group = InstanceType<H5Wasm['Group']>;
export type H5Dataset = InstanceType<H5Wasm['Dataset']>;
export type H5Metadata = H5Dataset['metadata'];

/** Numeric element arrays h5wasm hands back for integer / float datasets. */
export type H5NumericArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Element arrays of any fixed-size numeric dataset, 64-bit integers included. */
export type H5ElementArray = H5NumericArray | BigInt64Array | BigUint64Array;

export type NumericDtype =
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

/** HDF5's H5T_class_t values (a stable C enum; h5wasm's default export does not expose it). */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The HDF5 superblock sits at byte 0, or after a user block at 512, 1024, 2048, … (powers of
 * two). Checking this ourselves turns "not HDF5 at all" into a clear message before h5wasm
 * prints its diagnostic stack and fails with a generic error.
 */
export function hasHdf5Signature(path: string): boolean {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HDF5_SIGNATURE.length);
    for (let offset = 0; offset + HDF5_SIGNATURE.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n === buf.length && buf.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Throws RecordingNotFoundError / InvalidRecordingError unless `path` is an existing HDF5 file. */
export function assertHdf5File(path: string): void {
  let isFile: boolean;
  let size: number;
  try {
    const st = statSync(path);
    isFile = st.isFile();
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RecordingNotFoundError(`Recording file not found: ${path}`, { path });
    }
    throw err;
  }
  if (!isFile) {
    throw new InvalidRecordingError(`${path} is not a regular file: expected an HDF5 file (Maxwell .raw.h5)`, {
      path, field: 'path', expected: 'HDF5 file',
    });
  }
  if (size === 0 || !hasHdf5Signature(path)) {
    throw new InvalidRecordingError(
      `${path} is not an HDF5 file: expected an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n at byte 0 or a power of two ≥ 512), ` +
        `found ${size === 0 ? 'an empty file' : 'no HDF5 signature'}`,
      { path, field: 'signature', expected: 'HDF5 file' },
    );
  }
}

/** Opens an existing HDF5 file read-only after the existence and signature checks. */
export async function openH5ReadOnly(path: string): Promise<{ h5: H5Wasm; file: H5File }> {
  assertHdf5File(path);
  const h5 = await loadH5Wasm();
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (err) {
    throw unreadable(path, String(err), err);
  }
  // h5wasm reports a failed H5Fopen as a negative id instead of throwing.
  if (file.file_id < 0n) throw unreadable(path, 'H5Fopen failed', null);
  return { h5, file };
}

function unreadable(path: string, detail: string, cause: unknown): InvalidRecordingError {
  return new InvalidRecordingError(`${path} has an HDF5 signature but could not be opened (corrupt or truncated?): ${detail}`, {
    path, field: 'file', expected: 'readable HDF5 file',
  }, { cause });
}

/**
 * Child names of a group at `path` ('' = the group itself), or null when the path does not
 * exist or is not a group. Walks one level at a time through `keys()` so a missing member
 * never reaches HDF5 (which would print a diagnostic stack to stderr).
 */
export function groupKeys(h5: H5Wasm, root: H5Group, path: string): string[] | null {
  const g = resolve(h5, root, path);
  return g instanceof h5.Group ? g.keys() : null;
}

export function getDataset(h5: H5Wasm, root: H5Group, path: string): H5Dataset | null {
  const d = resolve(h5, root, path);
  return d instanceof h5.Dataset ? d : null;
}

function resolve(h5: H5Wasm, root: H5Group, path: string): H5Group | H5Dataset | null {
  let node: H5Group | H5Dataset = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    if (!(node instanceof h5.Group) || !node.keys().includes(part)) return null;
    const child = node.get(part);
    if (child instanceof h5.Group || child instanceof h5.Dataset) node = child;
    else return null;
  }
  return node;
}

/** All elements of a small integer/float dataset as numbers (settings, channel lists). */
export function readNumbers(ds: H5Dataset): number[] | null {
  const v = ds.value;
  if (typeof v === 'number') return [v];
  if (typeof v === 'bigint') return [Number(v)];
  if (isNumericArray(v)) return Array.from(v);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v, Number);
  return null;
}

/** First element of a string dataset (1-element array or scalar), or null if not a string. */
export function readFirstString(ds: H5Dataset): string | null {
  const v = ds.value;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return null;
}

export function isNumericArray(v: unknown): v is H5NumericArray {
  return v instanceof Int8Array || v instanceof Uint8Array || v instanceof Int16Array || v instanceof Uint16Array ||
    v instanceof Int32Array || v instanceof Uint32Array || v instanceof Float32Array || v instanceof Float64Array;
}

/** `mkdir -p` for groups: h5wasm's create_group does not create intermediate groups. */
export function ensureGroup(h5: H5Wasm, root: H5Group, path: string): H5Group {
  let g: H5Group = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    if (g.keys().includes(part)) {
      const child = g.get(part);
      if (!(child instanceof h5.Group)) throw new Error(`${g.path}/${part} exists and is not a group`);
      g = child;
    } else {
      g = g.create_group(part);
    }
  }
  return g;
}

/** The numeric element type of a dataset, or null for strings, compounds, float16, …. */
export function numericDtype(meta: H5Metadata): NumericDtype | null {
  const bits = meta.size * 8;
  if (meta.type === H5T_INTEGER && (bits === 8 || bits === 16 || bits === 32 || bits === 64)) {
    return `${meta.signed ? 'int' : 'uint'}${bits}`;
  }
  if (meta.type === H5T_FLOAT && (bits === 32 || bits === 64)) return `float${bits}`;
  return null;
}

function allocate(dtype: NumericDtype, n: number): H5ElementArray {
  switch (dtype) {
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
  }
}

/**
 * H5Dread of the hyperslab [start, end) per dimension into the HDF5 heap at `ptr` (which must
 * hold it), for callers that copy straight out of the heap. Throws when the read fails.
 */
export function readHyperslabToHeap(ds: H5Dataset, ranges: readonly (readonly [number, number])[], ptr: number): void {
  const status = h5Runtime().get_dataset_data(
    ds.file_id, ds.path, ranges.map(([s, e]) => BigInt(e - s)), ranges.map(([s]) => BigInt(s)), ranges.map(() => 1n), BigInt(ptr),
  );
  if (status < 0) {
    throw new Error(`HDF5 could not read ${ds.path} ${JSON.stringify(ranges)} (H5Dread status ${status}; details on stderr)`);
  }
}

/**
 * The hyperslab [start, end) per dimension of a numeric dataset, row-major. Unlike h5wasm's
 * Dataset.slice, which ignores H5Dread's status and hands back whatever was in the buffer, a
 * failed read (a filter that cannot be loaded, a corrupt chunk, a failed checksum) throws.
 * HDF5 prints its own error stack to stderr in that case.
 */
export function readHyperslab(ds: H5Dataset, dtype: NumericDtype, ranges: readonly (readonly [number, number])[]): H5ElementArray {
  const n = ranges.reduce((acc, [s, e]) => acc * Math.max(0, e - s), 1);
  const out = allocate(dtype, n);
  if (n === 0) return out;
  const mod = h5Runtime();
  const nbytes = out.byteLength;
  const ptr = mod._malloc(nbytes);
  if (ptr === 0) throw new RangeError(`${ds.path}: could not allocate ${nbytes} bytes on the HDF5 heap`);
  try {
    readHyperslabToHeap(ds, ranges, ptr);
    // The heap view is re-read after the call: a read may grow (and so replace) the heap.
    new Uint8Array(out.buffer, out.byteOffset, nbytes).set(mod.HEAPU8.subarray(ptr, ptr + nbytes));
  } finally {
    mod._free(ptr);
  }
  return out;
}
