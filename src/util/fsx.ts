/** Small filesystem helpers with crash-safe semantics (temp + fsync + rename). */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

let tempCounter = 0;

/**
 * Whole-file writes that never leave a half-written file under the final name: a stage killed
 * mid-write must not produce an artefact a later run would trust. Parts are written in order
 * (large outputs are assembled without one big concatenation).
 */
export function writeFileAtomic(path: string, content: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const parts: readonly Uint8Array[] = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : content instanceof Uint8Array ? [content] : content;
  const tmp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const part of parts) {
        let off = 0;
        while (off < part.length) off += writeSync(fd, part, off, part.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
