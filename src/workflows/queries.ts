/** Query definitions shared by the workflows and the client (the Temporal samples' pattern). */
import { defineQuery } from '@temporalio/workflow';
import type { RecordingResult, SortProgress } from './types';

export interface BatchProgress {
  total: number;
  finished: number;
  running: string[];
  records: RecordingResult[];
  stopped_by: string | null;
}

export const progressQuery = defineQuery<SortProgress>('progress');
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
