/**
 * Kilosort4 on the host (pipeline spec §4.4, guards spec §2 / §4.5 / §8.1).
 *
 * The backend spawns `python/spikelab_ks4_runner.py` with the project venv's interpreter;
 * the runner calls Kilosort4's `run_kilosort` on the pipeline's binary and writes the Phy
 * files straight into the output folder. Layout (quirk fix of §4.4, the mirror file no
 * longer lives in the folder a rerun wipes):
 *
 *   <inter>/kilosort4_results/   output folder, wiped at the start of every run; Phy files,
 *                                Kilosort4's own kilosort4.log, spikelab_ks4_job.json
 *   <inter>/kilosort4.log        tee log: the child's merged stdout/stderr, appended
 *
 * Failure handling: a run that exits non-zero is classified (KS4 chain: HDF5 → Docker →
 * GPU OOM → insufficient activity) and the classified error is thrown; otherwise a plain
 * Error naming the exit code and the log. Inactivity → SorterTimeoutError. Abort → the
 * signal's reason. A run that succeeds with zero units → InsufficientActivityError
 * (units_at_failure 0) unless `on_zero_units: 'return'`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import {
  InsufficientActivityError,
  SorterDependencyError,
  SorterTimeoutError,
} from '../../errors';
import { readPhyFolder } from '../../io/phy';
import type { Sorting } from '../types';
import { readClassifierLog } from '../classify_common';
import { resolveInactivityS, type InactivitySettings } from '../inactivity';
import { runSorterProcess } from '../sorter_process';
import { classifyKilosort4Failure, kilosort4LogCandidates } from './classify';
import { resolveKilosort4Params, type JsonValue } from './params';

export const KILOSORT4_OUTPUT_DIRNAME = 'kilosort4_results';
export const KILOSORT4_LOG_NAME = 'kilosort4.log';
export const KILOSORT4_RUNNER = 'spikelab_ks4_runner.py';
export const KILOSORT4_JOB_FILE = 'spikelab_ks4_job.json';
const SETUP_FIX = 'run scripts/setup.sh';

/** Where a recording's KS4 run writes, given its intermediate folder. */
export function kilosort4Paths(inter: string): { output_folder: string; log_path: string } {
  return { output_folder: join(inter, KILOSORT4_OUTPUT_DIRNAME), log_path: join(inter, KILOSORT4_LOG_NAME) };
}

export interface Kilosort4Progress {
  fraction_done: number;
  /** The runner's stage name (`drift_correction`, `detect_universal`, `final_clustering`…). */
  stage: string;
  /** Human-readable: `kilosort4: <stage>`. */
  message: string;
}

/** G§4.5 settings; the recording duration defaults to the binary's size / (channels · fs). */
export type Kilosort4Inactivity = InactivitySettings & { recording_minutes?: number | null };

export interface Kilosort4Job {
  /** The pipeline's binary: interleaved (sample-major), no header, `data_dtype` samples. */
  binary_path: string;
  num_channels: number;
  sampling_frequency: number;
  /** Channel positions (µm), one [x, y] per binary channel. */
  locations: readonly (readonly [number, number])[];
  /** Wiped and recreated; the Phy files land directly in it. */
  output_folder: string;
  sorter_params: Readonly<Record<string, unknown>> | null;
  /** Interpreter; default env SPIKELAB_PYTHON, else `<repo>/.venv/bin/python`. */
  python?: string;
  /** The tee log (appended). Must not be inside `output_folder`. */
  log_path: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  onProgress?: (p: Kilosort4Progress) => void;
  /** G§4.5 tolerance = base_s + per_min_s × minutes, capped at max_s. */
  inactivity: Kilosort4Inactivity;
  /** Sample type of the binary; `int16` by default. */
  data_dtype?: 'int16' | 'float32';
  /** CPU threads for torch / OpenMP / BLAS; default: the machine's available parallelism. */
  threads?: number;
  /** Seconds between SIGTERM and SIGKILL when killing the child (default 5). */
  grace_s?: number;
  /** A successful run with zero units: throw InsufficientActivityError (default) or return it. */
  on_zero_units?: 'throw' | 'return';
}

