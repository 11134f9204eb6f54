/**
 * Whole-file writes that never leave a half-written file under the final name: a stage
 * killed mid-write (worker crash, activity cancellation) must not produce an artefact a
 * later run would trust. Write to a sibling temp file, fsync, rename.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

let counter = 0;

export function writeFileAtomic(path: string, content: string | Buffer | readonly Buffer[]): void {
  const parts: readonly Buffer[] = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : Buffer.isBuffer(content) ? [content] : content;
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of parts) {
      let off = 0;
      while (off < part.length) off += writeSync(fd, part, off, part.length - off);
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
