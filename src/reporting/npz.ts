/**
 * NumPy `.npz` writer: an uncompressed (STORED) ZIP of `.npy` members, as `numpy.savez`
 * writes. Object arrays become pickled .npy members (pickle.ts), so `numpy.load(path,
 * allow_pickle=True)` reads them back.
 *
 * The archive is written to a temp file and renamed (a crash never leaves a truncated
 * sorted.npz). Member timestamps are fixed (1980-01-01) so identical content gives
 * identical bytes, which keeps output hashes in stage manifests stable across reruns.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { npyHeader } from '../io/npy';
import { NdArray, pickleParts } from './pickle';

export interface NpzMember {
  /** Key as seen by numpy.load (".npy" is appended). */
  readonly name: string;
  readonly array: NdArray;
}

/** A .npy file for `array`: raw little-endian data, or a pickle for object arrays. */
export function npyParts(array: NdArray): Buffer[] {
  const header = npyHeader(array.dtype, array.shape);
  if (array.dtype === '|O') {
    // The pickle of the whole array, as NumPy writes object arrays.
    return [header, ...pickleParts(array)];
  }
  const d = array.data as Exclude<NdArray['data'], readonly unknown[]>;
  return [header, Buffer.from(d.buffer, d.byteOffset, d.byteLength)];
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const ZIP32_LIMIT = 0xffffffff;

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function localHeader(name: Buffer, crc: number, size: number): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4); // version needed
  h.writeUInt16LE(0, 6); // flags
  h.writeUInt16LE(0, 8); // STORED
  h.writeUInt16LE(0, 10); // time
  h.writeUInt16LE(DOS_DATE_1980_01_01, 12);
  h.writeUInt32LE(crc >>> 0, 14);
  h.writeUInt32LE(size, 18);
  h.writeUInt32LE(size, 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, name]);
}

function centralHeader(name: Buffer, crc: number, size: number, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4); // version made by
  h.writeUInt16LE(20, 6); // version needed
  h.writeUInt16LE(0, 8);
  h.writeUInt16LE(0, 10);
  h.writeUInt16LE(0, 12);
  h.writeUInt16LE(DOS_DATE_1980_01_01, 14);
  h.writeUInt32LE(crc >>> 0, 16);
  h.writeUInt32LE(size, 20);
  h.writeUInt32LE(size, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt16LE(0, 30); // extra
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attrs
  h.writeUInt32LE(0, 38); // external attrs
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, name]);
}

function endOfCentralDirectory(entries: number, size: number, offset: number): Buffer {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0);
  h.writeUInt16LE(0, 4);
  h.writeUInt16LE(0, 6);
  h.writeUInt16LE(entries, 8);
  h.writeUInt16LE(entries, 10);
  h.writeUInt32LE(size, 12);
  h.writeUInt32LE(offset, 16);
  h.writeUInt16LE(0, 20);
  return h;
}

export class NpzTooLargeError extends Error {
  constructor(path: string) {
    super(`${path}: archive would exceed 4 GiB; ZIP64 is not supported by this writer`);
    this.name = 'NpzTooLargeError';
  }
}

/** Writes `members` in order to `path` atomically. */
export function writeNpz(path: string, members: readonly NpzMember[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const central: Buffer[] = [];
    let offset = 0;
    for (const m of members) {
      const name = Buffer.from(`${m.name}.npy`, 'utf8');
      const parts = npyParts(m.array);
      let crc = 0;
      let size = 0;
      for (const p of parts) {
        // Skip empty parts: Node 20's zlib.crc32 returns 0 (not the running value) for a
        // view over a zero-length ArrayBuffer, e.g. the data of an empty array.
        if (p.length > 0) crc = crc32(p, crc);
        size += p.length;
      }
      if (size > ZIP32_LIMIT || offset > ZIP32_LIMIT) throw new NpzTooLargeError(path);
      const head = localHeader(name, crc, size);
      writeAll(fd, head);
      for (const p of parts) writeAll(fd, p);
      central.push(centralHeader(name, crc, size, offset));
      offset += head.length + size;
    }
    const cd = Buffer.concat(central);
    if (offset + cd.length > ZIP32_LIMIT) throw new NpzTooLargeError(path);
    writeAll(fd, cd);
    writeAll(fd, endOfCentralDirectory(members.length, cd.length, offset));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
