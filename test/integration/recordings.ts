/** Small real recordings for the integration tests, generated once per test file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, override, presetConfig } from '../../src/config';
import type { SortingPipelineConfig } from '../../src/config';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import type { GroundTruth } from '../../src/io/ground_truth';
import type { RecordingJob } from '../../src/workflows/types';

export const TEST_RECORDING: { num_channels: number; duration_s: number; n_units: number; seed: number } = { num_channels: 32, duration_s: 20, n_units: 5, seed: 11 };

export async function makeRecording(dir: string, name = 'rec.raw.h5', opts: Partial<typeof TEST_RECORDING> & { spikes?: boolean } = {}): Promise<{ path: string; gt: GroundTruth }> {
  const path = join(dir, name);
  const gt = await writeSyntheticMaxOne(path, { ...TEST_RECORDING, ...opts });
  return { path, gt };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `spikelab-${prefix}-`));
}

/** Kilosort4 with intermediate folders kept, so tests can inspect every stage's artefacts. */
export function testConfig(flat: Record<string, unknown> = {}): SortingPipelineConfig {
  return override(presetConfig('KILOSORT4'), { delete_inter: false, ...flat });
}

export function jobFor(rec: string, base: string, config: SortingPipelineConfig = testConfig()): RecordingJob {
  return { rec_path: rec, intermediate_folder: join(base, 'inter'), results_folder: join(base, 'results'), config };
}

export { defaultConfig };
