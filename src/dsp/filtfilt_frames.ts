/**
 * Zero-phase SOS filtering of a block of many channels, as the band-pass needs it: each
 * channel gets exactly `scipy.signal.sosfiltfilt(sos, x, axis=0)` (odd extension,
 * steady-state initial conditions, float64 arithmetic in SciPy's order), and the kept
 * frames come out frame-major as float32 or as the sorter's int16. Channels are filtered
 * eight at a time by the SIMD kernel, gathered from a frame-major block by tiles, or from a
 * channel-major one (µV or stored integers, scaled on the way) eight rows at a time, so no
 * whole-block transposes and no per-channel arrays are needed.
 */
import { scaleStored } from '../io/recording';
import type { ZeroPhaseFilter } from './sosfilt';
import { BiquadKernel, LANES, LANE_FRAME_BYTES, PARAM_BYTES, PARAM_COEF, PARAM_Z1, PARAM_Z2 } from './wasm/biquad_kernel';

/** Local alias for the per-sample loops (global lookups are slow inside jest's vm contexts). */
const { fround } = Math;

let threadKernel: BiquadKernel | undefined;

/** One kernel (and its memory) per thread, reused by every call. */
function kernel(): BiquadKernel {
  threadKernel ??= new BiquadKernel();
  return threadKernel;
}

/** Lane groups: channel offsets of 8 channels each; a last partial group is shifted back to overlap (same lanes, same results). */
function laneGroups(nch: number): number[] {
  if (nch <= LANES) return [0];
  const starts: number[] = [];
  for (let c0 = 0; c0 + LANES <= nch; c0 += LANES) starts.push(c0);
  if (nch % LANES !== 0) starts.push(nch - LANES);
  return starts;
}

/**
 * Frames per transpose tile. Gathering one group's 8 channels straight down a frame-major
 * block strides by the row length (2 KB for 512 channels, a power of two that maps every
 * access to the same few cache sets) and runs at DRAM latency; a tile of rows stays in L2
 * while every group takes its columns.
 */
const TILE_FRAMES = 64;

/**
 * A block of `nch` channels × n frames as a filter input: frame-major µV (`getTraces`),
 * channel-major µV (`getTracesChannelMajor`) or channel-major stored samples with their
 * scaling (`getStoredChannelMajor`, scaled to the same µV values inside the kernel).
 */
export type FilterInput =
  | { layout: 'frames'; data: Float32Array }
  | { layout: 'channels'; data: Float32Array }
  | { layout: 'stored'; data: Uint16Array | Int16Array; gain: number; offset: number };

/**
 * Filters all `nch` channels of `raw` (frames × nch, frame-major) and writes frames
 * [keep, keep + len) of the result to `out` (len × nch, frame-major). Float32 output is
 * `Math.fround` of SciPy's float64 result; int16 output is `toInt16` of that float32 value.
 * The calling thread's kernel memory grows to about 8 to 12 bytes per input sample and is
 * kept for the next call.
 */
export function filtfiltFrames(filter: ZeroPhaseFilter, raw: Float32Array, nch: number, keep: number, len: number, out: Float32Array | Int16Array): void {
  filtfiltBlock(filter, { layout: 'frames', data: raw }, nch, keep, len, out);
}

/**
 * filtfiltFrames for any input layout: the output (frame-major) is the same for the same µV
 * values. `out` may share memory with `input.data`: the input is consumed before any output
 * is written.
 */
