/**
 * Synthetic neurons: a biphasic extracellular waveform per unit, spread over nearby
 * electrodes with exponential spatial decay, firing as a Poisson process with a refractory
 * period. Everything is drawn from the caller's Prng, so a seed fixes the whole plan.
 */
import type { MaxwellMappingRow } from './maxwell_channels';
import type { Prng } from './prng';

export interface SyntheticUnit {
  unit_id: number;
  x: number;
  y: number;
  peak_channel_index: number;
  amplitude_uv: number;
  firing_rate_hz: number;
  /** Trough frames, ascending. */
  spike_frames: number[];
  /** Sparse footprint: recording channel indices and the template scale (µV) on each. */
  channels: Int32Array;
  scales: Float64Array;
  /** Unit-trough waveform (min exactly −1), sampled at the recording rate. */
  waveform: Float64Array;
  /** Index of the trough inside `waveform`. */
  trough_index: number;
}

export interface UnitPlanOptions {
  n_units: number;
  sampling_frequency: number;
  num_frames: number;
  amplitude_uv: readonly [number, number];
  firing_rate_hz: readonly [number, number];
  refractory_ms: number;
}

const WINDOW_BEFORE_MS = 0.5;
const WINDOW_AFTER_MS = 1.0;
/** Channels whose share of the peak amplitude is below this carry no template. */
const FOOTPRINT_CUTOFF = 0.02;

/** Negative Gaussian trough followed by a slower positive rebound (a typical somatic spike). */
function biphasicWaveform(rng: Prng, fs: number): { waveform: Float64Array; trough_index: number } {
  const before = Math.round((WINDOW_BEFORE_MS * fs) / 1000);
  const length = before + Math.round((WINDOW_AFTER_MS * fs) / 1000);
  const troughWidth = rng.uniform(0.08, 0.14);
  const rebound = rng.uniform(0.2, 0.45);
  const reboundDelay = rng.uniform(0.3, 0.5);
  const reboundWidth = rng.uniform(0.15, 0.3);
  const w = new Float64Array(length);
  let min = 0;
  let trough = 0;
  for (let k = 0; k < length; k++) {
    const t = ((k - before) * 1000) / fs;
    w[k] = -Math.exp(-0.5 * (t / troughWidth) ** 2) + rebound * Math.exp(-0.5 * ((t - reboundDelay) / reboundWidth) ** 2);
    if (w[k] < min) { min = w[k]; trough = k; }
  }
  for (let k = 0; k < length; k++) w[k] /= -min;
  return { waveform: w, trough_index: trough };
}

/** Poisson spikes with a dead time: ISI = refractory + Exp(λ), λ set so the mean rate is `rate`. */
function spikeTrain(rng: Prng, rate: number, refractoryS: number, fs: number, firstFrame: number, endFrame: number): number[] {
  const lambda = 1 / Math.max(1 / rate - refractoryS, 1e-6);
  const frames: number[] = [];
  for (let t = rng.exponential(lambda); ; t += refractoryS + rng.exponential(lambda)) {
    const f = Math.round(t * fs);
    if (f >= endFrame) return frames;
    if (f >= firstFrame) frames.push(f);
  }
}

function spreadAlongRows(rng: Prng, probe: readonly MaxwellMappingRow[], n: number): number[] {
  const ys = [...new Set(probe.map((p) => p.y))].sort((a, b) => a - b);
  const xs = probe.map((p) => p.x);
  const [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
  const flip = rng.int(2);
  const order: number[] = [];
  for (let u = 0; u < n; u++) {
    const row = ys[Math.min(ys.length - 1, Math.floor(((u + 0.5) * ys.length) / Math.max(n, 1)))];
    const targetX = (u + flip) % 2 === 0 ? xmin : xmax;
    let best = -1;
    probe.forEach((p, i) => {
      if (p.y !== row || order.includes(i)) return;
      if (best < 0 || Math.abs(p.x - targetX) < Math.abs(probe[best].x - targetX)) best = i;
    });
    order.push(best >= 0 ? best : rng.int(probe.length));
  }
  return order;
}

export function planUnits(rng: Prng, probe: readonly MaxwellMappingRow[], o: UnitPlanOptions): SyntheticUnit[] {
  // Centres spread along the array's long axis, alternating sides: units on neighbouring
  // electrodes have near-identical footprints, which no sorter separates, and Kilosort (built
  // for long, narrow probes) tells units apart mostly by their position along that axis.
  const order = spreadAlongRows(rng, probe, o.n_units);
  const units: SyntheticUnit[] = [];
  for (let u = 0; u < o.n_units; u++) {
    const centre = probe[order[u % order.length]];
    // Jitter below half the pitch keeps the centre channel the peak channel.
    const x = centre.x + rng.uniform(-4, 4);
    const y = centre.y + rng.uniform(-4, 4);
    const decayUm = rng.uniform(15, 25);
    const amplitude = rng.uniform(o.amplitude_uv[0], o.amplitude_uv[1]);
    const rate = rng.uniform(o.firing_rate_hz[0], o.firing_rate_hz[1]);
    const { waveform, trough_index } = biphasicWaveform(rng, o.sampling_frequency);

    const dist = probe.map((p) => Math.hypot(p.x - x, p.y - y));
    const peak = dist.indexOf(Math.min(...dist));
    const chans: number[] = [];
    const scales: number[] = [];
    dist.forEach((d, c) => {
      const share = Math.exp(-(d - dist[peak]) / decayUm);
      if (share >= FOOTPRINT_CUTOFF) { chans.push(c); scales.push(amplitude * share); }
    });
    units.push({
      unit_id: u, x, y, peak_channel_index: peak, amplitude_uv: amplitude, firing_rate_hz: rate,
      spike_frames: spikeTrain(rng, rate, o.refractory_ms / 1000, o.sampling_frequency, trough_index,
        o.num_frames - (waveform.length - trough_index) + 1),
      channels: Int32Array.from(chans), scales: Float64Array.from(scales), waveform, trough_index,
    });
  }
  return units;
}
