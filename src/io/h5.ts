/**
 * Loading h5wasm, which ships only as an ES module ("import" export). Node loads it with a
 * real dynamic import(); where a CommonJS loader has been given a compiled copy (the test
 * runner), require() finds it first.
 *
 * Also decides which HDF5 filters we can decode: the ones compiled into h5wasm's libhdf5, plus
 * the WebAssembly filter plugins of the `h5wasm-plugins` package when it is installed. Native
 * plugins (HDF5_PLUGIN_PATH, Maxwell's vendor `libcompression.so`) cannot be loaded into a
 * WebAssembly HDF5, so they never count.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type H5Wasm = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).default;
/** The emscripten module behind h5wasm (heap, FS, low-level HDF5 calls). */
export type H5Module = Awaited<H5Wasm['ready']>;

type H5ModuleExports = { default?: H5Wasm } & H5Wasm;

// Written as a Function so TypeScript's CommonJS output keeps a true import() (it would
// otherwise turn it into require(), which Node refuses for this package).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<H5ModuleExports>;

function requireCompiled(): H5ModuleExports | null {
  try {
    return require('h5wasm/node') as H5ModuleExports;
  } catch {
    return null;
  }
}

/** Filters h5wasm's libhdf5 decodes itself (zlib and libaec are compiled in). */
export const BUILTIN_FILTERS: ReadonlyMap<number, string> = new Map([
  [1, 'deflate'], [2, 'shuffle'], [3, 'fletcher32'], [4, 'szip'], [5, 'nbit'], [6, 'scaleoffset'],
]);

/** `h5wasm-plugins` file → registered HDF5 filter id (https://github.com/HDFGroup/hdf5_plugins). */
const PLUGIN_FILES: ReadonlyMap<string, [number, string]> = new Map([
  ['libH5Zbz2.so', [307, 'bzip2']],
  ['libH5Zlzf.so', [32000, 'lzf']],
  ['libH5Zblosc.so', [32001, 'blosc']],
  ['libH5Zlz4.so', [32004, 'lz4']],
  ['libH5Zbshuf.so', [32008, 'bitshuffle']],
  ['libH5Zzfp.so', [32013, 'zfp']],
  ['libH5Zzstd.so', [32015, 'zstd']],
  ['libH5Zjpeg.so', [32019, 'jpeg']],
  ['libH5Zbitgroom.so', [32022, 'bitgroom']],
  ['libH5Zbitround.so', [32023, 'bitround']],
  ['libH5Zblosc2.so', [32026, 'blosc2']],
]);

let loading: Promise<H5Wasm> | undefined;
let runtime: H5Module | undefined;
let pluginFilters: ReadonlyMap<number, string> = new Map();

export function loadH5Wasm(): Promise<H5Wasm> {
  loading ??= (async () => {
    const mod = requireCompiled() ?? (await importEsm('h5wasm/node'));
    const h5 = mod.default ?? mod;
    runtime = await h5.ready;
    pluginFilters = installFilterPlugins(runtime);
    return h5;
  })();
  return loading;
}

/** The loaded emscripten module; only valid once loadH5Wasm() has resolved (any open file implies it). */
export function h5Runtime(): H5Module {
  if (runtime === undefined) throw new Error('h5wasm is not loaded yet: await loadH5Wasm() first');
  return runtime;
}

/** Filter id → name for every filter this process can decode. */
export function decodableFilters(): ReadonlyMap<number, string> {
  return new Map([...BUILTIN_FILTERS, ...pluginFilters]);
}

/**
 * Puts the `h5wasm-plugins` folder first on HDF5's plugin search path. Its files are resolved
 * from disk rather than through the package's ES module entry, which the CommonJS build and the
 * test runner could not import. Missing package → built-in filters only.
 */
function installFilterPlugins(mod: H5Module): ReadonlyMap<number, string> {
  let dir: string;
  let files: string[];
  try {
    dir = join(dirname(require.resolve('h5wasm-plugins/package.json')), 'plugins');
    files = readdirSync(dir);
  } catch {
    return new Map();
  }
  const found = new Map<number, string>();
  for (const f of files) {
    const known = PLUGIN_FILES.get(f);
    if (known !== undefined) found.set(known[0], known[1]);
  }
  if (found.size > 0) mod.insert_plugin_search_path(dir, 0);
  return found;
}
