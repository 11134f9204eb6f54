import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonJson } from '../../src/util/pythonJson';
import { NdArray, PickleDict, PickleTuple, PyFloat, pickle } from '../../src/reporting/pickle';
import { HAVE_PYTHON, runPython, tempDir } from '../waveforms/helpers';

const READ = `
import json, pickle, sys, warnings, numpy as np
warnings.simplefilter('error')
v = pickle.load(open(sys.argv[1], 'rb'))
def d(x):
    if isinstance(x, np.ndarray):
        return {'nd': str(x.dtype), 'shape': list(x.shape), 'v': x.tolist() if x.dtype != object else [d(y) for y in x.ravel()]}
    if isinstance(x, dict):
        return {'dict': [[k, d(y)] for k, y in x.items()]}
    if isinstance(x, (list, tuple)):
        return {type(x).__name__: [d(y) for y in x]}
    return {type(x).__name__: x}
print(json.dumps(d(v)))
`;

(HAVE_PYTHON ? describe : describe.skip)('pickle writer, read by Python', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => { tmp = tempDir('pkl'); });
  afterAll(() => tmp.cleanup());

  function roundTrip(value: Parameters<typeof pickle>[0]): unknown {
    const path = join(tmp.dir, 'v.pkl');
    writeFileSync(path, pickle(value));
    return parsePythonJson(runPython('-c', [READ, path]));
  }

  test('scalars, strings, containers', () => {
    const value = new PickleDict([
      ['none', null], ['t', true], ['f', false], ['small', 7], ['neg', -3], ['mid', 40000], ['big', 2 ** 40], ['huge', -(2n ** 70n)],
      ['float', 2.5], ['whole_float', new PyFloat(3)], ['inf', Infinity], ['text', 'µV ✓'], ['long_text', 'x'.repeat(300)],
      ['list', [1, 'a', [2]]], ['tuple', new PickleTuple([1, 2, 3, 4])], ['empty', []], ['empty_tuple', new PickleTuple([])], ['empty_dict', new PickleDict([])],
    ]);
    expect(roundTrip(value)).toEqual({ dict: [
      ['none', { NoneType: null }], ['t', { bool: true }], ['f', { bool: false }], ['small', { int: 7 }], ['neg', { int: -3 }], ['mid', { int: 40000 }],
      ['big', { int: 2 ** 40 }], ['huge', { int: -(2 ** 70) }], ['float', { float: 2.5 }], ['whole_float', { float: 3 }], ['inf', { float: Infinity }],
      ['text', { str: 'µV ✓' }], ['long_text', { str: 'x'.repeat(300) }], ['list', { list: [{ int: 1 }, { str: 'a' }, { list: [{ int: 2 }] }] }],
      ['tuple', { tuple: [{ int: 1 }, { int: 2 }, { int: 3 }, { int: 4 }] }], ['empty', { list: [] }], ['empty_tuple', { tuple: [] }], ['empty_dict', { dict: [] }],
    ] });
  });

  test('arrays of every dtype, 0-d and object arrays, without deprecation warnings', () => {
    const value = [
      new NdArray('<f4', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6.5])),
      new NdArray('<f8', [], Float64Array.of(20000)),
      new NdArray('<i8', [3], BigInt64Array.from([1n, -2n, 2n ** 40n])),
      new NdArray('<i4', [0], new Int32Array(0)),
      new NdArray('|b1', [2], Uint8Array.from([1, 0])),
      new NdArray('|O', [2], [new PickleDict([['a', 1]]), null]),
      new NdArray('<f4', [100], new Float32Array(100).fill(0.25)),
    ];
    expect(roundTrip(value)).toEqual({ list: [
      { nd: 'float32', shape: [2, 3], v: [[1, 2, 3], [4, 5, 6.5]] },
      { nd: 'float64', shape: [], v: 20000 },
      { nd: 'int64', shape: [3], v: [1, -2, 2 ** 40] },
      { nd: 'int32', shape: [0], v: [] },
      { nd: 'bool', shape: [2], v: [true, false] },
      { nd: 'object', shape: [2], v: [{ dict: [['a', { int: 1 }]] }, { NoneType: null }] },
      { nd: 'float32', shape: [100], v: new Array(100).fill(0.25) },
    ] });
  });

  test('shape / data mismatch is refused', () => {
    expect(() => new NdArray('<f4', [2, 2], new Float32Array(3))).toThrow(RangeError);
    expect(() => new NdArray('|O', [1], new Float32Array(1))).toThrow(TypeError);
  });
});
