import { loadH5Wasm } from '../src/io/h5';
test('h5wasm loads', async () => { const h5 = await loadH5Wasm(); expect(typeof h5.File).toBe('function'); });
