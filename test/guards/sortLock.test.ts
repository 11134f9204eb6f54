import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrentSortError } from '../../src/errors';
import { acquireSortLock, releaseSortLock } from '../../src/guards/sortLock';

function folder(): { inter: string; lock: string } {
  const inter = join(mkdtempSync(join(tmpdir(), 'lock-')), 'inter');
  return { inter, lock: join(inter, '.spikelab_sort.lock') };
}

test('acquire writes pid, hostname, started_at and the workflow; the same workflow re-enters; release removes it', () => {
  const { inter, lock } = folder();
  acquireSortLock(inter, lock, { workflow_id: 'wf-1' });
  const body = JSON.parse(readFileSync(lock, 'utf8')) as Record<string, unknown>;
  expect(body).toMatchObject({ pid: process.pid, hostname: hostname(), workflow_id: 'wf-1' });
  expect(String(body.started_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(() => acquireSortLock(inter, lock, { workflow_id: 'wf-1' })).not.toThrow();
  releaseSortLock(lock, { workflow_id: 'wf-1' });
  expect(existsSync(lock)).toBe(false);
});

test('another live sort of the same folder is refused with its pid', () => {
  const { inter, lock } = folder();
  acquireSortLock(inter, lock, { workflow_id: 'wf-1' });
  expect(() => acquireSortLock(inter, lock, { workflow_id: 'wf-2' })).toThrow(ConcurrentSortError);
  expect(() => acquireSortLock(inter, lock, { workflow_id: 'wf-2' })).toThrow(new RegExp(`PID ${process.pid}`));
});

test('a lock left by a dead process on this host is reclaimed; an unparseable one is refused', () => {
  const { inter, lock } = folder();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  acquireSortLock(inter, lock, { workflow_id: 'old' });
  writeFileSync(lock, JSON.stringify({ pid: Number(dead), hostname: hostname(), started_at: '2020-01-01T00:00:00', workflow_id: 'old' }));
  acquireSortLock(inter, lock, { workflow_id: 'new' });
  expect(JSON.parse(readFileSync(lock, 'utf8')).workflow_id).toBe('new');
  writeFileSync(lock, 'garbage');
  expect(() => acquireSortLock(inter, lock, { workflow_id: 'x' })).toThrow(/unparseable/);
});

test('a lock from another host is never reclaimed automatically', () => {
  const { inter, lock } = folder();
  acquireSortLock(inter, lock, { workflow_id: 'a' });
  writeFileSync(lock, JSON.stringify({ pid: 1, hostname: 'other-host', started_at: '2020-01-01T00:00:00', workflow_id: 'a2' }));
  expect(() => acquireSortLock(inter, lock, { workflow_id: 'b' })).toThrow(/other-host/);
});