/** What the runner reported on its `SPIKELAB_RESULT` line. */
export interface Kilosort4RunnerResult {
  n_units: number;
  n_units_good: number;
  n_spikes: number;
  runtime_s: number;
}

// ---- locating the runner and the interpreter -----------------------------------------------

/** The repository root: the nearest ancestor of this module holding `python/<runner>`. */
export function spikelabRepoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'python', KILOSORT4_RUNNER))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new SorterDependencyError(
    `Cannot find python/${KILOSORT4_RUNNER} above ${__dirname}; the package is incomplete`,
    { sorter: 'kilosort4', dependency: KILOSORT4_RUNNER, remediation: 'reinstall spikelab-sorting' },
  );
}

export function kilosort4RunnerPath(): string {
  return join(spikelabRepoRoot(), 'python', KILOSORT4_RUNNER);
}

/** explicit → env SPIKELAB_PYTHON → `<repo>/.venv/bin/python`. */
export function resolveKilosort4Python(explicit?: string): string {
  if (explicit !== undefined && explicit.length > 0) return explicit;
  const env = process.env.SPIKELAB_PYTHON;
  if (env !== undefined && env.length > 0) return env;
  return join(spikelabRepoRoot(), '.venv', 'bin', 'python');
}

function dependencyError(python: string, detail: string, cause?: unknown): SorterDependencyError {
  return new SorterDependencyError(
    `Kilosort4 is not usable with the Python interpreter ${python}: ${detail}. ` +
      `The project venv (${join(spikelabRepoRoot(), '.venv')}) must hold kilosort 4 and torch; ${SETUP_FIX} to create it, ` +
      'or point SPIKELAB_PYTHON at an interpreter that has them.',
    { sorter: 'kilosort4', dependency: 'kilosort', remediation: SETUP_FIX },
    { cause },
  );
}

export interface Kilosort4Availability {
  python: string;
  kilosort_version: string;
  torch_version: string;
  cuda_available: boolean;
}

const PROBE = [
  'import json, torch, kilosort',
  'from kilosort import run_kilosort',
  "print(json.dumps({'kilosort_version': kilosort.__version__, 'torch_version': torch.__version__, 'cuda_available': bool(torch.cuda.is_available())}))",
].join('\n');

/** Throws SorterDependencyError when the interpreter is missing or `import kilosort` fails. */
export function checkKilosort4Available(python?: string, timeoutS = 180): Promise<Kilosort4Availability> {
  const py = resolveKilosort4Python(python);
  return new Promise((resolvePromise, reject) => {
    if (!existsSync(py)) {
      reject(dependencyError(py, 'the interpreter does not exist'));
      return;
    }
    execFile(py, ['-c', PROBE], { timeout: timeoutS * 1000, env: { ...process.env, PYTHONUNBUFFERED: '1' } }, (err, stdout, stderr) => {
      if (err !== null) {
        const lines = `${stderr}`.trim().split(/\r?\n/);
        reject(dependencyError(py, `'import kilosort' failed: ${lines[lines.length - 1] || err.message}`, err));
        return;
      }
      try {
        const line = `${stdout}`.trim().split(/\r?\n/).pop() ?? '';
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed !== 'object' || parsed === null) throw new Error(`unexpected output ${line}`);
        const o = parsed as Record<string, unknown>;
        resolvePromise({
          python: py,
          kilosort_version: String(o.kilosort_version),
          torch_version: String(o.torch_version),
          cuda_available: o.cuda_available === true,
        });
      } catch (e) {
        reject(dependencyError(py, `unexpected probe output: ${String(stdout).slice(0, 200)}`, e));
      }
    });
  });
}

// ---- helpers ---------------------------------------------------------------------------

