/**
 * Test helpers for the sorter backends: a small seeded generator of synthetic MEA
 * recordings (int16 binary, interleaved) with known spike times, and a ground-truth matcher.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sorting } from '../../src/backends/types';

export interface SyntheticUnit {
  /** Soma position (µm), same frame as the electrode grid. */
  x: number;
  y: number;
  /** Trough amplitude (µV) at distance 0. */
  amplitude_uv: number;
  rate_hz: number;
  /** Trough half-width parameter (ms); the repolarisation lobe scales with it. */
  width_ms: number;
  /** Fixed trough frames instead of a Poisson train (rate_hz is then ignored). */
  frames?: readonly number[];
}

export interface SyntheticRecordingOptions {
  path: string;
  duration_s: number;
  fs?: number;
  /** Grid columns × rows (4 × 8 = 32 channels by default), channel index = row · cols + col. */
  n_cols?: number;
  n_rows?: number;
  pitch_um?: number;
  noise_uv?: number;
  /** Amplitude decay length with distance (µm). */
  space_constant_um?: number;
  refractory_ms?: number;
  units: readonly SyntheticUnit[];
  seed?: number;
}

export interface SyntheticRecording {
  path: string;
  num_channels: number;
  sampling_frequency: number;
  n_samples: number;
  locations: [number, number][];
  /** Ground-truth trough frames per unit, ascending. */
  spike_frames: number[][];
}

// Hot loops use local bindings: inside jest's vm context every global lookup (`Math.x`) goes
// through the context's interceptors and is ~50× slower.
const { imul, sqrt, log, sin, cos, exp, hypot, trunc, round, floor, max, min, PI, abs } = Math;

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) { const s = spare; spare = null; return s; }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = sqrt(-2 * log(u));
    spare = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  };
}

/** The default 4-unit layout used by the real-sorter tests: well separated along the array. */
export const FOUR_UNITS: readonly SyntheticUnit[] = [
  { x: 5, y: 10, amplitude_uv: 150, rate_hz: 8, width_ms: 0.12 },
  { x: 48, y: 45, amplitude_uv: 120, rate_hz: 6, width_ms: 0.2 },
  { x: 5, y: 80, amplitude_uv: 180, rate_hz: 10, width_ms: 0.15 },
  { x: 48, y: 115, amplitude_uv: 130, rate_hz: 7, width_ms: 0.25 },
];

const BEFORE_MS = 1;
const AFTER_MS = 2;

/** Biphasic spike: a Gaussian trough at 0 and a slower positive lobe after it. */
function waveform(fs: number, widthMs: number): { offset: number; values: Float64Array } {
  const before = round((BEFORE_MS * fs) / 1000);
  const after = round((AFTER_MS * fs) / 1000);
  const values = new Float64Array(before + after + 1);
  for (let k = -before; k <= after; k++) {
    const t = (k * 1000) / fs;
    values[k + before] = -exp(-((t / widthMs) ** 2)) + 0.4 * exp(-(((t - 2.5 * widthMs) / (2 * widthMs)) ** 2));
  }
  return { offset: before, values };
}

