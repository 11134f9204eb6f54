/**
 * The per-inter sort lock (guards spec §5), keyed by the Temporal workflow that owns the
 * recording: a retried or resumed activity of the same workflow re-enters its own lock,
 * a different sort of the same folder is refused, and a lock left by a dead process on this
 * host is reclaimed.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConcurrentSortError } from '../errors/taxonomy';

export interface LockOwner {
  readonly workflow_id: string;
}

interface LockFile {
  pid: number;
  hostname: string | null;
  started_at: string;
  workflow_id: string | null;
}

function localIso(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function processAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function createExclusive(lockPath: string, owner: LockOwner): void {
  const body: LockFile = { pid: process.pid, hostname: hostname(), started_at: localIso(new Date()), workflow_id: owner.workflow_id };
  const fd = openSync(lockPath, 'wx', 0o644);
  try {
    writeSync(fd, JSON.stringify(body, null, 2));
    try { fsyncSync(fd); } catch { /* best effort */ }
  } catch (err) {
    closeSync(fd);
    rmSync(lockPath, { force: true });
    throw err;
  }
  closeSync(fd);
}

export function acquireSortLock(interFolder: string, lockPath: string, owner: LockOwner): void {
  try {
    mkdirSync(interFolder, { recursive: true });
  } catch (err) {
    throw new ConcurrentSortError(`failed to acquire sort lock at ${lockPath}: ${(err as Error).message}`, { lock_path: lockPath });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createExclusive(lockPath, owner);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let held: LockFile;
    try {
      const parsed: unknown = JSON.parse(readFileSync(lockPath, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      held = parsed as LockFile;
    } catch {
      throw new ConcurrentSortError(`sort lock ${lockPath} is unparseable; remove it by hand if no sort is running`, { lock_path: lockPath });
    }
    if (held.workflow_id !== null && held.workflow_id === owner.workflow_id) return;
    const holderPid = held.pid > 0 ? held.pid : -1;
    const holderHost = held.hostname || null;
    const attrs = { lock_path: lockPath, holder_pid: holderPid, holder_hostname: holderHost, started_at: held.started_at ?? null };
    if (holderHost !== hostname()) {
      throw new ConcurrentSortError(`sort lock ${lockPath} is held by ${holderHost ?? 'an unknown host'} (workflow ${held.workflow_id ?? '?'}); liveness cannot be checked across hosts, remove it by hand`, attrs);
    }
    if (processAlive(holderPid)) {
      throw new ConcurrentSortError(`Another sort is already running on ${interFolder} (PID ${holderPid}, workflow ${held.workflow_id ?? '?'}, started ${held.started_at})`, attrs);
    }
    try {
      rmSync(lockPath);
    } catch (err) {
      throw new ConcurrentSortError(`stale sort lock ${lockPath} could not be removed: ${(err as Error).message}`, attrs);
    }
  }
  throw new ConcurrentSortError(`lost the race to reclaim sort lock ${lockPath}`, { lock_path: lockPath });
}

export function releaseSortLock(lockPath: string, owner: LockOwner): void {
  try {
    const held = JSON.parse(readFileSync(lockPath, 'utf8')) as LockFile;
    if (held.workflow_id === owner.workflow_id) rmSync(lockPath, { force: true });
  } catch {
    // Nothing to release.
  }
}
