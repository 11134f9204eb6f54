/**
 * The band-pass inner loop as WebAssembly SIMD: one biquad section run over eight channels
 * at once (four f64x2 state chains). Scalar JS filtering is bound by the latency of each
 * channel's recursion (~3.5 ns per section-sample); eight independent lanes in registers
 * make it throughput-bound, several times faster. The arithmetic is SciPy's `sosfilt`
 * operation for operation in float64, so results equal the scalar `sosfiltInPlace`
 * exactly; only the conversions to float32 / int16 happen here too, vectorised.
 *
 * Memory layout the exports work on: "lane frames" of 8 float64 (64 bytes), one per
 * sample, lane j holding channel c0 + j.
 */
import { endianness } from 'node:os';
import { type Code, F32, F64, I32, V128, type ValType, type WasmFunction, encodeModule, op } from './encoder';

export const LANES = 8;
export const LANE_FRAME_BYTES = LANES * 8;
/** Parameter block: b0 b1 b2 a1 a2, then z1 and z2 per lane (all float64). */
export const PARAM_COEF = 0;
export const PARAM_Z1 = 5 * 8;
export const PARAM_Z2 = PARAM_Z1 + LANES * 8;
export const PARAM_BYTES = 256;

const VECS = LANES / 2;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `biquad(ptr, frames, step, par)`: filters `frames` lane frames in place from `ptr`, moving `step` bytes per frame (±64). */
function biquadFunction(): WasmFunction {
  const [ptr, frames, step, par] = [0, 1, 2, 3];
  const coef = (k: number): number => 4 + k; // b0 b1 b2 a1 a2
  const z1 = (v: number): number => 9 + v;
  const z2 = (v: number): number => 9 + VECS + v;
  const x = (v: number): number => 9 + 2 * VECS + v;
  const y = (v: number): number => 9 + 3 * VECS + v;
  const body: Code[] = [];
  for (let k = 0; k < 5; k++) body.push(op.localGet(par), op.f64Load(PARAM_COEF + 8 * k), op.f64x2Splat, op.localSet(coef(k)));
  for (const v of range(VECS)) {
    body.push(op.localGet(par), op.v128Load(PARAM_Z1 + 16 * v), op.localSet(z1(v)));
    body.push(op.localGet(par), op.v128Load(PARAM_Z2 + 16 * v), op.localSet(z2(v)));
  }
  const [b0, b1, b2, a1, a2] = range(5).map(coef);
  const g = op.localGet;
  body.push(op.block, g(frames), op.i32Eqz, op.brIf(0), op.loop);
  for (const v of range(VECS)) body.push(g(ptr), op.v128Load(16 * v), op.localSet(x(v)));
  for (const v of range(VECS)) {
    // y = b0·x + z1;  z1 = (b1·x − a1·y) + z2;  z2 = b2·x − a2·y   (SciPy's order)
    body.push(g(b0), g(x(v)), op.f64x2Mul, g(z1(v)), op.f64x2Add, op.localSet(y(v)));
    body.push(g(b1), g(x(v)), op.f64x2Mul, g(a1), g(y(v)), op.f64x2Mul, op.f64x2Sub, g(z2(v)), op.f64x2Add, op.localSet(z1(v)));
    body.push(g(b2), g(x(v)), op.f64x2Mul, g(a2), g(y(v)), op.f64x2Mul, op.f64x2Sub, op.localSet(z2(v)));
  }
  for (const v of range(VECS)) body.push(g(ptr), g(y(v)), op.v128Store(16 * v));
  body.push(g(ptr), g(step), op.i32Add, op.localSet(ptr));
  body.push(g(frames), op.i32Const(1), op.i32Sub, op.localTee(frames), op.brIf(0), op.end, op.end);
  return { name: 'biquad', params: [I32, I32, I32, I32], locals: range(5 + 4 * VECS).map(() => V128), body };
}

