/**
 * File names under `<inter>/waveforms/` (waveforms_curation §1.9), plus our additions:
 * `spike_trains/` (recentred trains, so the sorter's spike_times.npy is never rewritten),
 * `units/<id>.json` (per-unit checkpoints for resume) and `units.json` (the completion
 * marker a later activity reloads from).
 */
import { join } from 'node:path';

export interface WaveformLayout {
  readonly root: string;
  readonly parameters: string;
  readonly channelsMaxDir: string;
  readonly usePosPeak: string;
  readonly chansMaxKilosort: string;
  readonly chansMaxAll: string;
  readonly waveformsDir: string;
  readonly templatesDir: string;
  readonly templatesAverage: string;
  readonly templatesStd: string;
  readonly trainsDir: string;
  readonly checkpointsDir: string;
  readonly manifest: string;
  /** Fingerprint of the inputs the checkpoints belong to. */
  readonly resumeKey: string;
  waveforms(unitId: number): string;
  sampledIndex(unitId: number): string;
  centredTrain(unitId: number): string;
  waveformRows(unitId: number): string;
  checkpoint(unitId: number): string;
}

export function waveformLayout(root: string): WaveformLayout {
  const channelsMaxDir = join(root, 'channels_max');
  const waveformsDir = join(root, 'waveforms');
  const templatesDir = join(root, 'templates');
  const trainsDir = join(root, 'spike_trains');
  const checkpointsDir = join(root, 'units');
  return {
    root,
    parameters: join(root, 'extraction_parameters.json'),
    channelsMaxDir,
    usePosPeak: join(channelsMaxDir, 'use_pos_peak.npy'),
    chansMaxKilosort: join(channelsMaxDir, 'chans_max_kilosort.npy'),
    chansMaxAll: join(channelsMaxDir, 'chans_max_all.npy'),
    waveformsDir,
    templatesDir,
    templatesAverage: join(templatesDir, 'templates_average.npy'),
    templatesStd: join(templatesDir, 'templates_std.npy'),
    trainsDir,
    checkpointsDir,
    manifest: join(root, 'units.json'),
    resumeKey: join(checkpointsDir, 'resume_key.txt'),
    waveforms: (id) => join(waveformsDir, `waveforms_${id}.npy`),
    sampledIndex: (id) => join(waveformsDir, `sampled_index_${id}.npy`),
    centredTrain: (id) => join(trainsDir, `spike_times_${id}.npy`),
    waveformRows: (id) => join(trainsDir, `waveform_rows_${id}.npy`),
    checkpoint: (id) => join(checkpointsDir, `${id}.json`),
  };
}
