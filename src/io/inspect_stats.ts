/**
 * Per-channel statistics of one short window of traces, for `inspect`'s data hints: spread
 * (flat channels), samples at the ADC / dtype rails (saturation), non-finite samples, and a
 * robust noise level. Works on one channel column at a time, so memory stays at one window.
 */
import type { ZeroPhaseFilter } from '../dsp/sosfilt';
import { sosfiltfilt } from '../dsp/sosfilt';
import { madStdInPlace } from '../dsp/median';

/** Lowest and highest stored value of the source; samples at or beyond them are clipped. */
export interface Rails {
  readonly low: number;
  readonly high: number;
  /** Where the limits come from, for the report (`uint16 limits`, `Maxwell 10-bit ADC`). */
  readonly basis: string;
}

/** How a channel's stored values became µV: µV = raw × gain + offset. */
export interface ChannelScaling {
  readonly gain: number;
  readonly offset: number;
}

export interface ChannelWindowStats {
  readonly samples: number;
  readonly non_finite: number;
  /** Population std of the finite µV samples; NaN with no finite sample. */
  readonly std_uv: number;
  /** Samples whose stored value is at or beyond a rail (0 when the source has no rails). */
  readonly at_rail: number;
  /** MAD / 0.6745 of the (band-passed) window; NaN when the window has non-finite samples. */
  readonly noise_uv: number;
}

/** MAD → Gaussian σ, as SpikeInterface's noise levels (1 / Φ⁻¹(3/4)). */

/**
 * Raw values within half a unit of a rail count as at it: the reader's float32 µV carry
 * rounding error, and integer sources only ever hold whole units.
 */
const RAIL_TOLERANCE = 0.5;
/** Local aliases for the per-sample loops (global lookups are slow inside jest's vm contexts). */
const { sqrt } = Math;
const { isFinite } = Number;

export function windowStats(
  traces: Float32Array,
  numChannels: number,
  scaling: readonly ChannelScaling[] | null,
  rails: Rails | null,
  filter: ZeroPhaseFilter | null,
): ChannelWindowStats[] {
  const n = traces.length / numChannels;
  if (!Number.isInteger(n)) throw new RangeError(`windowStats: ${traces.length} samples do not divide into ${numChannels} channels`);
  const col = new Float64Array(n);
  const out: ChannelWindowStats[] = [];
  for (let c = 0; c < numChannels; c++) {
    for (let f = 0; f < n; f++) col[f] = traces[f * numChannels + c];
    out.push(columnStats(col, scaling?.[c] ?? null, rails, filter));
  }
  return out;
}

function columnStats(col: Float64Array, scaling: ChannelScaling | null, rails: Rails | null, filter: ZeroPhaseFilter | null): ChannelWindowStats {
  const n = col.length;
  let finite = 0;
  let sum = 0;
  let atRail = 0;
  const railLow = rails === null ? 0 : rails.low + RAIL_TOLERANCE;
  const railHigh = rails === null ? 0 : rails.high - RAIL_TOLERANCE;
  const checkRails = rails !== null && scaling !== null && scaling.gain !== 0 && Number.isFinite(scaling.gain);
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (!isFinite(v)) continue;
    finite++;
    sum += v;
    if (checkRails) {
      const raw = (v - scaling.offset) / scaling.gain;
      if (raw <= railLow || raw >= railHigh) atRail++;
    }
  }
  const mean = finite > 0 ? sum / finite : Number.NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (isFinite(v)) ss += (v - mean) * (v - mean);
  }
  const std = finite > 0 ? sqrt(ss / finite) : Number.NaN;
  const nonFinite = n - finite;
  let noise = Number.NaN;
  if (nonFinite === 0 && n > 0) {
    // A filter cannot run over NaN (it would smear it over the whole window); such channels
    // are reported as non-finite instead of getting a noise level.
    const x = filter !== null && n > filter.padlen ? sosfiltfilt(filter, col) : Float64Array.from(col);
    noise = madStdInPlace(x);
  }
  return { samples: n, non_finite: nonFinite, std_uv: std, at_rail: atRail, noise_uv: noise };
}
