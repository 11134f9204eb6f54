/**
 * A minimal WebAssembly binary encoder: just enough (one memory, exported functions over
 * i32 / f32 / f64 / v128 locals, structured loops) to build the SIMD filter kernel at start-up
 * without a toolchain or a new dependency. Instruction helpers return byte arrays so a
 * kernel reads as a list of operations.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

export type Code = readonly number[];

export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`uleb: ${n} is not a non-negative integer`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  if (!Number.isInteger(n)) throw new RangeError(`sleb: ${n} is not an integer`);
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vec(items: readonly Code[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: Code): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** memarg: alignment as a power of two, then a constant byte offset. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...uleb(alignLog2), ...uleb(offset)];
}

const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];

/** The instructions the kernels use (opcodes from the core spec and the SIMD proposal's final numbering). */
export const op = {
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Eqz: [0x45],
  /** Block / loop with no result; `end` closes either. */
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  i32Mul: [0x6c],
  f64Load: (offset: number): number[] => [0x2b, ...memarg(3, offset)],
  f32Load: (offset: number): number[] => [0x2a, ...memarg(2, offset)],
  i32Load16S: (offset: number): number[] => [0x2e, ...memarg(1, offset)],
  i32Load16U: (offset: number): number[] => [0x2f, ...memarg(1, offset)],
  f64Store: (offset: number): number[] => [0x39, ...memarg(3, offset)],
  f32Add: [0x92],
  f64Mul: [0xa2],
  f32DemoteF64: [0xb6],
  f64ConvertI32S: [0xb7],
  f64PromoteF32: [0xbb],
  v128Load: (offset: number): number[] => simd(0x00, ...memarg(4, offset)),
  v128Store: (offset: number): number[] => simd(0x0b, ...memarg(4, offset)),
  /** Stores lane 0 or 1 (64 bits) of a v128. */
  v128Store64Lane: (offset: number, lane: number): number[] => simd(0x5b, ...memarg(3, offset), lane),
  v128Load64Zero: (offset: number): number[] => simd(0x5d, ...memarg(3, offset)),
  /** Four 16-bit integers, sign- or zero-extended to i32x4. */
  v128Load16x4S: (offset: number): number[] => simd(0x03, ...memarg(3, offset)),
  v128Load16x4U: (offset: number): number[] => simd(0x04, ...memarg(3, offset)),
  i8x16Shuffle: (lanes: readonly number[]): number[] => {
    if (lanes.length !== 16) throw new RangeError('i8x16.shuffle needs 16 lane indices');
    return simd(0x0d, ...lanes);
  },
  f32x4Splat: simd(0x13),
  f64x2Splat: simd(0x14),
  f32x4Add: simd(0xe4),
  f64x2ConvertLowI32x4S: simd(0xfe),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f32x4DemoteF64x2Zero: simd(0x5e),
  f64x2PromoteLowF32x4: simd(0x5f),
  i32x4TruncSatF32x4S: simd(0xf8),
  i16x8NarrowI32x4S: simd(0x85),
} as const;

export interface WasmFunction {
  name: string;
  params: readonly ValType[];
  /** Extra locals after the parameters. */
  locals: readonly ValType[];
  body: readonly Code[];
}

/** A module with one exported memory (`memory`, `pages` × 64 KiB initially) and the given exported functions (no results). */
export function encodeModule(pages: number, funcs: readonly WasmFunction[]): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]);
  const code = funcs.map((f) => {
    // Locals as (count, type) runs.
    const runs: number[][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]), [...name('memory'), 0x02, 0x00]])),
    ...section(10, vec(code)),
  ];
  return Uint8Array.from(bytes);
}
