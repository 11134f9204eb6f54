/**
 * Synthetic MaxOne recordings with known spikes, written as real current-layout Maxwell
 * `.raw.h5` files so tests and demos exercise the same reader as lab data. The ground
 * truth goes beside the file as `<path>.ground_truth.json`.
 */
import { type GroundTruth, writeGroundTruth } from './ground_truth';
import type { MaxwellMappingRow } from './maxwell_channels';
import { writeMaxwellH5 } from './maxwell_writer';
import { Prng } from './prng';
import { syntheticProbe } from './synthetic_probe';
import { type SyntheticUnit, planUnits } from './synthetic_units';

export interface SyntheticMaxOneOptions {
  num_channels?: number;
  duration_s?: number;
  sampling_frequency?: number;
  n_units?: number;
  seed?: number;
  /** RMS of the background noise, µV. */
  noise_uv?: number;
  /** Volts per bit. */
  lsb?: number;
  firing_rate_hz?: readonly [number, number];
  amplitude_uv?: readonly [number, number];
  refractory_ms?: number;
  /** false: pure noise, no units (the "no spikes" case). */
  spikes?: boolean;
}

/** Local alias for the hot loop (global lookups are slow inside jest's vm contexts). */
const { round } = Math;

/** Raw value of 0 µV: the ADC midpoint region, so negative excursions stay unsigned. */
export const SYNTHETIC_DC_OFFSET = 512;
/** Corner of the one-pole low-pass that colours the noise (real MEA noise is not white). */
const NOISE_CORNER_HZ = 3000;

export async function writeSyntheticMaxOne(path: string, opts: SyntheticMaxOneOptions = {}): Promise<GroundTruth> {
  const o = {
    num_channels: opts.num_channels ?? 32,
    duration_s: opts.duration_s ?? 60,
    sampling_frequency: opts.sampling_frequency ?? 20000,
    n_units: opts.n_units ?? 8,
    seed: opts.seed ?? 0,
    noise_uv: opts.noise_uv ?? 8,
    lsb: opts.lsb ?? 6.3e-6,
    firing_rate_hz: opts.firing_rate_hz ?? [4, 12],
    amplitude_uv: opts.amplitude_uv ?? [80, 220],
    refractory_ms: opts.refractory_ms ?? 2,
    spikes: opts.spikes ?? true,
  };
  if (!(o.duration_s >= 0) || !(o.sampling_frequency > 0) || !(o.lsb > 0) || !(o.noise_uv >= 0) || !(o.n_units >= 0)) {
    throw new RangeError(
      `writeSyntheticMaxOne(${path}): duration_s ≥ 0, sampling_frequency > 0, lsb > 0, noise_uv ≥ 0 and n_units ≥ 0 required`,
    );
  }
  const fs = o.sampling_frequency;
  const numFrames = Math.round(o.duration_s * fs);
  const probe = syntheticProbe(o.num_channels);
  // Separate streams: the noise does not change when the unit plan does, and vice versa.
  const units = o.spikes
    ? planUnits(new Prng(o.seed), probe, {
      n_units: o.n_units, sampling_frequency: fs, num_frames: numFrames,
      amplitude_uv: o.amplitude_uv, firing_rate_hz: o.firing_rate_hz, refractory_ms: o.refractory_ms,
    })
    : [];
  const signal = new SyntheticSignal(probe.length, units, {
    seed: o.seed, fs, noise_uv: o.noise_uv, uv_per_bit: o.lsb * 1e6,
  });
  await writeMaxwellH5(path, [{
    well: 'well000', rec: 'rec0000', sampling_frequency: fs, lsb: o.lsb, mapping: probe, num_frames: numFrames,
    fill: (s, e, out) => signal.fill(s, e, out),
  }]);
  const gt = groundTruth(probe, units, fs, numFrames);
  writeGroundTruth(path, gt);
  return gt;
}

function groundTruth(probe: readonly MaxwellMappingRow[], units: readonly SyntheticUnit[], fs: number, numFrames: number): GroundTruth {
  return {
    sampling_frequency: fs,
    num_frames: numFrames,
    num_channels: probe.length,
    units: units.map((u) => ({
      unit_id: u.unit_id, peak_channel_index: u.peak_channel_index, channel_id: String(probe[u.peak_channel_index].channel),
      x: u.x, y: u.y, amplitude_uv: u.amplitude_uv, firing_rate_hz: u.firing_rate_hz, spike_frames: u.spike_frames,
    })),
  };
}

/**
 * Produces raw uint16 samples block by block: coloured Gaussian noise per channel (one
 * Prng per channel, so the result does not depend on the block size) plus unit templates.
 */
export class SyntheticSignal {
  private readonly rngs: Prng[];
  private readonly state: Float64Array;
  private readonly alpha: number;
  private readonly drive: number;
  private acc = new Float64Array(0);

  constructor(
    private readonly numChannels: number,
    private readonly units: readonly SyntheticUnit[],
    private readonly p: { seed: number; fs: number; noise_uv: number; uv_per_bit: number },
  ) {
    this.rngs = Array.from({ length: numChannels }, (_, c) => new Prng((p.seed * 7919 + 104729 * (c + 1)) >>> 0));
    this.state = new Float64Array(numChannels);
    this.alpha = Math.exp((-2 * Math.PI * NOISE_CORNER_HZ) / p.fs);
    // AR(1) y = a·y + (1−a)·σ·n has variance (1−a)/(1+a)·σ²; pick σ for the requested RMS.
    this.drive = p.noise_uv * Math.sqrt((1 + this.alpha) / (1 - this.alpha));
  }

  /** Rows × (end − start), row-major uint16, for consecutive increasing ranges. */
  fill(start: number, end: number, out: Uint16Array): void {
    const n = end - start;
    if (this.acc.length < this.numChannels * n) this.acc = new Float64Array(this.numChannels * n);
    const acc = this.acc;
    const a = this.alpha;
    for (let c = 0; c < this.numChannels; c++) {
      const rng = this.rngs[c];
      let y = this.state[c];
      const base = c * n;
      for (let f = 0; f < n; f++) {
        y = a * y + (1 - a) * this.drive * rng.normal();
        acc[base + f] = y;
      }
      this.state[c] = y;
    }
    for (const u of this.units) addSpikes(u, start, end, acc);
    const perBit = this.p.uv_per_bit;
    for (let i = 0; i < this.numChannels * n; i++) {
      const v = round(acc[i] / perBit) + SYNTHETIC_DC_OFFSET;
      out[i] = v < 0 ? 0 : v > 65535 ? 65535 : v;
    }
  }
}

function addSpikes(u: SyntheticUnit, start: number, end: number, acc: Float64Array): void {
  const n = end - start;
  const len = u.waveform.length;
  const frames = u.spike_frames;
  // First spike whose window can reach into [start, end).
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid] - u.trough_index + len <= start) lo = mid + 1; else hi = mid;
  }
  for (let i = lo; i < frames.length; i++) {
    const first = frames[i] - u.trough_index;
    if (first >= end) break;
    const k0 = Math.max(0, start - first);
    const k1 = Math.min(len, end - first);
    for (let j = 0; j < u.channels.length; j++) {
      const base = u.channels[j] * n + first - start;
      const scale = u.scales[j];
      for (let k = k0; k < k1; k++) acc[base + k] += scale * u.waveform[k];
    }
  }
}
