/**
 * What the writer sends a filter worker and gets back. The worker rebuilds the band-pass
 * plan from the same second-order sections, so both sides filter with identical numbers.
 */
import type { BandpassPlan } from '../dsp/bandpass';
import type { Sos } from '../dsp/butterworth';
import type { FilterInput } from '../dsp/filtfilt_frames';
import { zeroPhaseFilter } from '../dsp/sosfilt';

export interface FilterWorkerData {
  sos: Sos;
  padlen: number;
  margin_frames: number;
  num_frames: number;
}

export interface FilterTask {
  /** The chunk's frames [start, end); `input` covers bandpassWindow(start, end). */
  start: number;
  end: number;
  num_channels: number;
  input: FilterInput;
}

/**
 * The chunk as little-endian int16 bytes, frame-major: the first `byte_length` bytes of
 * `bytes`, which is the task's input buffer when that was large enough (handed back so the
 * writer can read a later chunk into it).
 */
export interface FilterResult {
  bytes: ArrayBuffer;
  byte_length: number;
}

export function workerDataOf(plan: BandpassPlan): FilterWorkerData {
  return { sos: plan.filter.sos, padlen: plan.filter.padlen, margin_frames: plan.margin_frames, num_frames: plan.num_frames };
}

export function planOf(data: FilterWorkerData): BandpassPlan {
  return { filter: zeroPhaseFilter(data.sos, data.padlen), margin_frames: data.margin_frames, num_frames: data.num_frames };
}
