/**
 * Worker thread entry: band-passes one chunk at a time into the sorter's int16 bytes.
 * Runs as compiled JS only (see filter_worker_path.ts).
 */
import { workerData } from 'node:worker_threads';
import { filterWindow } from '../dsp/bandpass';
import { type FilterResult, type FilterTask, type FilterWorkerData, planOf } from './filter_task';
import { serveWorkerTasks } from './worker_pool';

const plan = planOf(workerData as FilterWorkerData);

serveWorkerTasks<FilterTask, FilterResult>(({ start, end, num_channels, raw }) => {
  const out = new Int16Array((end - start) * num_channels);
  filterWindow(plan, raw, num_channels, start, end, out);
  return { res: { bytes: out.buffer }, transfer: [out.buffer] };
});
