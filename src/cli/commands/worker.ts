import { resolveTemporal } from '../../client/connection';
import { createSpikelabWorker } from '../../worker/runWorker';

export async function workerCommand(opts: { taskQueue: string }): Promise<void> {
  if (process.stderr.isTTY && process.env.SPIKELAB_LOG_PRETTY === undefined) process.env.SPIKELAB_LOG_PRETTY = '1';
  const target = await resolveTemporal();
  const { worker, connection } = await createSpikelabWorker({ address: target.address, namespace: target.namespace, taskQueue: opts.taskQueue });
  process.stderr.write(`spikelab worker on ${target.address}, namespace ${target.namespace}, task queue ${opts.taskQueue}\n`);
  if (target.embedded) process.stderr.write(`Temporal UI: ${target.embedded.ui_url}\n`);
  const stop = (): void => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}