/** `promote(src, frames, dst)`: 8 float32 per frame (32 bytes) → lane frames of float64. */
function promoteFunction(): WasmFunction {
  const [src, frames, dst] = [0, 1, 2];
  const g = op.localGet;
  const body: Code[] = [op.block, g(frames), op.i32Eqz, op.brIf(0), op.loop];
  for (const v of range(VECS)) body.push(g(dst), g(src), op.v128Load64Zero(8 * v), op.f64x2PromoteLowF32x4, op.v128Store(16 * v));
  body.push(g(src), op.i32Const(LANES * 4), op.i32Add, op.localSet(src));
  body.push(g(dst), op.i32Const(LANE_FRAME_BYTES), op.i32Add, op.localSet(dst));
  body.push(g(frames), op.i32Const(1), op.i32Sub, op.localTee(frames), op.brIf(0), op.end, op.end);
  return { name: 'promote', params: [I32, I32, I32], locals: [], body };
}

/**
 * Lane frames from eight channel rows (channel-major input: row j of the group at
 * `src + j · rowStride`), two frames per step: `load` turns row j's two samples at its
 * pointer into one f64x2 (frames f, f + 1), and pairs of rows are interleaved into the
 * lanes of both frames. Vector conversions here cost a fraction of eight scalar ones per
 * frame, which made a scalar gather as slow as a third of the biquads.
 */
function gatherFunction(
  name: string, params: readonly ValType[], sampleBytes: number, load: (rowPtr: number) => Code[], prologue: readonly Code[] = [], extraLocals: readonly ValType[] = [],
): WasmFunction {
  const [src, rowStride, pairs, dst] = [0, 1, 2, 3];
  const row = (j: number): number => params.length + extraLocals.length + j;
  const pair = (j: number): number => params.length + extraLocals.length + LANES + j;
  const g = op.localGet;
  const low = op.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
  const high = op.i8x16Shuffle([8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]);
  const body: Code[] = [...prologue];
  for (let j = 0; j < LANES; j++) body.push(g(src), g(rowStride), op.i32Const(j), op.i32Mul, op.i32Add, op.localSet(row(j)));
  body.push(op.block, g(pairs), op.i32Eqz, op.brIf(0), op.loop);
  for (let j = 0; j < LANES; j++) body.push(...load(row(j)), op.localSet(pair(j)));
  for (let j = 0; j < LANES; j += 2) {
    body.push(g(dst), g(pair(j)), g(pair(j + 1)), low, op.v128Store(8 * j));
    body.push(g(dst), g(pair(j)), g(pair(j + 1)), high, op.v128Store(LANE_FRAME_BYTES + 8 * j));
  }
  for (let j = 0; j < LANES; j++) body.push(g(row(j)), op.i32Const(2 * sampleBytes), op.i32Add, op.localSet(row(j)));
  body.push(g(dst), op.i32Const(2 * LANE_FRAME_BYTES), op.i32Add, op.localSet(dst));
  body.push(g(pairs), op.i32Const(1), op.i32Sub, op.localTee(pairs), op.brIf(0), op.end, op.end);
  const locals: ValType[] = [...extraLocals, ...range(LANES).map((): ValType => I32), ...range(LANES).map((): ValType => V128)];
  return { name, params, locals, body };
}

/** `gatherF32(src, rowStride, pairs, dst)`: float32 rows (µV) → lane frames, promoted as `promote` does. */
function gatherF32Function(): WasmFunction {
  return gatherFunction('gatherF32', [I32, I32, I32, I32], 4, (p) => [op.localGet(p), op.v128Load64Zero(0), op.f64x2PromoteLowF32x4]);
}

/**
 * `gatherU16` / `gatherI16(src, rowStride, pairs, dst, gain, offset)`: stored 16-bit rows →
 * µV lane frames, scaled as `scaleStored` does: float32(float32(raw × gain) + offset), the
 * product in float64 like JS's, the sum of two float32 values in float32 (the same as
 * rounding their float64 sum, which is exact). Reads two samples past each pair (ignored).
 */
function gatherStoredFunction(name: string, signed: boolean): WasmFunction {
  const [gain, offset, gains, offsets] = [4, 5, 6, 7];
  const g = op.localGet;
  const prologue = [g(gain), op.f64x2Splat, op.localSet(gains), g(offset), op.f32x4Splat, op.localSet(offsets)];
  return gatherFunction(name, [I32, I32, I32, I32, F64, F32], 2, (p) => [
    g(p), signed ? op.v128Load16x4S(0) : op.v128Load16x4U(0), op.f64x2ConvertLowI32x4S,
    g(gains), op.f64x2Mul, op.f32x4DemoteF64x2Zero, g(offsets), op.f32x4Add, op.f64x2PromoteLowF32x4,
  ], prologue, [V128, V128]);
}

