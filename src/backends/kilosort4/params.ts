/**
 * Kilosort4 parameters (pipeline spec §4.4): the backend defaults overlaid by the user's
 * `sorter_params` (user wins; null ≡ {}; the caller's map is never mutated), split into
 * what goes where:
 *
 * | key | goes to |
 * |---|---|
 * | `do_CAR`, `invert_sign`, `save_extra_vars`, `save_preprocessed_copy`, `clear_cache`, `bad_channels` | `run_kilosort(...)` keyword options |
 * | `torch_device` (`auto` → CUDA when available, else CPU) | the runner's device |
 * | `do_correction` false | KS4 setting `nblocks = 0` (no drift correction) |
 * | `keep_good_only` | the Phy reader (§4.7) |
 * | `use_binary_file`, `delete_recording_dat` | accepted, no effect: the host runner always sorts the pipeline's own binary and never deletes it (the load stage owns it) |
 * | `skip_kilosort_preprocessing` true | rejected: the host runner has no way to skip KS4's filter and whitening |
 * | anything else | a native KS4 setting (`batch_size`, `nblocks`, `Th_universal`, `Th_learned`, `Th_single_ch`, `nearest_chans`, `tmin`, `tmax`, …), validated by Kilosort4 itself (unknown keys fail the run) |
 *
 * `n_chan_bin` and `fs` always come from the recording; file and probe location keys are
 * rejected because the backend owns the layout.
 */

/** §4.4 defaults of the pipeline's KS4 wrapper. */
export const KILOSORT4_DEFAULT_PARAMS: Readonly<Record<string, unknown>> = Object.freeze({
  do_CAR: true,
  invert_sign: false,
  save_extra_vars: false,
  save_preprocessed_copy: false,
  torch_device: 'auto',
  bad_channels: null,
  clear_cache: false,
  do_correction: true,
  skip_kilosort_preprocessing: false,
  keep_good_only: false,
  use_binary_file: true,
  delete_recording_dat: true,
});

/** Kilosort4's own default batch size (samples); the OOM retry halves it (G§6). */
export const KILOSORT4_DEFAULT_BATCH_SIZE = 60000;

export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Kilosort4RunOptions {
  do_CAR: boolean;
  invert_sign: boolean;
  save_extra_vars: boolean;
  save_preprocessed_copy: boolean;
  clear_cache: boolean;
  bad_channels: number[] | null;
}

export interface ResolvedKilosort4Params {
  /** Overlay on Kilosort4's DEFAULT_SETTINGS (without `n_chan_bin` / `fs`). */
  settings: Record<string, JsonValue>;
  run_options: Kilosort4RunOptions;
  /** `auto`, `cpu`, `cuda` or `cuda:<n>`. */
  device: string;
  keep_good_only: boolean;
  /** The merged map (defaults + user), as recorded for provenance. */
  merged: Record<string, unknown>;
}

const WRAPPER_KEYS = new Set(Object.keys(KILOSORT4_DEFAULT_PARAMS));
const RECORDING_KEYS = new Set(['n_chan_bin', 'fs']);
const LAYOUT_KEYS = new Set(['filename', 'data_dir', 'results_dir', 'probe_name', 'probe_path', 'probe']);

function bool(merged: Record<string, unknown>, key: string): boolean {
  const v = merged[key];
  if (typeof v !== 'boolean') throw new TypeError(`kilosort4 parameter '${key}' must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function toJson(key: string, v: unknown): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v; // non-finite numbers are encoded by the job writer
  if (Array.isArray(v)) return v.map((x, i) => toJson(`${key}[${i}]`, x));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJson(`${key}.${k}`, x);
    return out;
  }
  throw new TypeError(`kilosort4 parameter '${key}' has an unsupported value type (${typeof v})`);
}

export function resolveKilosort4Params(sorterParams: Readonly<Record<string, unknown>> | null | undefined): ResolvedKilosort4Params {
  const merged: Record<string, unknown> = { ...KILOSORT4_DEFAULT_PARAMS, ...(sorterParams ?? {}) };
  if (bool(merged, 'skip_kilosort_preprocessing')) {
    throw new RangeError(
      "kilosort4 parameter 'skip_kilosort_preprocessing' = true is not supported by the host runner " +
        '(Kilosort4 always applies its own high-pass filter and whitening); remove it',
    );
  }
  const bad = merged.bad_channels;
  if (bad !== null && !(Array.isArray(bad) && bad.every((c) => Number.isInteger(c) && (c as number) >= 0))) {
    throw new TypeError(`kilosort4 parameter 'bad_channels' must be null or a list of channel indices, got ${JSON.stringify(bad)}`);
  }
  const device = merged.torch_device;
  if (typeof device !== 'string' || !/^(auto|cpu|cuda(:\d+)?|mps)$/.test(device)) {
    throw new TypeError(`kilosort4 parameter 'torch_device' must be 'auto', 'cpu', 'cuda' or 'cuda:<n>', got ${JSON.stringify(device)}`);
  }
  const settings: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(merged)) {
    if (WRAPPER_KEYS.has(k) || RECORDING_KEYS.has(k)) continue;
    if (LAYOUT_KEYS.has(k)) throw new RangeError(`kilosort4 parameter '${k}' is set by the backend and cannot be overridden`);
    settings[k] = toJson(k, v);
  }
  if (!bool(merged, 'do_correction')) settings.nblocks = 0;
  bool(merged, 'keep_good_only');
  bool(merged, 'use_binary_file');
  bool(merged, 'delete_recording_dat');
  return {
    settings,
    run_options: {
      do_CAR: bool(merged, 'do_CAR'),
      invert_sign: bool(merged, 'invert_sign'),
      save_extra_vars: bool(merged, 'save_extra_vars'),
      save_preprocessed_copy: bool(merged, 'save_preprocessed_copy'),
      clear_cache: bool(merged, 'clear_cache'),
      bad_channels: bad === null ? null : (bad as number[]).slice(),
    },
    device,
    keep_good_only: merged.keep_good_only as boolean,
    merged,
  };
}

/**
 * GPU-OOM retry scaling (G§6): `batch_size` (60 000 when unset) → floor(b · factor).
 * Returns a fresh map, or null when declined (factor not in (0, 1), or the result < 1024).
 */
export function scaleKilosort4OomParams(
  sorterParams: Readonly<Record<string, unknown>> | null,
  factor: number,
): Record<string, unknown> | null {
  if (!(factor > 0 && factor < 1)) return null;
  const current = sorterParams?.batch_size ?? KILOSORT4_DEFAULT_BATCH_SIZE;
  if (typeof current !== 'number' || !Number.isFinite(current)) return null;
  const next = Math.floor(current * factor);
  if (next < 1024) return null;
  return { ...(sorterParams ?? {}), batch_size: next };
}