function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** JSON with non-finite numbers as {"$float": "inf" | "-inf" | "nan"} (decoded by the runner). */
function encodeJob(job: Record<string, JsonValue>): string {
  return JSON.stringify(job, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $float: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
    return v;
  }, 1);
}

function parseTagged(line: string, tag: string): Record<string, unknown> | null {
  if (!line.startsWith(`${tag} `)) return null;
  try {
    const v: unknown = JSON.parse(line.slice(tag.length + 1));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(`kilosort4 run aborted${reason === undefined ? '' : `: ${String(reason)}`}`);
  err.name = 'AbortError';
  return err;
}

function validateJob(job: Kilosort4Job): { n_samples: number; bytes_per_sample: number } {
  if (!Number.isInteger(job.num_channels) || job.num_channels <= 0) throw new RangeError(`num_channels must be a positive integer, got ${job.num_channels}`);
  if (!(job.sampling_frequency > 0) || !Number.isFinite(job.sampling_frequency)) throw new RangeError(`sampling_frequency must be positive, got ${job.sampling_frequency}`);
  if (job.locations.length !== job.num_channels) {
    throw new RangeError(`locations has ${job.locations.length} entries for ${job.num_channels} channels`);
  }
  job.locations.forEach((loc, i) => {
    if (loc.length !== 2 || !loc.every((v) => Number.isFinite(v))) throw new RangeError(`locations[${i}] must be two finite numbers (2-D positions), got ${JSON.stringify(loc)}`);
  });
  if (!existsSync(job.binary_path) || !statSync(job.binary_path).isFile()) throw new Error(`Kilosort4 binary not found: ${job.binary_path}`);
  const bytes = job.data_dtype === 'float32' ? 4 : 2;
  const size = statSync(job.binary_path).size;
  const frame = job.num_channels * bytes;
  if (size === 0 || size % frame !== 0) {
    throw new Error(`${job.binary_path}: size ${size} bytes is not a whole number of ${job.num_channels}-channel ${job.data_dtype ?? 'int16'} frames`);
  }
  const out = resolve(job.output_folder);
  if (isInside(job.binary_path, out)) throw new Error(`the binary ${job.binary_path} lies inside the output folder ${out}, which every run wipes`);
  if (isInside(job.log_path, out)) throw new Error(`the tee log ${job.log_path} must not lie inside the output folder ${out}, which every run wipes`);
  return { n_samples: size / frame, bytes_per_sample: bytes };
}

// ---- the run ---------------------------------------------------------------------------

export async function runKilosort4(job: Kilosort4Job): Promise<Sorting> {
  if (job.signal?.aborted) throw abortError(job.signal);
  const { n_samples } = validateJob(job);
  const params = resolveKilosort4Params(job.sorter_params);
  const durationMin = job.inactivity.recording_minutes ?? n_samples / job.sampling_frequency / 60;
  const inactivityS = resolveInactivityS(job.inactivity, durationMin);
  const python = resolveKilosort4Python(job.python);
  if (!existsSync(python)) throw dependencyError(python, 'the interpreter does not exist');
  const runner = kilosort4RunnerPath();

  const output = resolve(job.output_folder);
  const logPath = resolve(job.log_path);
  rmSync(output, { recursive: true, force: true });
  mkdirSync(output, { recursive: true });
  const threads = Math.max(1, Math.floor(job.threads ?? availableParallelism()));
  const jobFile = join(output, KILOSORT4_JOB_FILE);
  writeFileSync(jobFile, encodeJob({
    binary_path: resolve(job.binary_path),
    n_chan: job.num_channels,
    sampling_frequency: job.sampling_frequency,
    xc: job.locations.map((l) => l[0]),
    yc: job.locations.map((l) => l[1]),
    chan_map: job.locations.map((_l, i) => i),
    results_dir: output,
    settings: params.settings,
    run_options: { ...params.run_options },
    data_dtype: job.data_dtype ?? 'int16',
    device: params.device,
    torch_threads: threads,
    exit_on_stdin_eof: true,
  }));

  const t = String(threads);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'utf-8',
    OMP_NUM_THREADS: t,
    MKL_NUM_THREADS: t,
    OPENBLAS_NUM_THREADS: t,
    NUMEXPR_NUM_THREADS: t,
    MPLBACKEND: 'Agg',
  };

  const reported: { result: Kilosort4RunnerResult | null; chain: string[] } = { result: null, chain: [] };
  const proc = await runSorterProcess({
    command: python,
    args: ['-u', runner, jobFile],
    env,
    cwd: output,
    log_path: logPath,
    log_header: `[spikelab] ${new Date().toISOString()} kilosort4: ${python} ${runner} ${jobFile} ` +
      `(${n_samples} samples, ${durationMin.toFixed(2)} min, inactivity tolerance ${inactivityS === null ? 'off' : `${inactivityS} s`})`,
    signal: job.signal,
    inactivity_s: inactivityS,
    grace_s: job.grace_s,
    stdin_lifeline: true,
    onLine: (line) => {
      const progress = parseTagged(line, 'SPIKELAB_PROGRESS');
      if (progress !== null && typeof progress.fraction_done === 'number') {
        const stage = String(progress.stage ?? '');
        job.onProgress?.({ fraction_done: progress.fraction_done, stage, message: `kilosort4: ${stage.replace(/_/g, ' ')}` });
      }
      const res = parseTagged(line, 'SPIKELAB_RESULT');
      if (res !== null) {
        reported.result = {
          n_units: Number(res.n_units), n_units_good: Number(res.n_units_good),
          n_spikes: Number(res.n_spikes), runtime_s: Number(res.runtime_s),
        };
      }
      const err = parseTagged(line, 'SPIKELAB_ERROR');
      if (err !== null && Array.isArray(err.chain)) reported.chain = err.chain.map((m) => String(m));
      job.onLine?.(line);
    },
  });

  if (proc.aborted && job.signal) throw abortError(job.signal);
  if (proc.timed_out) {
    throw new SorterTimeoutError(
      `kilosort4 produced no output for ${proc.idle_s.toFixed(1)} s (tolerance ${inactivityS} s) and was killed; inspect ${logPath}`,
      { sorter: 'kilosort4', inactivity_s: inactivityS, log_path: logPath },
    );
  }
  if (proc.spawn_error !== null) throw dependencyError(python, `cannot start it (${proc.spawn_error.code ?? proc.spawn_error.message})`, proc.spawn_error);

  if (proc.exit_code !== 0) {
    const how = proc.exit_code === null ? `was killed by signal ${String(proc.exit_signal)}` : `returned a non-zero exit code ${proc.exit_code}`;
    const plain = new Error(
      `kilosort4 ${how}; inspect ${logPath}\n--- last lines ---\n${proc.tail.slice(-25).join('\n')}`,
    );
    const ownLog = readClassifierLog(kilosort4LogCandidates(output));
    const classified = classifyKilosort4Failure({
      chain_text: [...reported.chain, proc.stderr_text].join('\n'),
      log_text: ownLog?.text ?? null,
      log_path: logPath,
      cause: plain,
    });
    throw classified ?? plain;
  }

  const sorting = readPhyFolder(output, { keep_good_only: params.keep_good_only });
  // Zero units at all (not merely none labelled good under keep_good_only): nothing to sort.
  const anyUnits = sorting.unit_ids.length > 0 || (params.keep_good_only && readPhyFolder(output).unit_ids.length > 0);
  if (!anyUnits && (job.on_zero_units ?? 'throw') === 'throw') {
    const spikes = reported.result === null ? '' : ` (${reported.result.n_spikes} spikes kept)`;
    throw new InsufficientActivityError(
      `kilosort4 finished but found no units${spikes}; inspect ${logPath}`,
      { sorter: 'kilosort4', units_at_failure: 0, log_path: logPath },
    );
  }
  return sorting;
}
