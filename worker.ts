/**
 * The standalone spikelab worker, made from the same plugin a lab adds to its own worker.
 * TEMPORAL_ADDRESS selects a cluster; without it the embedded local dev server is used.
 */
import { resolveTemporal } from './src/client/connection';
import { createSpikelabWorker } from './src/worker/runWorker';

export async function main(): Promise<void> {
  const target = await resolveTemporal();
  const { worker, connection } = await createSpikelabWorker({
    address: target.address,
    namespace: target.namespace,
    taskQueue: process.env.SPIKELAB_TASK_QUEUE,
  });
  process.stderr.write(`spikelab worker on ${target.address} (namespace ${target.namespace}, task queue ${worker.options.taskQueue})\n`);
  if (target.embedded) process.stderr.write(`Temporal UI: ${target.embedded.ui_url}\n`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