export function filtfiltBlock(filter: ZeroPhaseFilter, input: FilterInput, nch: number, keep: number, len: number, out: Float32Array | Int16Array): void {
  // The row gathers step two frames at a time; a one-frame block (only with padlen 0) is
  // its own frame-major layout.
  if (input.layout !== 'frames' && input.data.length === nch) {
    const frame = input.layout === 'stored' ? Float32Array.from(input.data, (v) => scaleStored(v, input.gain, input.offset)) : input.data;
    filtfiltBlock(filter, { layout: 'frames', data: frame }, nch, keep, len, out);
    return;
  }
  const raw = input.data;
  const n = raw.length / nch;
  const pad = filter.padlen;
  if (!Number.isInteger(n)) throw new RangeError(`filtfiltFrames: ${raw.length} samples do not divide into ${nch} channels`);
  if (n <= pad) throw new RangeError(`The length of the input vector x (${n}) must be greater than padlen, which is ${pad}.`);
  if (!(keep >= 0 && len >= 0 && keep + len <= n)) throw new RangeError(`filtfiltFrames: frames [${keep}, ${keep + len}) outside [0, ${n})`);
  if (out.length !== len * nch) throw new RangeError(`filtfiltFrames: output holds ${out.length} samples, expected ${len * nch}`);
  const total = n + 2 * pad;
  // BYTES_PER_ELEMENT rather than instanceof: arrays from another realm (jest, workers) must work too.
  const int16 = out.BYTES_PER_ELEMENT === 2;
  const ob = int16 ? 2 : 4;
  const groups = laneGroups(nch);
  const ng = groups.length;
  // Fewer than 8 channels: one group with zero lanes after the real ones, results picked out by plain loops.
  const wide = nch >= LANES;
  const framesLayout = input.layout === 'frames';
  const ib = raw.BYTES_PER_ELEMENT;
  // Channel-major input is gathered by row, so a narrow block gets zero rows up to 8.
  const inRows = framesLayout || wide ? nch : LANES;
  // Memory: parameters | one group's extended float64 signal | IN: the input block | STAGE
  // (frame-major input only): every group's float32 input, group-major | GROUPS: every group's
  // output, group-major | OUT: the frame-major output. Regions whose contents are dead by
  // the time the next one is written share memory.
  const extPtr = PARAM_BYTES;
  const inPtr = align64(extPtr + total * LANE_FRAME_BYTES);
  const inBytes = n * inRows * ib;
  const groupsBytes = ng * len * LANES * ob;
  const outBytes = wide ? len * nch * ob : 0;
  let stagePtr = 0;
  let groupsPtr: number;
  let outPtr: number;
  let end: number;
  if (framesLayout && wide) {
    // The raw copy is dead once staged: the group outputs reuse it, the frame-major output the stage.
    stagePtr = align64(inPtr + Math.max(inBytes, groupsBytes));
    groupsPtr = inPtr;
    outPtr = stagePtr;
    end = stagePtr + Math.max(ng * n * LANES * 4, outBytes);
  } else if (framesLayout) {
    stagePtr = inPtr;
    groupsPtr = align64(stagePtr + n * LANES * 4);
    outPtr = 0;
    end = groupsPtr + groupsBytes;
  } else {
    // The input is dead once the last group is gathered: the frame-major output reuses it.
    outPtr = inPtr;
    groupsPtr = align64(inPtr + Math.max(inBytes, outBytes));
    end = groupsPtr + groupsBytes;
  }
  const k = kernel();
  // The stored-sample gather reads 4 bytes past its last pair.
  k.reserve(end + 16);

  if (framesLayout) {
    if (wide) {
      k.f32.set(raw as Float32Array, inPtr / 4);
      for (let f0 = 0; f0 < n; f0 += TILE_FRAMES) {
        const rows = Math.min(TILE_FRAMES, n - f0);
        for (let g = 0; g < ng; g++) k.copyRows(32, inPtr + (f0 * nch + groups[g]) * 4, nch * 4, stagePtr + (g * n + f0) * 32, 32, rows);
      }
    } else {
      gatherNarrow(raw as Float32Array, nch, n, k.f32, stagePtr / 4);
    }
  } else {
    const view = input.layout === 'channels' ? k.f32 : k.u16;
    const at = inPtr / ib;
    // Int16 samples go in by their bit patterns (u16 view); the kernel reads them signed.
    view.set(input.layout === 'stored' && isSigned(input.data) ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length) : raw, at);
    if (inRows > nch) view.fill(0, at + n * nch, at + n * inRows);
  }

  const ext = extPtr / 8;
  const lanesAt = extPtr + pad * LANE_FRAME_BYTES;
  for (let g = 0; g < ng; g++) {
    const rowPtr = inPtr + groups[g] * n * ib;
    if (input.layout === 'frames') k.promote(stagePtr + g * n * LANES * 4, n, lanesAt);
    else if (input.layout === 'channels') k.gatherF32(rowPtr, n * 4, n, lanesAt);
    else k.gatherStored(isSigned(input.data), rowPtr, n * 2, n, lanesAt, input.gain, input.offset);
    oddExtend(k.f64, ext, pad, n);
    runPass(k, filter, extPtr, total, true);
    runPass(k, filter, extPtr, total, false);
    const from = extPtr + (pad + keep) * LANE_FRAME_BYTES;
    const to = groupsPtr + g * len * LANES * ob;
    if (int16) k.toI16(from, len, to);
    else k.toF32(from, len, to);
  }

  const view = int16 ? k.i16 : k.f32;
  if (wide) {
    const row = (LANES * ob) as 16 | 32;
    for (let f0 = 0; f0 < len; f0 += TILE_FRAMES) {
      const rows = Math.min(TILE_FRAMES, len - f0);
      for (let g = 0; g < ng; g++) k.copyRows(row, groupsPtr + (g * len + f0) * row, row, outPtr + (f0 * nch + groups[g]) * ob, nch * ob, rows);
    }
    out.set(view.subarray(outPtr / ob, outPtr / ob + len * nch));
  } else {
    scatterNarrow(view, groupsPtr / ob, len, out, nch);
  }
}

