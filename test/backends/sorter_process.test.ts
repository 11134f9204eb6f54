/**
 * The sorter child-process runner with small shell children (fast; the real Kilosort4
 * runs are in kilosort4.test.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runSorterProcess } from '../../src/backends/sorter_process';
import { alive, tempDir } from './helpers';


let dir: string;
beforeEach(() => { dir = tempDir('sproc-'); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

test('merged stdout/stderr appended to the log; \\r and \\n split lines; exit code and stderr kept', async () => {
  const log = join(dir, 'sub', 'sorter.log');
  const lines: string[] = [];
  const first = await runSorterProcess({
    command: '/bin/sh',
    args: ['-c', "printf 'a\\rb\\nc\\n'; echo oops >&2; printf 'tail-no-newline'; exit 3"],
    log_path: log,
    log_header: 'HEADER',
    inactivity_s: null,
    onLine: (l) => lines.push(l),
  });
  expect(first.exit_code).toBe(3);
  expect(first.spawn_error).toBeNull();
  expect(first.stderr_text).toBe('oops\n');
  expect(lines).toEqual(expect.arrayContaining(['a', 'b', 'c', 'oops', 'tail-no-newline']));
  expect(lines.indexOf('a')).toBeLessThan(lines.indexOf('b'));
  const text = readFileSync(log, 'utf8');
  expect(text.startsWith('HEADER\n')).toBe(true);
  expect(text).toContain('a\rb\nc\n');
  expect(text).toContain('sorter exited with code 3');
  // Appends.
  await runSorterProcess({ command: '/bin/sh', args: ['-c', 'echo second'], log_path: log, inactivity_s: null });
  const after = readFileSync(log, 'utf8');
  expect(after.startsWith(text)).toBe(true);
  expect(after).toContain('second');
});

test('missing command → spawn_error, no throw', async () => {
  const r = await runSorterProcess({ command: join(dir, 'nope'), args: [], log_path: join(dir, 'l.log'), inactivity_s: null });
  expect(r.spawn_error?.code).toBe('ENOENT');
});

test('inactivity: silent child killed (TERM ignored → KILL after grace), grandchildren too', async () => {
  const pidFile = join(dir, 'grandchild.pid');
  const t0 = Date.now();
  const r = await runSorterProcess({
    command: '/bin/sh',
    // The shell ignores TERM; its background grandchild sleeps; no output after the first line.
    args: ['-c', `trap '' TERM; sleep 60 & echo $! > ${pidFile}; echo started; while true; do sleep 1; done`],
    log_path: join(dir, 'idle.log'),
    inactivity_s: 0.5,
    grace_s: 0.5,
  });
  const took = (Date.now() - t0) / 1000;
  expect(r.timed_out).toBe(true);
  expect(r.idle_s).toBeGreaterThanOrEqual(0.5);
  expect(r.exit_signal).toBe('SIGKILL');
  expect(took).toBeLessThan(5);
  const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
  await new Promise((res) => setTimeout(res, 100));
  expect(alive(grandchild)).toBe(false);
  expect(readFileSync(join(dir, 'idle.log'), 'utf8')).toMatch(/no sorter output for [0-9.]+ s \(tolerance 0.5 s\)/);
});

test('output keeps the inactivity clock from tripping', async () => {
  const r = await runSorterProcess({
    command: '/bin/sh',
    args: ['-c', 'for i in 1 2 3 4 5 6; do echo tick; sleep 0.2; done'],
    log_path: join(dir, 'busy.log'),
    inactivity_s: 0.6,
  });
  expect(r.timed_out).toBe(false);
  expect(r.exit_code).toBe(0);
});

test('abort kills the child promptly', async () => {
  const controller = new AbortController();
  const t0 = Date.now();
  setTimeout(() => controller.abort(), 300);
  const r = await runSorterProcess({
    command: '/bin/sh', args: ['-c', 'echo go; sleep 30'], log_path: join(dir, 'abort.log'), inactivity_s: null, signal: controller.signal,
  });
  expect(r.aborted).toBe(true);
  expect((Date.now() - t0) / 1000).toBeLessThan(3);
  expect(r.exit_signal).toBe('SIGTERM');
});
