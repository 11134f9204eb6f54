/**
 * A worker made from spikelabPlugin(): the standalone `worker.ts`, `spikelab worker` and the
 * CLI's in-process worker all come from here.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE, spikelabPlugin } from '../plugin';
import type { SpikelabPluginOptions } from '../plugin';

export interface WorkerOptions extends SpikelabPluginOptions {
  readonly address: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
  /** Sorter and extraction stages are CPU-heavy: more than one at a time on 2 cores thrashes. */
  readonly maxConcurrentActivities?: number;
}

export async function createSpikelabWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const { address, namespace, taskQueue, maxConcurrentActivities, ...pluginOptions } = opts;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
    plugins: [spikelabPlugin(pluginOptions)],
    maxConcurrentActivityTaskExecutions: maxConcurrentActivities ?? 2,
    // Lets a killed worker's replacement pick up the sort without waiting for a sticky timeout.
    stickyQueueScheduleToStartTimeout: '10s',
  });
  return { worker, connection };
}
