/**
 * Runs a sorter as a child process (Kilosort4 now; Kilosort2 / RT-Sort can reuse it):
 * - the child's merged stdout/stderr is appended to the tee log as it streams (G§8.1) and
 *   split into lines (`\n` or `\r`, so tqdm updates count) for `onLine`;
 * - log inactivity (G§4.5): no output for `inactivity_s` → SIGTERM to the child's process
 *   group, SIGKILL after the grace period; the result says `timed_out`;
 * - `signal` abort → the same kill cascade; the result says `aborted`;
 * - the child leads its own process group, so the kill reaches anything it started, and
 *   live groups are SIGKILLed if this Node process exits first.
 *
 * Never throws for the child's own failure: the caller decides from the result.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SorterProcessOptions {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The tee log (appended). */
  log_path: string;
  /** Header line written to the log before the child starts. */
  log_header?: string;
  signal?: AbortSignal;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Seconds without output before the child is killed; null = no watchdog. */
  inactivity_s: number | null;
  /** Seconds between SIGTERM and SIGKILL (5 by default, as the spec's watchdog grace). */
  grace_s?: number;
  /** Keep the child's stdin open as a lifeline: it sees EOF when this process dies. */
  stdin_lifeline?: boolean;
  /** Bytes of stderr kept for classification (the tail; 4 MiB by default). */
  stderr_keep_bytes?: number;
  /** Merged output lines kept for error messages (60 by default). */
  tail_lines?: number;
}

export interface SorterProcessResult {
  exit_code: number | null;
  exit_signal: NodeJS.Signals | null;
  /** The child could not be started (ENOENT, EACCES…). */
  spawn_error: NodeJS.ErrnoException | null;
  /** Killed by the inactivity watchdog after `idle_s` seconds without output. */
  timed_out: boolean;
  idle_s: number;
  /** Killed because `signal` aborted. */
  aborted: boolean;
  /** The tail of the child's stderr, decoded with undecodable bytes replaced. */
  stderr_text: string;
  /** The last merged output lines. */
  tail: string[];
  wall_s: number;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    try { child.kill(sig); } catch { /* already gone */ }
  }
}

class LineSplitter {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const parts = text.split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    for (const p of parts) if (p.length > 0) this.emit(p);
  }
  flush(): void {
    const text = this.rest + this.decoder.decode();
    this.rest = '';
    if (text.length > 0) this.emit(text);
  }
}

export function runSorterProcess(opts: SorterProcessOptions): Promise<SorterProcessResult> {
  const graceMs = Math.max(0, (opts.grace_s ?? 5) * 1000);
  const keepBytes = opts.stderr_keep_bytes ?? 4 * 1024 * 1024;
  const tailMax = opts.tail_lines ?? 60;
  const started = Date.now();
  mkdirSync(dirname(opts.log_path), { recursive: true });
  const log = createWriteStream(opts.log_path, { flags: 'a' });
  if (opts.log_header !== undefined) log.write(`${opts.log_header}\n`);

  return new Promise<SorterProcessResult>((resolve) => {
    const tail: string[] = [];
    let stderrChunks: Buffer[] = [];
    let stderrBytes = 0;
    let spawnError: NodeJS.ErrnoException | null = null;
    let timedOut = false;
    let aborted = false;
    let idleAtTrip = 0;
    let lastOutput = Date.now();
    let killTimer: NodeJS.Timeout | null = null;
    let watchTimer: NodeJS.Timeout | null = null;
    let finished = false;

    const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
      tail.push(line);
      if (tail.length > tailMax) tail.shift();
      if (opts.onLine) {
        try { opts.onLine(line, stream); } catch { /* a listener must not break the run */ }
      }
    };
    const outSplit = new LineSplitter((l) => onLine(l, 'stdout'));
    const errSplit = new LineSplitter((l) => onLine(l, 'stderr'));

    let child: ChildProcess;
    try {
      child = spawn(opts.command, [...opts.args], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: [opts.stdin_lifeline ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true, // own process group: the kill reaches grandchildren too
      });
    } catch (err) {
      spawnError = err as NodeJS.ErrnoException;
      log.end(() => resolve({
        exit_code: null, exit_signal: null, spawn_error: spawnError, timed_out: false, idle_s: 0,
        aborted: false, stderr_text: '', tail: [], wall_s: (Date.now() - started) / 1000,
      }));
      return;
    }
    if (child.pid !== undefined) {
      installExitHook();
      liveGroups.add(child.pid);
    }
    // Swallow EPIPE on the lifeline if the child exits first.
    child.stdin?.on('error', () => undefined);

    const terminate = (): void => {
      if (killTimer !== null || finished) return;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    };

    const onAbort = (): void => {
      aborted = true;
      terminate();
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }

    if (opts.inactivity_s !== null) {
      const limitMs = opts.inactivity_s * 1000;
      const pollMs = Math.min(5000, Math.max(100, limitMs / 4));
      watchTimer = setInterval(() => {
        const idle = Date.now() - lastOutput;
        if (idle >= limitMs && !timedOut && !aborted) {
          timedOut = true;
          idleAtTrip = idle / 1000;
          const note = `[spikelab] no sorter output for ${idleAtTrip.toFixed(1)} s (tolerance ${opts.inactivity_s} s): terminating the sorter`;
          log.write(`${note}\n`);
          terminate();
        }
      }, pollMs);
    }

    child.stdout?.on('data', (chunk: Buffer) => {
      lastOutput = Date.now();
      log.write(chunk);
      outSplit.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      lastOutput = Date.now();
      log.write(chunk);
      errSplit.push(chunk);
      stderrChunks.push(chunk);
      stderrBytes += chunk.length;
      if (stderrBytes > 2 * keepBytes) {
        const all = Buffer.concat(stderrChunks);
        stderrChunks = [all.subarray(all.length - keepBytes)];
        stderrBytes = keepBytes;
      }
    });

    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });

    child.on('close', (code: number | null, sig: NodeJS.Signals | null) => {
      finished = true;
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      if (killTimer !== null) clearTimeout(killTimer);
      if (watchTimer !== null) clearInterval(watchTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Anything left in the group (a grandchild that ignored SIGTERM) goes too.
      if (timedOut || aborted) killGroup(child, 'SIGKILL');
      outSplit.flush();
      errSplit.flush();
      const all = Buffer.concat(stderrChunks);
      const stderrText = all.subarray(Math.max(0, all.length - keepBytes)).toString('utf8');
      const footer = timedOut
        ? '[spikelab] sorter killed by the inactivity watchdog'
        : aborted ? '[spikelab] sorter killed: run cancelled'
          : `[spikelab] sorter exited with ${code === null ? `signal ${String(sig)}` : `code ${code}`}`;
      log.write(`${footer}\n`);
      log.end(() => resolve({
        exit_code: code,
        exit_signal: sig,
        spawn_error: spawnError,
        timed_out: timedOut,
        idle_s: idleAtTrip,
        aborted,
        stderr_text: stderrText,
        tail,
        wall_s: (Date.now() - started) / 1000,
      }));
    });
  });
}
