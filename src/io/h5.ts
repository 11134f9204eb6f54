export type H5Wasm = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).default;
let loading: Promise<H5Wasm> | undefined;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: H5Wasm }>;
export function loadH5Wasm(): Promise<H5Wasm> {
  loading ??= importEsm('h5wasm/node').then(async (m) => { await m.default.ready; return m.default; });
  return loading;
}
