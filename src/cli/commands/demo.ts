/**
 * `spikelab demo`: a real end-to-end sort on generated data — a MaxOne file with known units,
 * Kilosort4 on the CPU, the durable workflow on the embedded Temporal — then the accuracy
 * against the ground truth.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTemporal } from '../../client/connection';
import { computeAccuracy, groundTruthPath, readGroundTruth } from '../../io/ground_truth';
import { writeSyntheticMaxOne } from '../../io/synthetic';
import { readCompiledUnits } from '../../reporting/compiledUnits';
import { stateDir } from '../../util/paths';
import { configFromSources } from '../configArgs';
import { runSort } from '../sortRunner';
import { printRun } from './sort';

export interface DemoOptions {
  out?: string;
  duration: string;
  channels: string;
  units: string;
  seed: string;
  worker: boolean;
  json?: boolean;
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`--${name} expects a positive integer, got '${raw}'`);
  return n;
}

export async function demoCommand(opts: DemoOptions, overrides: Record<string, unknown>): Promise<number> {
  const dir = opts.out ?? join(stateDir(), 'demo');
  mkdirSync(dir, { recursive: true });
  const duration = Number(opts.duration);
  if (!(duration >= 5)) throw new RangeError(`--duration expects seconds ≥ 5, got '${opts.duration}'`);
  const channels = positiveInt('channels', opts.channels);
  const nUnits = positiveInt('units', opts.units);
  const seed = positiveInt('seed', opts.seed);
  const rec = join(dir, `demo_${channels}ch_${duration}s_${nUnits}u_seed${seed}.raw.h5`);
  if (!existsSync(rec) || !existsSync(groundTruthPath(rec))) {
    process.stderr.write(`generating ${rec} (${channels} channels, ${duration} s, ${nUnits} units)…\n`);
    await writeSyntheticMaxOne(rec, { num_channels: channels, duration_s: duration, n_units: nUnits, seed });
  } else {
    process.stderr.write(`reusing generated recording ${rec}\n`);
  }
  const config = configFromSources({ preset: 'KILOSORT4', overrides });
  const target = await resolveTemporal();
  if (target.embedded) process.stderr.write(`Temporal UI: ${target.embedded.ui_url}  (local server ${target.address}, database ${target.embedded.db_path})\n`);
  const started = Date.now();
  const run = await runSort({ recordings: [rec], config, target, inProcessWorker: opts.worker });
  printRun(run, opts.json);
  const record = run.report.records[0];
  if (record === undefined || record.status !== 'success') return 1;
  const gt = readGroundTruth(rec);
  const units = readCompiledUnits(record.results_folder);
  const acc = computeAccuracy(gt, units.units.map((u) => ({ spike_frames: u.spike_train_samples })), gt.sampling_frequency);
  const lines = [
    '',
    `demo: ${units.units.length} curated units from ${gt.units.length} ground-truth units in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `ground truth: ${acc.n_well_detected}/${gt.units.length} units detected with accuracy ≥ ${acc.well_detected_threshold}, mean accuracy ${acc.mean_accuracy.toFixed(3)}`,
    ...acc.per_unit.map((u) => `  gt unit ${String(u.unit_id).padStart(2)}: accuracy ${u.accuracy.toFixed(3)}  (${u.n_matches}/${u.n_gt} spikes matched${u.best_sorted_index !== null ? `, sorted unit ${units.units[u.best_sorted_index].unit_id}` : ''})`),
    `results: ${record.results_folder}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  return 0;
}
