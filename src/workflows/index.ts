// The workflow bundle entry point: only workflow functions are exported from here.
export { sortRecordingWorkflow } from './sortRecording';
export { sortBatchWorkflow } from './sortBatch';
