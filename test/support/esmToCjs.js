/**
 * Jest transform for h5wasm, which ships only ES modules: jest's CommonJS runtime cannot load
 * them (and its experimental VM-module path is order-dependent and flaky), so its two files
 * are compiled to CommonJS with TypeScript, `import.meta.url` mapped to the file's URL.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const ts = require('typescript');

// Jest caches transformed files; the key must change when this transformer does.
const SELF = readFileSync(__filename);

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update(ts.version).update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    // The emscripten loader declares its own `var require` inside the function that imports
    // "module", so that import must be bound to the file's require up front.
    const patched = 'const __h5wasm_node_module = require("module");\n' + source
      .replace(/import\.meta\.url/g, '__h5wasm_file_url')
      .replace(/await import\("module"\)/g, '__h5wasm_node_module');
    const prelude = 'const __h5wasm_file_url = require("url").pathToFileURL(__filename).href;\n';
    const out = ts.transpileModule(patched, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, allowJs: true },
    });
    return { code: prelude + out.outputText };
  },
};
