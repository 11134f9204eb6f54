/**
 * Worker thread entry: band-passes one chunk at a time into the sorter's int16 bytes.
 * Runs as compiled JS only (see filter_worker_path.ts).
 */
import { workerData } from 'node:worker_threads';
import { filterWindow } from '../dsp/bandpass';
import { type FilterResult, type FilterTask, type FilterWorkerData, planOf } from './filter_task';
import { serveWorkerTasks } from './worker_pool';

const plan = planOf(workerData as FilterWorkerData);

serveWorkerTasks<FilterTask, FilterResult>(({ start, end, num_channels, input }) => {
  const n = (end - start) * num_channels;
  // The output overwrites the input's own buffer (the filter has copied the input by then):
  // a fresh block per chunk would cost its page faults on every chunk.
  const buf = input.data.buffer as ArrayBuffer;
  const out = input.data.byteOffset === 0 && buf.byteLength >= 2 * n ? new Int16Array(buf, 0, n) : new Int16Array(n);
  filterWindow(plan, input, num_channels, start, end, out);
  return { res: { bytes: out.buffer as ArrayBuffer, byte_length: 2 * n }, transfer: [out.buffer as ArrayBuffer] };
});
