/**
 * Typed access to HDF5 files through h5wasm: opening with classified errors, walking paths
 * without HDF5's diagnostic noise, reading small numeric / string datasets, creating nested
 * groups. Format-specific readers (Maxwell) build on this; none of them touch h5wasm's
 * untyped `OutputData` directly.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';
import { type H5Wasm, loadH5Wasm } from './h5';

export type H5File = InstanceType<H5Wasm['File']>;
export type H5Group = InstanceType<H5Wasm['Group']>;
export type H5Dataset = InstanceType<H5Wasm['Dataset']>;

/** Numeric element arrays h5wasm hands back for integer / float datasets. */
export type H5NumericArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

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