export function writeSyntheticRecording(o: SyntheticRecordingOptions): SyntheticRecording {
  const fs = o.fs ?? 20000;
  const cols = o.n_cols ?? 4;
  const rows = o.n_rows ?? 8;
  const pitch = o.pitch_um ?? 17.5;
  const noise = o.noise_uv ?? 10;
  const lambda = o.space_constant_um ?? 20;
  const refractory = (o.refractory_ms ?? 2) / 1000;
  const nc = cols * rows;
  const n = round(o.duration_s * fs);
  const rand = rng(o.seed ?? 1);
  const gauss = normal(rand);
  const locations: [number, number][] = [];
  for (let ch = 0; ch < nc; ch++) locations.push([(ch % cols) * pitch, floor(ch / cols) * pitch]);

  // Spike trains: Poisson with a refractory dead time, away from the edges.
  const wf = o.units.map((u) => waveform(fs, u.width_ms));
  const spikeFrames: number[][] = o.units.map((u, ui) => {
    if (u.frames !== undefined) return [...u.frames].sort((a, b) => a - b);
    const frames: number[] = [];
    if (!(u.rate_hz > 0)) return frames;
    let t = 0;
    const margin = wf[ui].values.length + 2;
    for (;;) {
      t += refractory - log(1 - rand()) / u.rate_hz;
      const f = round(t * fs);
      if (f >= n - margin) break;
      if (f > margin) frames.push(f);
    }
    return frames;
  });
  const gains = o.units.map((u) => locations.map(([x, y]) => u.amplitude_uv * exp(-hypot(x - u.x, y - u.y) / lambda)));
  const events = spikeFrames.flatMap((fr, ui) => fr.map((f) => [f, ui] as const)).sort((a, b) => a[0] - b[0]);

  // Write in blocks so memory stays small for long recordings.
  const block = fs; // 1 s
  const fd = openSync(o.path, 'w');
  try {
    let ev = 0;
    const maxLen = max(1, ...wf.map((w) => w.values.length));
    const buf = new Float64Array((block + maxLen) * nc);
    const out = new Int16Array(block * nc);
    for (let b0 = 0; b0 < n; b0 += block) {
      const len = min(block, n - b0);
      for (let i = 0; i < len * nc; i++) buf[i] = noise * gauss();
      // Events whose window overlaps [b0, b0 + len).
      while (ev < events.length && events[ev][0] + maxLen < b0) ev++;
      for (let e = ev; e < events.length && events[e][0] - maxLen < b0 + len; e++) {
        const [f, ui] = events[e];
        const w = wf[ui];
        const g = gains[ui];
        for (let k = 0; k < w.values.length; k++) {
          const s = f - w.offset + k - b0;
          if (s < 0 || s >= len) continue;
          const v = w.values[k];
          const row = s * nc;
          for (let ch = 0; ch < nc; ch++) buf[row + ch] += v * g[ch];
        }
      }
      for (let i = 0; i < len * nc; i++) out[i] = max(-32768, min(32767, trunc(buf[i])));
      writeSync(fd, out, 0, len * nc * 2);
    }
  } finally {
    closeSync(fd);
  }
  return { path: o.path, num_channels: nc, sampling_frequency: fs, n_samples: n, locations, spike_frames: spikeFrames };
}

export interface UnitMatch {
  gt_index: number;
  n_gt: number;
  sorted_unit: number | null;
  n_sorted: number;
  n_matched: number;
  /** matched / (gt + sorted − matched). */
  accuracy: number;
  /** Median sorted − true frame offset of the matched spikes. */
  median_lag: number;
}

function countMatches(gt: readonly number[], sorted: Float64Array, tol: number): { n: number; lags: number[] } {
  let i = 0;
  let j = 0;
  let n = 0;
  const lags: number[] = [];
  while (i < gt.length && j < sorted.length) {
    const d = sorted[j] - gt[i];
    if (abs(d) <= tol) { n++; lags.push(d); i++; j++; } else if (d < 0) j++; else i++;
  }
  return { n, lags };
}

/** For each ground-truth unit, the sorted unit with the best accuracy within ±tol frames. */
export function matchUnits(gtFrames: readonly number[][], sorting: Sorting, tolFrames: number): UnitMatch[] {
  return gtFrames.map((gt, gi) => {
    let best: UnitMatch = { gt_index: gi, n_gt: gt.length, sorted_unit: null, n_sorted: 0, n_matched: 0, accuracy: 0, median_lag: 0 };
    sorting.unit_ids.forEach((uid, k) => {
      const train = sorting.spike_trains[k];
      const { n, lags } = countMatches(gt, train, tolFrames);
      const acc = n / (gt.length + train.length - n);
      if (acc > best.accuracy) {
        lags.sort((a, b) => a - b);
        best = { gt_index: gi, n_gt: gt.length, sorted_unit: uid, n_sorted: train.length, n_matched: n, accuracy: acc, median_lag: lags[floor(lags.length / 2)] ?? 0 };
      }
    });
    return best;
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Running (a zombie left to an init that does not reap promptly counts as dead). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
