/**
 * Where the filter worker's compiled script is. Worker threads run JavaScript files; under
 * ts-jest this module is TypeScript, so the build's copy in dist/ is used, and only while
 * every module it loads is at least as new as its source (a stale build would filter with
 * old code).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const WORKER_FILE = 'filter_worker.js';

export type WorkerScript = { path: string } | { unavailable: string };

export function filterWorkerScript(): WorkerScript {
  if (__filename.endsWith('.js')) {
    const path = join(__dirname, WORKER_FILE);
    return existsSync(path) ? { path } : { unavailable: `${path} is missing from the build` };
  }
  return builtWorkerScript(resolve(__dirname, '../..'));
}

/** Relative `require("./…")` targets of a compiled CommonJS module (a folder means its index.js). */
function localRequires(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)].map((m) => {
    const target = resolve(dirname(file), m[1]);
    if (target.endsWith('.js')) return target;
    return existsSync(`${target}.js`) || !existsSync(join(target, 'index.js')) ? `${target}.js` : join(target, 'index.js');
  });
}

/** The worker in `root`/dist, if it is built and none of the modules it loads is older than its source under `root`. */
export function builtWorkerScript(root: string): WorkerScript {
  const dist = join(root, 'dist');
  const path = join(dist, 'src/preprocess', WORKER_FILE);
  if (!existsSync(path)) return { unavailable: `running from TypeScript sources and ${path} is not built (npm run build)` };
  const seen = new Set<string>();
  const todo = [path];
  while (todo.length > 0) {
    const built = todo.pop() as string;
    if (seen.has(built)) continue;
    seen.add(built);
    const src = join(root, relative(dist, built)).replace(/\.js$/, '.ts');
    if (!existsSync(built)) return { unavailable: `${built} is not built (npm run build)` };
    if (existsSync(src) && statSync(built).mtimeMs < statSync(src).mtimeMs) {
      return { unavailable: `${src} is newer than its build in dist/ (npm run build)` };
    }
    todo.push(...localRequires(built));
  }
  return { path };
}
