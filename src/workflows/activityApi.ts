/**
 * The activity surface the workflows call: names and signatures only, so the workflow bundle
 * never pulls in activity code.
 */
import type { FinalizeRequest, PreparedRecording, RecordingJob, RecordingResult, StageReport, StageRequest } from './types';

export interface SpikelabActivities {
  prepareRecording(job: RecordingJob): Promise<PreparedRecording>;
  loadStage(req: StageRequest): Promise<StageReport>;
  sortStage(req: StageRequest): Promise<StageReport>;
  extractStage(req: StageRequest): Promise<StageReport>;
  curateFirstStage(req: StageRequest): Promise<StageReport>;
  curateSecondStage(req: StageRequest): Promise<StageReport>;
  compileStage(req: StageRequest): Promise<StageReport>;
  finalizeRecording(req: FinalizeRequest): Promise<RecordingResult>;
}