/**
 * `copyRows(src, srcStride, dst, dstStride, rows)`: copies `rows` rows of `bytes` bytes (16 or
 * 32) between strided layouts: the transposes between frame-major blocks and lane groups.
 */
function copyRowsFunction(name: string, bytes: 16 | 32): WasmFunction {
  const [src, srcStride, dst, dstStride, rows] = [0, 1, 2, 3, 4];
  const g = op.localGet;
  const body: Code[] = [op.block, g(rows), op.i32Eqz, op.brIf(0), op.loop];
  for (let off = 0; off < bytes; off += 16) body.push(g(dst), g(src), op.v128Load(off), op.v128Store(off));
  body.push(g(src), g(srcStride), op.i32Add, op.localSet(src));
  body.push(g(dst), g(dstStride), op.i32Add, op.localSet(dst));
  body.push(g(rows), op.i32Const(1), op.i32Sub, op.localTee(rows), op.brIf(0), op.end, op.end);
  return { name, params: [I32, I32, I32, I32, I32], locals: [], body };
}

/** `toF32(src, frames, dst)`: lane frames → 8 float32 per frame (32 bytes), rounded to nearest like Math.fround. */
function toF32Function(): WasmFunction {
  const [src, frames, dst] = [0, 1, 2];
  const g = op.localGet;
  const body: Code[] = [op.block, g(frames), op.i32Eqz, op.brIf(0), op.loop];
  for (const v of range(VECS)) body.push(g(dst), g(src), op.v128Load(16 * v), op.f32x4DemoteF64x2Zero, op.v128Store64Lane(8 * v, 0));
  body.push(g(src), op.i32Const(LANE_FRAME_BYTES), op.i32Add, op.localSet(src));
  body.push(g(dst), op.i32Const(LANES * 4), op.i32Add, op.localSet(dst));
  body.push(g(frames), op.i32Const(1), op.i32Sub, op.localTee(frames), op.brIf(0), op.end, op.end);
  return { name: 'toF32', params: [I32, I32, I32], locals: [], body };
}

/**
 * `toI16(src, frames, dst)`: lane frames → 8 little-endian int16 per frame (16 bytes): rounded
 * to float32 first, then truncated toward zero and saturated (NaN → 0), i.e. exactly
 * `toInt16(Math.fround(v))` of src/io/binary.
 */
function toI16Function(): WasmFunction {
  const [src, frames, dst] = [0, 1, 2];
  const [lo] = [3];
  const g = op.localGet;
  // Lanes 0–1 of the first operand then lanes 0–1 of the second (demote leaves lanes 2–3 zero).
  const join = op.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
  const quad = (first: number): Code[] => [
    g(src), op.v128Load(16 * first), op.f32x4DemoteF64x2Zero,
    g(src), op.v128Load(16 * (first + 1)), op.f32x4DemoteF64x2Zero,
    join, op.i32x4TruncSatF32x4S,
  ];
  const body: Code[] = [op.block, g(frames), op.i32Eqz, op.brIf(0), op.loop];
  body.push(...quad(0), op.localSet(lo));
  body.push(g(dst), g(lo), ...quad(2), op.i16x8NarrowI32x4S, op.v128Store(0));
  body.push(g(src), op.i32Const(LANE_FRAME_BYTES), op.i32Add, op.localSet(src));
  body.push(g(dst), op.i32Const(LANES * 2), op.i32Add, op.localSet(dst));
  body.push(g(frames), op.i32Const(1), op.i32Sub, op.localTee(frames), op.brIf(0), op.end, op.end);
  return { name: 'toI16', params: [I32, I32, I32], locals: [V128], body };
}

