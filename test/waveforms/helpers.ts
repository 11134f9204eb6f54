/**
 * Test helpers: an in-memory Recording (a real implementation of the interface, counting
 * its reads), a Sorting built from arrays, and the venv Python used as the independent
 * reference.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sorting } from '../../src/backends/types';
import type { Recording } from '../../src/io/recording';

export interface CountingRecording extends Recording {
  readonly reads: { start: number; end: number }[];
}

/** `traces` frame-major (frames × channels), µV. */
export function arrayRecording(traces: Float32Array, channels: number, fs: number, extra: Partial<Pick<Recording, 'channel_ids' | 'locations' | 'electrodes' | 'source_path'>> = {}): CountingRecording {
  const frames = traces.length / channels;
  const reads: { start: number; end: number }[] = [];
  return {
    source_path: extra.source_path ?? '/tmp/test-recording.raw.h5',
    sampling_frequency: fs,
    num_channels: channels,
    num_frames: frames,
    channel_ids: extra.channel_ids ?? Array.from({ length: channels }, (_, i) => String(i)),
    locations: extra.locations ?? Array.from({ length: channels }, (_, i) => [10 * i, 17.5 * i] as const),
    electrodes: extra.electrodes ?? null,
    reads,
    getTraces(start: number, end: number): Float32Array {
      if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= frames && start <= end)) {
        throw new RangeError(`getTraces(${start}, ${end}) outside [0, ${frames}]`);
      }
      reads.push({ start, end });
      return traces.slice(start * channels, end * channels);
    },
    close(): void {},
  };
}

export interface SortingSpec {
  readonly fs: number;
  readonly units: readonly { id: number; train: readonly number[] }[];
  /** [n_templates, T, C_ks] and its data, time-major per template. */
  readonly templates?: { shape: [number, number, number]; data: Float32Array } | null;
  readonly channel_map?: readonly number[] | null;
}

export function makeSorting(spec: SortingSpec): Sorting {
  return {
    sampling_frequency: spec.fs,
    unit_ids: spec.units.map((u) => u.id),
    spike_trains: spec.units.map((u) => Float64Array.from(u.train)),
    templates: spec.templates ?? null,
    channel_map: spec.channel_map ? Int32Array.from(spec.channel_map) : null,
    labels: spec.units.map(() => null),
  };
}

/**
 * Sorter templates for units whose template is a single deflection of `value` at sample
 * `peak` on template channel `channel` (T samples, C channels), like RT-Sort's synthetic ones.
 */
export function spikeTemplates(T: number, C: number, units: readonly { channel: number; value: number; peak?: number }[]): { shape: [number, number, number]; data: Float32Array } {
  const data = new Float32Array(units.length * T * C);
  units.forEach((u, i) => {
    data[i * T * C + (u.peak ?? Math.trunc(T / 2)) * C + u.channel] = u.value;
  });
  return { shape: [units.length, T, C], data };
}

export const VENV_PYTHON = resolve(__dirname, '../../.venv/bin/python');
export const HAVE_PYTHON = existsSync(VENV_PYTHON);

export function runPython(script: string, args: readonly string[]): string {
  return execFileSync(VENV_PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `spikelab-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Relative closeness with an absolute floor for values near 0. */
export function expectClose(actual: number, expected: number, rel = 1e-5, abs = 1e-6): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  const tol = Math.max(abs, rel * Math.abs(expected));
  if (Math.abs(actual - expected) > tol) throw new Error(`expected ${actual} ≈ ${expected} (tolerance ${tol})`);
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    try {
      expectClose(actual[i], expected[i], rel, abs);
    } catch (err) {
      throw new Error(`index ${i}: ${(err as Error).message}`);
    }
  }
}
