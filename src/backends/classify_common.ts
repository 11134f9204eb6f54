/**
 * Failure-classifier building blocks shared by the sorter backends (guards spec §2):
 * chain text, log text, the haystack, and the environment / resource signatures (HDF5
 * plugin, Docker, GPU out-of-memory) that Kilosort2, Kilosort4 and RT-Sort all check.
 * Pure functions over text, except `readClassifierLog`, which reads a file.
 *
 * Signature matching is case-sensitive unless stated (spec conventions).
 */
import { readFileSync, statSync } from 'node:fs';
import {
  DockerEnvironmentError,
  GPUOutOfMemoryError,
  HDF5PluginMissingError,
  type DockerFailureReason,
  type SorterName,
  type SpikeSortingClassifiedError,
} from '../errors';

/**
 * Messages along an error's cause chain, joined with newlines (spec §2 "chain text").
 * Follows `cause` (JavaScript has no implicit context); stops on the first repeated object;
 * a message already collected is not repeated. Type names are not included.
 */
export function errorChainText(err: unknown): string {
  const messages: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    let text: string;
    let next: unknown;
    if (current instanceof Error) {
      text = current.message;
      next = current.cause;
    } else if (typeof current === 'object' && 'message' in current) {
      text = String((current as { message: unknown }).message);
      next = (current as { cause?: unknown }).cause;
    } else {
      text = String(current);
      next = undefined;
    }
    if (text.length > 0 && !messages.includes(text)) messages.push(text);
    current = next;
  }
  return messages.join('\n');
}

/**
 * The first of `paths` that is a readable regular file, decoded as UTF-8 with undecodable
 * bytes replaced; null when none is.
 */
export function readClassifierLog(paths: readonly string[]): { path: string; text: string } | null {
  for (const p of paths) {
    try {
      if (!statSync(p).isFile()) continue;
      return { path: p, text: readFileSync(p).toString('utf8') };
    } catch {
      continue;
    }
  }
  return null;
}

/** Chain text + newline + log text (when present): the default search target. */
export function haystackOf(chainText: string, logText: string | null): string {
  return logText === null ? chainText : `${chainText}\n${logText}`;
}

// ---- signatures ----------------------------------------------------------------------

const HDF5_MARKERS = ['HDF5_PLUGIN_PATH', 'HDF5 filter', "Can't open directory", 'libcompression', 'Unable to synchronously read data'];

/** HDF5 plugin missing: a marker **and** `HDF5_PLUGIN_PATH` or (any case) `filter` / `compression`. */
export function matchesHdf5PluginMissing(text: string): boolean {
  if (!HDF5_MARKERS.some((m) => text.includes(m))) return false;
  return text.includes('HDF5_PLUGIN_PATH') || /filter|compression/i.test(text);
}

const DOCKER_RULES: readonly (readonly [DockerFailureReason, readonly string[]])[] = [
  ['client_missing', ["No module named 'docker'", 'ModuleNotFoundError: No module named "docker"']],
  ['permission_denied', ['permission denied while trying to connect to the Docker daemon', 'docker: Got permission denied']],
  ['daemon_down', ['Cannot connect to the Docker daemon', 'Is the docker daemon running', 'connect: no such file or directory']],
  ['image_pull_failed', [
    'manifest unknown', 'pull access denied', 'failed to resolve reference', 'failed to pull and unpack image',
    'dial tcp: lookup', 'docker.errors.ImageNotFound', 'error pulling image',
  ]],
];

/** The Docker failure reason, rules tried in spec order; null when no rule matches. */
export function matchDockerFailure(text: string): DockerFailureReason | null {
  for (const [reason, markers] of DOCKER_RULES) {
    if (markers.some((m) => text.includes(m))) return reason;
  }
  return null;
}

const GPU_OOM_MARKERS = [
  'CUDA out of memory', 'torch.cuda.OutOfMemoryError', 'OutOfMemoryError', 'CUDA_ERROR_OUT_OF_MEMORY',
  'Out of memory on device', 'cudaErrorMemoryAllocation',
];

export function matchesGpuOutOfMemory(text: string): boolean {
  return GPU_OOM_MARKERS.some((m) => text.includes(m));
}

// ---- error builders --------------------------------------------------------------------

export interface ClassifyContext {
  sorter: SorterName;
  /** The log the operator should read (attached where the error class has `log_path`). */
  log_path: string | null;
  /** The original failure, attached as `cause`. */
  cause?: unknown;
}

/** The first line of `text` that contains one of `markers` (for messages). */
export function evidenceLine(text: string, markers: readonly (string | RegExp)[]): string | null {
  for (const line of text.split(/\r?\n/)) {
    if (markers.some((m) => (typeof m === 'string' ? line.includes(m) : m.test(line)))) {
      const trimmed = line.trim();
      return trimmed.length > 300 ? `${trimmed.slice(0, 297)}...` : trimmed;
    }
  }
  return null;
}

function withLog(msg: string, logPath: string | null): string {
  return logPath === null ? msg : `${msg}; inspect ${logPath}`;
}

export function hdf5Error(text: string, ctx: ClassifyContext): HDF5PluginMissingError | null {
  if (!matchesHdf5PluginMissing(text)) return null;
  const configured = process.env.HDF5_PLUGIN_PATH ?? null;
  const ev = evidenceLine(text, HDF5_MARKERS);
  return new HDF5PluginMissingError(
    withLog(
      `${ctx.sorter}: the recording needs an HDF5 compression filter plugin that could not be loaded ` +
        `(HDF5_PLUGIN_PATH=${configured ?? 'unset'})${ev === null ? '' : `: ${ev}`}`,
      ctx.log_path,
    ),
    { configured_path: configured },
    { cause: ctx.cause },
  );
}

export function dockerError(text: string, ctx: ClassifyContext): DockerEnvironmentError | null {
  const reason = matchDockerFailure(text);
  if (reason === null) return null;
  const ev = evidenceLine(text, DOCKER_RULES.find(([r]) => r === reason)?.[1] ?? []);
  return new DockerEnvironmentError(
    withLog(`${ctx.sorter}: Docker environment failure (${reason})${ev === null ? '' : `: ${ev}`}`, ctx.log_path),
    { reason },
    { cause: ctx.cause },
  );
}

export function gpuOomError(text: string, ctx: ClassifyContext): GPUOutOfMemoryError | null {
  if (!matchesGpuOutOfMemory(text)) return null;
  const ev = evidenceLine(text, GPU_OOM_MARKERS);
  return new GPUOutOfMemoryError(
    withLog(`${ctx.sorter}: GPU out of memory${ev === null ? '' : `: ${ev}`}`, ctx.log_path),
    { sorter: ctx.sorter, log_path: ctx.log_path },
    { cause: ctx.cause },
  );
}

/** Environment, then resource: HDF5 → Docker → GPU OOM (the KS2 and KS4 head of the chain). */
export function classifyEnvironmentOrResource(haystack: string, ctx: ClassifyContext): SpikeSortingClassifiedError | null {
  return hdf5Error(haystack, ctx) ?? dockerError(haystack, ctx) ?? gpuOomError(haystack, ctx);
}