/** Int16Array from any realm (instanceof fails across jest's and workers' globals). */
function isSigned(a: Uint16Array | Int16Array): boolean {
  return Object.prototype.toString.call(a) === '[object Int16Array]';
}

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** Fewer than 8 channels into one lane group; the unused lanes are zero. */
function gatherNarrow(raw: Float32Array, nch: number, n: number, dst: Float32Array, at: number): void {
  dst.fill(0, at, at + n * LANES);
  for (let f = 0; f < n; f++) for (let j = 0; j < nch; j++) dst[at + f * LANES + j] = raw[f * nch + j];
}

function scatterNarrow(src: Float32Array | Int16Array, at: number, len: number, out: Float32Array | Int16Array, nch: number): void {
  for (let f = 0; f < len; f++) for (let j = 0; j < nch; j++) out[f * nch + j] = src[at + f * LANES + j];
}

/**
 * SciPy's odd extension by `pad` frames each side, built in float32 as NumPy does for
 * float32 input (see `sosfiltfilt`): x[-i] = 2·x[0] − x[i], x[n-1+i] = 2·x[n-1] − x[n-1-i].
 */
function oddExtend(f64: Float64Array, ext: number, pad: number, n: number): void {
  const first = ext + pad * LANES;
  const last = ext + (pad + n - 1) * LANES;
  for (let j = 0; j < LANES; j++) {
    const x0 = f64[first + j];
    const xl = f64[last + j];
    for (let i = 0; i < pad; i++) {
      f64[ext + i * LANES + j] = fround(2 * x0 - f64[first + (pad - i) * LANES + j]);
      f64[last + (i + 1) * LANES + j] = fround(2 * xl - f64[last - (i + 1) * LANES + j]);
    }
  }
}

/** One direction through every section, each starting from its steady state scaled by that direction's first input sample. */
function runPass(k: BiquadKernel, filter: ZeroPhaseFilter, extPtr: number, total: number, forward: boolean): void {
  const f64 = k.f64;
  const startPtr = forward ? extPtr : extPtr + (total - 1) * LANE_FRAME_BYTES;
  const step = forward ? LANE_FRAME_BYTES : -LANE_FRAME_BYTES;
  const x0 = f64.slice(startPtr / 8, startPtr / 8 + LANES);
  const { flat, zi } = filter;
  for (let s = 0; s < zi.length / 2; s++) {
    const o = s * 6;
    const c = PARAM_COEF / 8;
    f64[c] = flat[o]; f64[c + 1] = flat[o + 1]; f64[c + 2] = flat[o + 2]; f64[c + 3] = flat[o + 4]; f64[c + 4] = flat[o + 5];
    for (let j = 0; j < LANES; j++) {
      f64[PARAM_Z1 / 8 + j] = zi[2 * s] * x0[j];
      f64[PARAM_Z2 / 8 + j] = zi[2 * s + 1] * x0[j];
    }
    k.biquad(startPtr, total, step, 0);
  }
}
