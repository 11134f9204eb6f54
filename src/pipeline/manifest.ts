/**
 * Stage manifests: the on-disk truth of what is complete and valid. A stage is done when
 * its manifest exists, names the same inputs and config hash, and every output it lists is
 * still there unchanged. The manifest is written last, by atomic rename, so a crash
 * mid-stage leaves no manifest and the stage simply runs again.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { canonicalDigest, canonicalJson } from '../config/hash';
import { writeJsonAtomic } from '../util/fsx';
import type { StageName } from './layout';

/** Bump when a stage's output format or algorithm changes, so old artefacts are not reused. */
export const STAGE_VERSIONS: Readonly<Record<StageName, number>> = {
  load: 1, sort: 1, extract: 1, curate_first: 1, curate_second: 1, compile: 1,
};

export interface OutputRecord {
  /** Relative to the manifest's folder. */
  readonly path: string;
  readonly size: number;
  readonly mtime_ms: number;
  readonly digest: string;
}

export interface StageManifest {
  readonly stage: StageName;
  readonly version: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly config_hash: string;
  readonly outputs: readonly OutputRecord[];
  readonly summary: Readonly<Record<string, unknown>>;
  /** Informational only: excluded from the manifest digest. */
  readonly created_at: string;
}

/** Above this size a file is fingerprinted by sampled blocks: hashing 100+ GB binaries on every check is not affordable. */
const FULL_HASH_LIMIT = 256 * 1024 * 1024;
const SAMPLE_BLOCKS = 64;
const BLOCK = 1024 * 1024;

export function fileDigest(path: string): string {
  const { size } = statSync(path);
  const hash = createHash('sha256');
  hash.update(`size:${size};`);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    if (size <= FULL_HASH_LIMIT) {
      let pos = 0;
      while (pos < size) {
        const n = readSync(fd, buf, 0, BLOCK, pos);
        if (n <= 0) break;
        hash.update(buf.subarray(0, n));
        pos += n;
      }
    } else {
      const stride = Math.floor((size - BLOCK) / (SAMPLE_BLOCKS - 1));
      for (let i = 0; i < SAMPLE_BLOCKS; i++) {
        const n = readSync(fd, buf, 0, BLOCK, i * stride);
        hash.update(buf.subarray(0, n));
      }
      hash.update('sampled');
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function recordOutput(manifestDir: string, file: string): OutputRecord {
  const abs = isAbsolute(file) ? file : join(manifestDir, file);
  const st = statSync(abs);
  return { path: relative(manifestDir, abs), size: st.size, mtime_ms: st.mtimeMs, digest: fileDigest(abs) };
}

/** Identity of a manifest for downstream stages: changes exactly when its content does. */
export function manifestDigest(m: StageManifest): string {
  return canonicalDigest({
    stage: m.stage, version: m.version, inputs: m.inputs, config_hash: m.config_hash,
    outputs: m.outputs.map((o) => ({ path: o.path, size: o.size, digest: o.digest })),
  });
}

export function readManifest(path: string): StageManifest | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as StageManifest;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.stage === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

export type ManifestVerdict = { valid: true; manifest: StageManifest } | { valid: false; reason: string };

/** Why a stored manifest can or cannot be reused for the expected inputs and config. */
export function checkManifest(
  path: string,
  stage: StageName,
  inputs: Readonly<Record<string, string>>,
  configHash: string,
): ManifestVerdict {
  const m = readManifest(path);
  if (m === null) return { valid: false, reason: 'no manifest' };
  if (m.stage !== stage || m.version !== STAGE_VERSIONS[stage]) return { valid: false, reason: `manifest is for ${m.stage} v${m.version}` };
  if (m.config_hash !== configHash) return { valid: false, reason: 'config changed' };
  if (canonicalJson(m.inputs) !== canonicalJson(inputs)) return { valid: false, reason: 'inputs changed' };
  const dir = dirname(path);
  for (const out of m.outputs) {
    const abs = join(dir, out.path);
    if (!existsSync(abs)) return { valid: false, reason: `missing output ${out.path}` };
    const st = statSync(abs);
    if (st.size !== out.size) return { valid: false, reason: `output ${out.path} changed size` };
    // Same size and mtime: trust it. Touched: rehash before deciding.
    if (st.mtimeMs !== out.mtime_ms && fileDigest(abs) !== out.digest) return { valid: false, reason: `output ${out.path} changed` };
  }
  return { valid: true, manifest: m };
}

export function writeManifest(
  path: string,
  stage: StageName,
  inputs: Readonly<Record<string, string>>,
  configHash: string,
  outputFiles: readonly string[],
  summary: Readonly<Record<string, unknown>>,
  now: Date = new Date(),
): StageManifest {
  const dir = dirname(path);
  const manifest: StageManifest = {
    stage,
    version: STAGE_VERSIONS[stage],
    inputs,
    config_hash: configHash,
    outputs: [...outputFiles].sort().map((f) => recordOutput(dir, f)),
    summary,
    created_at: now.toISOString(),
  };
  writeJsonAtomic(path, manifest);
  return manifest;
}

export function removeManifest(path: string): void {
  rmSync(path, { force: true });
}
