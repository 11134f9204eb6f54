/**
 * Loading h5wasm, which ships only as an ES module ("import" export). Node loads it with a
 * real dynamic import(); where a CommonJS loader has been given a compiled copy (the test
 * runner), require() finds it first.
 */
export type H5Wasm = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).default;

type H5Module = { default?: H5Wasm } & H5Wasm;

// Written as a Function so TypeScript's CommonJS output keeps a true import() (it would
// otherwise turn it into require(), which Node refuses for this package).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<H5Module>;

function requireCompiled(): H5Module | null {
  try {
    return require('h5wasm/node') as H5Module;
  } catch {
    return null;
  }
}

let loading: Promise<H5Wasm> | undefined;

export function loadH5Wasm(): Promise<H5Wasm> {
  loading ??= (async () => {
    const mod = requireCompiled() ?? (await importEsm('h5wasm/node'));
    const h5 = mod.default ?? mod;
    await h5.ready;
    return h5;
  })();
  return loading;
}
