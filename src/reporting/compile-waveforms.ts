/**
 * `compile_waveforms` (waveforms_curation §4.5): each curated unit's waveform file, cut to
 * the compiled window, copied to `<results>/{negative,positive}_peaks/waveforms_<sorted_index>.npy`.
 * Copied in blocks of 1024 spikes so a unit's file never has to fit in memory.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { npyHeader, readNpyHeader } from '../io/npy';
import type { OrderedUnit } from './compile-order';

const BLOCK_SPIKES = 1024;

function readExact(fd: number, buf: Buffer, pos: number, path: string): void {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, pos + off);
    if (n === 0) throw new Error(`${path}: truncated waveform file`);
    off += n;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Copies rows [start, end) of the samples axis of a (n, nsamples, C) file. */
export function copyWaveformWindow(src: string, dst: string, window: readonly [number, number]): void {
  const h = readNpyHeader(src);
  if (h.shape.length !== 3 || h.fortran_order) throw new Error(`${src}: expected a C-ordered (spikes, samples, channels) array`);
  const [n, ns, C] = h.shape;
  const [start, end] = window;
  if (start < 0 || end > ns || end <= start) throw new RangeError(`${src}: window [${start}, ${end}) outside ${ns} samples`);
  const item = Number(/\d+$/.exec(h.dtype)?.[0] ?? NaN);
  if (!Number.isInteger(item)) throw new Error(`${src}: unsupported dtype ${h.dtype}`);
  const inRow = ns * C * item;
  const outRow = (end - start) * C * item;
  const tmp = `${dst}.tmp-${process.pid}`;
  const fin = openSync(src, 'r');
  const fout = openSync(tmp, 'w');
  try {
    writeAll(fout, npyHeader(h.dtype, [n, end - start, C]));
    for (let s0 = 0; s0 < n; s0 += BLOCK_SPIKES) {
      const count = Math.min(BLOCK_SPIKES, n - s0);
      const block = Buffer.alloc(count * inRow);
      readExact(fin, block, h.dataOffset + s0 * inRow, src);
      const out = Buffer.alloc(count * outRow);
      for (let r = 0; r < count; r++) block.copy(out, r * outRow, r * inRow + start * C * item, r * inRow + end * C * item);
      writeAll(fout, out);
    }
    fsyncSync(fout);
    closeSync(fout);
    renameSync(tmp, dst);
  } catch (err) {
    try {
      closeSync(fout);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    closeSync(fin);
  }
}

/** Units without a waveform file are skipped silently (spec). Returns the files written. */
export function compileWaveforms(units: readonly OrderedUnit[], resultsFolder: string): string[] {
  const written: string[] = [];
  const dirs = { negative: join(resultsFolder, 'negative_peaks'), positive: join(resultsFolder, 'positive_peaks') };
  mkdirSync(dirs.negative, { recursive: true });
  mkdirSync(dirs.positive, { recursive: true });
  for (const o of units) {
    const { _waveforms_path: src, _waveforms_window: win } = o.unit;
    if (src === undefined || win === undefined) continue;
    const dst = join(o.unit.has_pos_peak ? dirs.positive : dirs.negative, `waveforms_${o.sorted_index}.npy`);
    copyWaveformWindow(src, dst, win);
    written.push(dst);
  }
  return written;
}
