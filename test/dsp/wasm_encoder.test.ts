import { encodeModule, I32, op, sleb, uleb } from '../../src/dsp/wasm/encoder';

describe('WebAssembly encoder', () => {
  it('encodes LEB128 integers as the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(() => uleb(-1)).toThrow(RangeError);
  });

  it('builds a module that validates and runs (a loop writing i32 counters to memory)', () => {
    const g = op.localGet;
    // fill(ptr, n): for i = n..1: *(ptr + 4(i-1)) = i, as a store loop; exercises block/loop/br_if.
    const body = [
      op.block, g(1), op.i32Eqz, op.brIf(0), op.loop,
      g(0), g(1), op.i32Const(1), op.i32Sub, op.i32Const(4), [0x6c] /* i32.mul */, op.i32Add, g(1), [0x36, 2, 0] /* i32.store */,
      g(1), op.i32Const(1), op.i32Sub, op.localTee(1), op.brIf(0), op.end, op.end,
    ];
    const bytes = encodeModule(1, [{ name: 'fill', params: [I32, I32], locals: [], body }]);
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> }; Module: new (b: Uint8Array) => object } }).WebAssembly;
    const inst = new wasm.Instance(new wasm.Module(bytes), {});
    (inst.exports.fill as (p: number, n: number) => void)(64, 5);
    const mem = new Int32Array((inst.exports.memory as { buffer: ArrayBuffer }).buffer, 64, 6);
    expect(Array.from(mem)).toEqual([1, 2, 3, 4, 5, 0]);
  });
});
