import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDevServer } from '../../src/client/devServer';
import { startTestServer } from './harness';
import type { TestServer } from './harness';

jest.setTimeout(180000);

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.stop(); });

test('the embedded server is a real Temporal with a persistent database, reused by a second call', async () => {
  const conn = await Connection.connect({ address: server.address });
  const ns = await conn.workflowService.describeNamespace({ namespace: 'default' });
  expect(ns.namespaceInfo?.name).toBe('default');
  await conn.close();
  expect(existsSync(join(server.stateDir, 'temporal.db'))).toBe(true);
  const again = await ensureDevServer({ stateDir: server.stateDir, port: server.port });
  expect(again.started_now).toBe(false);
});

test('the workflows bundle without Node modules (deterministic sandbox)', async () => {
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: undefined });
  expect(bundle.code).toContain('sortRecordingWorkflow');
  expect(bundle.code).toContain('sortBatchWorkflow');
});
