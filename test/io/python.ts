/**
 * Test helpers: the project venv's Python (numpy, scipy, h5py) as the independent
 * reference, and throw-away temp folders.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const VENV_PYTHON = resolve(__dirname, '../../.venv/bin/python');
export const PY_SCRIPTS = resolve(__dirname, '../../scripts/python');

/** Runs scripts/python/<script> with the venv interpreter; returns stdout. */
export function runPythonScript(script: string, args: readonly (string | number)[]): string {
  return execFileSync(VENV_PYTHON, [join(PY_SCRIPTS, script), ...args.map(String)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Runs inline Python code (for building odd HDF5 fixtures with h5py). */
export function runPythonCode(code: string, args: readonly string[] = []): string {
  return execFileSync(VENV_PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `spikelab-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A binary file of little-endian float64 / float32 values as a fresh, aligned array. */
export function readFloat64File(path: string): Float64Array {
  const buf = readFileSync(path);
  const out = new Float64Array(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

export function readFloat32File(path: string): Float32Array {
  const buf = readFileSync(path);
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export function writeFloat32File(path: string, data: Float32Array): void {
  writeFileSync(path, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