/**
 * The few members of the WebAssembly JS API used here: the project's `lib` setting has no
 * DOM typings, which is where TypeScript declares them.
 */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  biquad(ptr: number, frames: number, step: number, par: number): void;
  promote(src: number, frames: number, dst: number): void;
  copy16(src: number, srcStride: number, dst: number, dstStride: number, rows: number): void;
  copy32(src: number, srcStride: number, dst: number, dstStride: number, rows: number): void;
  toF32(src: number, frames: number, dst: number): void;
  toI16(src: number, frames: number, dst: number): void;
  gatherF32(src: number, rowStride: number, pairs: number, dst: number): void;
  gatherU16(src: number, rowStride: number, pairs: number, dst: number, gain: number, offset: number): void;
  gatherI16(src: number, rowStride: number, pairs: number, dst: number, gain: number, offset: number): void;
}

let compiled: object | undefined;

function kernelModule(): object {
  compiled ??= new wasm.Module(encodeModule(1, [
    biquadFunction(), promoteFunction(), copyRowsFunction('copy16', 16), copyRowsFunction('copy32', 32), toF32Function(), toI16Function(),
    gatherF32Function(), gatherStoredFunction('gatherU16', false), gatherStoredFunction('gatherI16', true),
  ]));
  return compiled;
}

const WASM_PAGE = 65536;

/** One kernel instance with its own growable memory; one per thread. */
export class BiquadKernel {
  private readonly exports: KernelExports;
  private views!: { f64: Float64Array; f32: Float32Array; i16: Int16Array; u16: Uint16Array };

  constructor() {
    // WebAssembly memory is little-endian; the typed-array views over it are host-endian.
    if (endianness() !== 'LE') throw new Error('the SIMD band-pass kernel needs a little-endian host');
    this.exports = new wasm.Instance(kernelModule(), {}).exports as KernelExports;
    this.refreshViews();
  }

  /** Makes the memory at least `bytes` long; views must be re-read afterwards. */
  reserve(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (bytes > have) {
      this.exports.memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
      this.refreshViews();
    }
  }

  get f64(): Float64Array { return this.views.f64; }
  get f32(): Float32Array { return this.views.f32; }
  get i16(): Int16Array { return this.views.i16; }
  get u16(): Uint16Array { return this.views.u16; }

  biquad(ptr: number, frames: number, step: number, par: number): void { this.exports.biquad(ptr, frames, step, par); }
  promote(src: number, frames: number, dst: number): void { this.exports.promote(src, frames, dst); }
  /** Copies rows of 16 (`bytes` = 16) or 32 bytes between strided layouts. */
  copyRows(bytes: 16 | 32, src: number, srcStride: number, dst: number, dstStride: number, rows: number): void {
    if (bytes === 16) this.exports.copy16(src, srcStride, dst, dstStride, rows);
    else this.exports.copy32(src, srcStride, dst, dstStride, rows);
  }
  toF32(src: number, frames: number, dst: number): void { this.exports.toF32(src, frames, dst); }
  toI16(src: number, frames: number, dst: number): void { this.exports.toI16(src, frames, dst); }
  /**
   * Lane frames from 8 float32 rows `rowStride` bytes apart (frames ≥ 2: an odd count redoes
   * the frame before the last, which gives the same values).
   */
  gatherF32(src: number, rowStride: number, frames: number, dst: number): void {
    this.gatherPairs(4, frames, src, dst, (s, pairs, d) => this.exports.gatherF32(s, rowStride, pairs, d));
  }
  /** Lane frames from 8 stored 16-bit rows `rowStride` bytes apart, scaled to µV as `scaleStored` (frames ≥ 2). */
  gatherStored(signed: boolean, src: number, rowStride: number, frames: number, dst: number, gain: number, offset: number): void {
    const run = signed ? this.exports.gatherI16 : this.exports.gatherU16;
    this.gatherPairs(2, frames, src, dst, (s, pairs, d) => run(s, rowStride, pairs, d, gain, offset));
  }

  private gatherPairs(sampleBytes: number, frames: number, src: number, dst: number, run: (src: number, pairs: number, dst: number) => void): void {
    if (frames < 2) throw new RangeError(`gather needs at least 2 frames, got ${frames}`);
    run(src, frames >> 1, dst);
    if (frames % 2 === 1) run(src + (frames - 2) * sampleBytes, 1, dst + (frames - 2) * LANE_FRAME_BYTES);
  }

  private refreshViews(): void {
    const buf = this.exports.memory.buffer;
    this.views = { f64: new Float64Array(buf), f32: new Float32Array(buf), i16: new Int16Array(buf), u16: new Uint16Array(buf) };
  }
}
