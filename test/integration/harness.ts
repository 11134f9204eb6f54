/**
 * A real Temporal dev server per test file (own state dir and ports), plus helpers to run
 * workers in this process or as separate processes that a test can SIGKILL.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevServer, stopDevServer, devServerRecordPath } from '../../src/client/devServer';
import { packageRoot } from '../../src/util/paths';

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface TestServer {
  readonly address: string;
  readonly stateDir: string;
  readonly port: number;
  /** SIGKILL the server process (the database file stays). */
  kill(): Promise<void>;
  /** Start it again on the same database and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const stateDir = mkdtempSync(join(tmpdir(), 'spikelab-temporal-'));
  const port = await freePort();
  const uiPort = await freePort();
  const start = async (): Promise<void> => { await ensureDevServer({ stateDir, port, uiPort, readyTimeoutMs: 90000 }); };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    stateDir,
    port,
    async kill() { await stopDevServer(stateDir, 'SIGKILL'); },
    restart: start,
    async stop() { await stopDevServer(stateDir); },
  };
}

export function serverPid(stateDir: string): number {
  const rec = devServerRecordPath(stateDir);
  return existsSync(rec) ? (JSON.parse(readFileSync(rec, 'utf8')) as { pid: number }).pid : -1;
}

/** The compiled CLI (the test command builds it first). */
export function cliPath(): string {
  const p = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(p)) throw new Error(`${p} is missing: run 'npm run build' (the test command does)`);
  return p;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnWorkerProcess(address: string, env: Record<string, string> = {}): WorkerProcess {
  let out = '';
  const child = spawn(process.execPath, [cliPath(), 'worker'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  return {
    child,
    output: () => out,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => new Promise<void>((resolveKill) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolveKill(); return; }
      child.once('exit', () => resolveKill());
      child.kill(signal);
    }),
  };
}

/** Poll until `check` returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
