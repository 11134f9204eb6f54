/** Comparing whole output trees between runs. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Files whose content legitimately differs between two runs of the same sort:
 * wall-clock times and timestamps (reports, logs, manifests' created_at / mtimes, the lock).
 * docs/reference-differences.md lists the same set.
 */
export const VOLATILE = [
  /(^|\/)recording_report\.json$/,
  /(^|\/)sorting_report\.md$/,
  /(^|\/)sorting\.log$/,
  /(^|\/)kilosort4\.log$/,
  /(^|\/)\.[a-z_]+\.manifest\.json$/,
  /(^|\/)\.spikelab_run\.manifest\.json$/,
  /(^|\/)\.spikelab_sort\.lock$/,
  // Kilosort's own pickled settings: it records its absolute paths and run times.
  /(^|\/)ops\.npy$/,
];

const TEXT = /\.(json|py|txt|md|tsv|csv)$/;

/**
 * Content digest of every file below `root`. Text files that name their own location have
 * `base` (the run's folder) replaced by a placeholder, so two runs in different folders
 * compare equal when their content is.
 */
export function treeDigests(root: string, base: string | null = null): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        let content: Buffer | string = readFileSync(p);
        if (base !== null && TEXT.test(e.name)) content = content.toString('utf8').split(base).join('<BASE>');
        out.set(relative(root, p), createHash('sha256').update(content).digest('hex'));
      }
    }
  };
  walk(root);
  return out;
}

export function stableDigests(root: string, base: string | null = null): Map<string, string> {
  const all = treeDigests(root, base);
  for (const k of [...all.keys()]) if (VOLATILE.some((re) => re.test(k))) all.delete(k);
  return all;
}

export function diffTrees(a: Map<string, string>, b: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) diffs.push(b.has(k) ? `differs: ${k}` : `only in first: ${k}`);
  for (const k of b.keys()) if (!a.has(k)) diffs.push(`only in second: ${k}`);
  return diffs.sort();
}
