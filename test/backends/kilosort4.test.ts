/**
 * Real Kilosort4 runs (no mocks) on the CPU through the project venv
 * (`<repo>/.venv/bin/python`, or env SPIKELAB_PYTHON). Recordings are generated here:
 * 32 channels on a 4 × 8 grid at 17.5 µm, 20 kHz, int16.
 *
 * Measured on 2 cores with nothing else running (wall = spawn to Sorting; ≈ 5.5 s of it is
 * interpreter start and `import torch, kilosort`), 4 units, all found with accuracy 1.00:
 *   30 s: 34 s with drift correction (default), 20 s with do_correction false
 *   60 s: 53 s with drift correction, 28 s without
 *  120 s: 86 s with drift correction
 * Pure noise fails in ≈ 6–7 s (TruncatedSVD on 0 clips). Under CPU contention (other test
 * suites in parallel) the same 30 s run has taken up to 130 s.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkKilosort4Available,
  kilosort4Paths,
  resolveKilosort4Python,
  runKilosort4,
  type Kilosort4Job,
} from '../../src/backends/kilosort4';
import {
  InsufficientActivityError,
  SorterDependencyError,
  SorterTimeoutError,
} from '../../src/errors';
import { FOUR_UNITS, alive, matchUnits, tempDir, writeSyntheticRecording, type SyntheticRecording } from './helpers';

jest.setTimeout(10 * 60 * 1000);

const INACTIVITY = { enabled: true, base_s: 600, per_min_s: 30, max_s: 7200 };


function pidFrom(lines: string[]): number | null {
  for (const l of lines) {
    const m = /^\[spikelab-ks4\] pid (\d+)/.exec(l);
    if (m !== null) return Number(m[1]);
  }
  return null;
}

describe('Kilosort4, real runs on CPU', () => {
  let root: string;
  let rec: SyntheticRecording;

  function job(inter: string, extra: Partial<Kilosort4Job> = {}): Kilosort4Job {
    const { output_folder, log_path } = kilosort4Paths(inter);
    return {
      binary_path: rec.path,
      num_channels: rec.num_channels,
      sampling_frequency: rec.sampling_frequency,
      locations: rec.locations,
      output_folder,
      sorter_params: null,
      log_path,
      inactivity: INACTIVITY,
      ...extra,
    };
  }

  beforeAll(() => {
    root = tempDir('ks4-real-');
    const t0 = Date.now();
    rec = writeSyntheticRecording({ path: join(root, 'units_scaled_filtered.dat'), duration_s: 30, units: FOUR_UNITS, seed: 7 });
    console.log(`generated 30 s × 32 ch recording in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `ground truth spikes per unit: ${rec.spike_frames.map((f) => f.length).join(', ')}`);
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('the venv has Kilosort4', async () => {
    const info = await checkKilosort4Available();
    expect(info.python).toBe(resolveKilosort4Python());
    expect(info.kilosort_version).toMatch(/^4\./);
    console.log(`kilosort ${info.kilosort_version}, torch ${info.torch_version}, cuda ${info.cuda_available}`);
  });

  test('missing interpreter → SorterDependencyError naming the fix', async () => {
    await expect(checkKilosort4Available('/nonexistent/bin/python')).rejects.toThrow(SorterDependencyError);
    await expect(checkKilosort4Available('/nonexistent/bin/python')).rejects.toThrow(/run scripts\/setup\.sh/);
    const inter = join(root, 'nopython');
    await expect(runKilosort4(job(inter, { python: '/nonexistent/bin/python' }))).rejects.toThrow(SorterDependencyError);
    // An interpreter without kilosort.
    await expect(checkKilosort4Available('/usr/bin/python3')).rejects.toMatchObject({
      attributes: { sorter: 'kilosort4', dependency: 'kilosort', remediation: 'run scripts/setup.sh' },
    });
  });

  test('finds the injected units; Phy files in <inter>/kilosort4_results; tee log streamed to <inter>/kilosort4.log', async () => {
    const inter = join(root, 'inter_units');
    mkdirSync(inter);
    const { output_folder, log_path } = kilosort4Paths(inter);
    const lines: { at: number; line: string }[] = [];
    const fractions: number[] = [];
    let logSizeAtFirstProgress = -1;
    const t0 = Date.now();
    const sorting = await runKilosort4(job(inter, {
      onLine: (line) => lines.push({ at: Date.now(), line }),
      onProgress: (p) => {
        if (fractions.length === 0) logSizeAtFirstProgress = readFileSync(log_path).length;
        fractions.push(p.fraction_done);
      },
    }));
    const wall = (Date.now() - t0) / 1000;
    const matches = matchUnits(rec.spike_frames, sorting, 20); // ±1 ms
    const logText = readFileSync(log_path, 'utf8');
    const ksTotal = /Total runtime:\s*([0-9.]+)s/.exec(logText)?.[1];
    console.log(`KS4 on 30 s × 32 ch, 4 units: wall ${wall.toFixed(1)} s (Kilosort4's own total ${ksTotal} s); ` +
      `${sorting.unit_ids.length} units; matches ${JSON.stringify(matches.map((m) => ({ gt: m.gt_index, unit: m.sorted_unit, acc: Number(m.accuracy.toFixed(3)), lag: m.median_lag })))}`);

    expect(sorting.sampling_frequency).toBe(20000);
    expect(sorting.unit_ids.length).toBeGreaterThanOrEqual(3);
    expect(matches.filter((m) => m.accuracy >= 0.8).length).toBeGreaterThanOrEqual(3);
    // Different ground-truth units map to different sorted units.
    const good = matches.filter((m) => m.accuracy >= 0.8).map((m) => m.sorted_unit);
    expect(new Set(good).size).toBe(good.length);
    expect(sorting.templates?.shape[1]).toBe(61);
    expect(sorting.templates?.shape[2]).toBe(32);
    expect(sorting.channel_map?.length).toBe(32);

    // Layout: Phy files directly in the output folder, the tee log beside it.
    for (const f of ['spike_times.npy', 'spike_clusters.npy', 'templates.npy', 'channel_map.npy', 'cluster_KSLabel.tsv', 'params.py']) {
      expect(existsSync(join(output_folder, f))).toBe(true);
    }
    expect(readdirSync(inter).sort()).toEqual(['kilosort4.log', 'kilosort4_results']);

    // The tee log has the child's stdout and stderr, and was written while the child ran.
    expect(logText).toContain('[spikelab-ks4] pid');
    expect(logText).toContain('SPIKELAB_RESULT');
    expect(logText).toContain('kilosort.run_kilosort: Sorting finished.'); // KS4's console (stderr)
    expect(logSizeAtFirstProgress).toBeGreaterThan(0);
    expect(lines[0].at - t0).toBeLessThan((wall - 10) * 1000);

    // Progress: non-decreasing, ends at 1.
    expect(fractions.length).toBeGreaterThan(5);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(fractions[fractions.length - 1]).toBe(1);

    // A rerun appends to the tee log and wipes the output folder first.
    const before = logText.length;
    const again = await runKilosort4(job(inter, { sorter_params: { do_correction: false } }));
    expect(again.unit_ids.length).toBeGreaterThanOrEqual(3);
    const after = readFileSync(log_path, 'utf8');
    expect(after.length).toBeGreaterThan(before);
    expect(after.slice(0, before)).toBe(logText);
    expect(after.slice(before)).toContain('nblocks = 0, skipping drift correction');
  });

  test('pure noise → InsufficientActivityError (KS4 raises in TruncatedSVD with 0 samples)', async () => {
    const inter = join(root, 'inter_noise');
    mkdirSync(inter);
    const noise = writeSyntheticRecording({ path: join(inter, 'noise.dat'), duration_s: 20, units: [], seed: 3 });
    const { log_path } = kilosort4Paths(inter);
    const t0 = Date.now();
    const err: unknown = await runKilosort4({ ...job(inter), binary_path: noise.path }).catch((e: unknown) => e);
    console.log(`KS4 on 20 s of noise: failed after ${((Date.now() - t0) / 1000).toFixed(1)} s with ${(err as Error).message.split('\n')[0]}`);
    expect(err).toBeInstanceOf(InsufficientActivityError);
    expect((err as InsufficientActivityError).attributes).toMatchObject({ sorter: 'kilosort4', units_at_failure: 0, log_path });
    expect((err as Error).message).toContain('TruncatedSVD');
    expect(readFileSync(log_path, 'utf8')).toContain('Traceback');
  });

  test('a handful of spikes → InsufficientActivityError from KMeans (n_samples < n_clusters)', async () => {
    const inter = join(root, 'inter_sparse');
    mkdirSync(inter);
    // One sharp, very local unit firing 3 times in the first batch, silence after.
    const few = writeSyntheticRecording({
      path: join(inter, 'few.dat'), duration_s: 20, seed: 11, space_constant_um: 8,
      units: [{ x: 5, y: 10, amplitude_uv: 200, rate_hz: 0, width_ms: 0.15, frames: [2000, 26000, 50000] }],
    });
    const err: unknown = await runKilosort4({ ...job(inter), binary_path: few.path }).catch((e: unknown) => e);
    console.log(`KS4 with ${few.spike_frames[0].length} spikes: ${(err as Error).message.split('\n')[0]}`);
    expect(err).toBeInstanceOf(InsufficientActivityError);
    const units = (err as InsufficientActivityError).attributes.units_at_failure;
    expect(typeof units).toBe('number');
    expect(units as number).toBeLessThan(6);
  });

  test('unclassified failure → plain Error naming the exit code and the log', async () => {
    const inter = join(root, 'inter_badparam');
    mkdirSync(inter);
    const { log_path } = kilosort4Paths(inter);
    const err: unknown = await runKilosort4(job(inter, { sorter_params: { not_a_ks4_setting: 1 } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(InsufficientActivityError);
    expect((err as Error).message).toContain(`kilosort4 returned a non-zero exit code 1; inspect ${log_path}`);
    expect((err as Error).message).toContain('Unrecognized settings');
  });

  test('abort via AbortSignal kills the child within a few seconds', async () => {
    const inter = join(root, 'inter_abort');
    mkdirSync(inter);
    const controller = new AbortController();
    const lines: string[] = [];
    let abortedAt = 0;
    const run = runKilosort4(job(inter, {
      signal: controller.signal,
      onLine: (l) => lines.push(l),
      onProgress: (p) => {
        if (abortedAt === 0 && p.stage === 'drift_correction') {
          abortedAt = Date.now();
          controller.abort(new Error('user cancelled'));
        }
      },
    }));
    await expect(run).rejects.toThrow('user cancelled');
    const took = (Date.now() - abortedAt) / 1000;
    console.log(`abort → rejection in ${took.toFixed(2)} s`);
    expect(abortedAt).toBeGreaterThan(0);
    expect(took).toBeLessThan(6);
    const pid = pidFrom(lines);
    expect(pid).not.toBeNull();
    expect(alive(pid as number)).toBe(false);
    expect(readFileSync(kilosort4Paths(inter).log_path, 'utf8')).toContain('run cancelled');
  });

  test('an already-aborted signal never starts the child', async () => {
    const inter = join(root, 'inter_preabort');
    const controller = new AbortController();
    controller.abort();
    await expect(runKilosort4(job(inter, { signal: controller.signal }))).rejects.toThrow();
    expect(existsSync(inter)).toBe(false);
  });

  test('inactivity timeout with a tiny tolerance → SorterTimeoutError, child killed', async () => {
    const inter = join(root, 'inter_idle');
    mkdirSync(inter);
    const lines: string[] = [];
    const { log_path } = kilosort4Paths(inter);
    const t0 = Date.now();
    const err: unknown = await runKilosort4(job(inter, {
      inactivity: { enabled: true, base_s: 1, per_min_s: 0, max_s: null },
      onLine: (l) => lines.push(l),
    })).catch((e: unknown) => e);
    console.log(`inactivity trip after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(err as Error).message}`);
    expect(err).toBeInstanceOf(SorterTimeoutError);
    expect((err as SorterTimeoutError).attributes).toEqual({ sorter: 'kilosort4', inactivity_s: 1, log_path });
    const pid = pidFrom(lines);
    expect(pid).not.toBeNull();
    expect(alive(pid as number)).toBe(false);
    expect(readFileSync(log_path, 'utf8')).toContain('inactivity watchdog');
  });
});
