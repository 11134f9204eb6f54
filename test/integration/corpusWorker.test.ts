/**
 * The malformed-input corpus through a real worker process: each input ends as a failed
 * recording with its classified error type and a message naming the file, and the worker
 * survives every one of them (same process, still taking work at the end).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runSort } from '../../src/cli/sortRunner';
import { CORPUS } from '../io/corpus';
import { spawnWorkerProcess, startTestServer, waitFor } from './harness';
import type { TestServer, WorkerProcess } from './harness';
import { tempDir, testConfig } from './recordings';

jest.setTimeout(20 * 60 * 1000);

let server: TestServer;
let worker: WorkerProcess;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  worker = spawnWorkerProcess(server.address);
  await waitFor('the worker to start polling', () => (/polling|started|RUNNING/i.test(worker.output()) ? true : undefined), 60000)
    .catch(() => undefined);
  dir = tempDir('corpus-worker');
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
});

// Permission cases need an unprivileged worker; the corpus unit test covers them.
const cases = CORPUS.filter((c) => !c.unprivileged && c.error !== 'ConfigValidationError');

test('every corpus input fails classified, naming its file; the worker process survives them all', async () => {
  const pid = worker.child.pid;
  const seen: string[] = [];
  for (const c of cases) {
    const { path, recording } = await c.build(mkdtempSync(join(dir, `${c.id}-`)));
    const run = await runSort({
      recordings: [path], config: testConfig(recording as Record<string, unknown> | undefined),
      target: { address: server.address, namespace: 'default', embedded: null },
      inProcessWorker: false, showProgress: false, log: () => undefined,
    });
    const r = run.report.records[0];
    expect({ case: c.id, status: r.status, error: r.error_class }).toEqual({ case: c.id, status: 'failed', error: c.error });
    expect(r.error_message).toContain(path);
    expect(r.error_message).toMatch(c.message);
    seen.push(c.id);
  }
  expect(seen.length).toBeGreaterThanOrEqual(15);
  expect(worker.child.exitCode).toBeNull();
  expect(worker.child.pid).toBe(pid);
  expect(worker.output()).not.toMatch(/Uncaught|unhandled|FATAL|Segmentation/i);
});
