/**
 * The template caches `templates_{average,std}.npy`, shape (max_unit_id + 1, nsamples, C)
 * float32, written one unit row at a time at its offset. Why on disk and not in memory:
 * the cache for a high-density array (1000 ids × 81 × 1018 channels) is ~330 MB per
 * array, more than the one-unit buffer the streaming path promises; and rows written as
 * we go survive a crash, so extraction can resume at the next unit.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { npyHeader, readNpyHeader } from '../io/npy';

export class TemplateFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly dataOffset: number,
    readonly rowValues: number,
  ) {}

  /** New zero-filled file (sparse where the file system allows). */
  static create(path: string, rows: number, nsamples: number, channels: number): TemplateFile {
    const header = npyHeader('<f4', [rows, nsamples, channels]);
    const fd = openSync(path, 'w+');
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, header.length + rows * nsamples * channels * 4);
    return new TemplateFile(path, fd, header.length, nsamples * channels);
  }

  /** Reopens a file from an interrupted run; null when absent or of another shape. */
  static reopen(path: string, rows: number, nsamples: number, channels: number): TemplateFile | null {
    if (!existsSync(path)) return null;
    let h;
    try {
      h = readNpyHeader(path);
    } catch {
      return null;
    }
    const same = h.dtype === '<f4' && !h.fortran_order && h.shape.length === 3 && h.shape[0] === rows && h.shape[1] === nsamples && h.shape[2] === channels;
    if (!same) return null;
    return new TemplateFile(path, openSync(path, 'r+'), h.dataOffset, nsamples * channels);
  }

  writeRow(row: number, values: Float32Array): void {
    if (values.length !== this.rowValues) throw new RangeError(`template row has ${values.length} values, expected ${this.rowValues}`);
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    let off = 0;
    const pos = this.dataOffset + row * this.rowValues * 4;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, pos + off);
  }

  sync(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

/** One row (nsamples × C values) of a template cache file. */
export function readTemplateRow(path: string, row: number): { data: Float32Array; nsamples: number; channels: number } {
  const h = readNpyHeader(path);
  if (h.dtype !== '<f4' || h.shape.length !== 3) throw new Error(`${path}: expected a float32 (units, samples, channels) array, got ${h.dtype} ${JSON.stringify(h.shape)}`);
  const [rows, nsamples, channels] = h.shape;
  if (row < 0 || row >= rows) throw new RangeError(`${path}: row ${row} is outside [0, ${rows})`);
  const data = new Float32Array(nsamples * channels);
  const bytes = Buffer.from(data.buffer);
  const fd = openSync(path, 'r');
  try {
    let off = 0;
    const pos = h.dataOffset + row * data.length * 4;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, pos + off);
      if (n === 0) throw new Error(`${path}: truncated at row ${row}`);
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  return { data, nsamples, channels };
}
