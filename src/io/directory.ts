/**
 * A directory as a recording session (pipeline spec §3.5): its `.raw.h5` or `.nwb` files in
 * natural order (`rec2` before `rec10`), never a mix of the two.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordingError, RecordingNotFoundError } from '../errors';

const KINDS = ['.raw.h5', '.nwb'] as const;

/** Compares names as humans do: digit runs by value, the rest by code point. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The recording files of `dir`, natural-sorted, as absolute paths. */
export function listRecordingFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RecordingNotFoundError(`Recording directory not found: ${dir}`, { path: dir });
    throw new InvalidRecordingError(`${dir}: cannot list the recording directory (${code ?? String(err)})`, {
      path: dir, field: 'directory', expected: 'a readable directory',
    }, { cause: err });
  }
  const files = names.filter((n) => KINDS.some((k) => n.toLowerCase().endsWith(k)) && statSync(join(dir, n)).isFile());
  const kinds = new Set(files.map((n) => KINDS.find((k) => n.toLowerCase().endsWith(k))));
  if (kinds.size > 1) {
    throw new InvalidRecordingError(
      `Cannot concatenate: ${dir} contains a mix of file types (${[...kinds].join(', ')}); keep one kind per directory`,
      { path: dir, field: 'directory', expected: 'only .raw.h5 or only .nwb files' },
    );
  }
  if (files.length === 0) {
    throw new RecordingNotFoundError(`No recording files found in ${dir}: expected at least one .raw.h5 or .nwb file.`, { path: dir });
  }
  return files.sort(naturalCompare).map((n) => join(dir, n));
}
