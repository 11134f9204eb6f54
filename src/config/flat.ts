/**
 * Flat keyword overrides (spec pipeline.md §1.2): one key per field except
 * `sorter.sorter_name`; the key is the field name, except for the 29 aliases
 * below, whose plain field name is not a key. `delete_inter` is the key of
 * `execution.delete_inter` (RT-Sort's is `rt_sort_delete_inter`).
 */
import { cloneConfig, defaultConfig } from './defaults';
import { ConfigValidationError, type ConfigProblem } from './errors';
import { setField } from './fields';
import { FIELD_PATHS, splitPath } from './schema';
import type { ConfigInput, FieldName, FieldPath, SectionName, SortingPipelineConfig } from './types';
import { hasOwn, nearest } from './util';

export const FLAT_KEY_ALIASES = {
  kilosort_path: 'sorter.sorter_path',
  kilosort_params: 'sorter.sorter_params',
  rt_sort_model_path: 'rt_sort.model_path',
  rt_sort_probe: 'rt_sort.probe',
  rt_sort_device: 'rt_sort.device',
  rt_sort_num_processes: 'rt_sort.num_processes',
  rt_sort_recording_window_ms: 'rt_sort.recording_window_ms',
  rt_sort_save_pickle: 'rt_sort.save_rt_sort_pickle',
  rt_sort_delete_inter: 'rt_sort.delete_inter',
  rt_sort_verbose: 'rt_sort.verbose',
  rt_sort_params: 'rt_sort.params',
  rt_sort_detection_window_s: 'rt_sort.detection_window_s',
  waveforms_ms_before: 'waveform.ms_before',
  waveforms_ms_after: 'waveform.ms_after',
  compiled_waveforms_ms_before: 'waveform.compiled_ms_before',
  compiled_waveforms_ms_after: 'waveform.compiled_ms_after',
  streaming_waveforms: 'waveform.streaming',
  figures_dpi: 'figures.dpi',
  figures_font_size: 'figures.font_size',
  all_templates_color_curated: 'figures.templates_color_curated',
  all_templates_color_failed: 'figures.templates_color_failed',
  all_templates_per_column: 'figures.templates_per_column',
  all_templates_y_spacing: 'figures.templates_y_spacing',
  all_templates_y_lim_buffer: 'figures.templates_y_lim_buffer',
  all_templates_window_ms_before_peak: 'figures.templates_window_ms_before',
  all_templates_window_ms_after_peak: 'figures.templates_window_ms_after',
  all_templates_line_ms_before_peak: 'figures.templates_line_ms_before',
  all_templates_line_ms_after_peak: 'figures.templates_line_ms_after',
  all_templates_x_label: 'figures.templates_x_label',
} as const satisfies Record<string, FieldPath>;

/** Fields that have no flat key at all. */
export const FIELDS_WITHOUT_FLAT_KEY: readonly FieldPath[] = ['sorter.sorter_name'];

type AliasMap = typeof FLAT_KEY_ALIASES;
type UnkeyedPath = AliasMap[keyof AliasMap] | 'sorter.sorter_name';
type PathValue<P> = P extends `${infer S}.${infer F}`
  ? S extends SectionName
    ? F extends keyof SortingPipelineConfig[S]
      ? SortingPipelineConfig[S][F]
      : never
    : never
  : never;
type PlainKeys<S extends SectionName> = {
  [F in FieldName<S> as `${S}.${F}` extends UnkeyedPath ? never : F]: SortingPipelineConfig[S][F];
};
type AliasKeys = { [K in keyof AliasMap]: PathValue<AliasMap[K]> };

/** Typed flat overrides, for callers who want compile-time key checks. */
export type FlatOverrides = Partial<
  PlainKeys<'recording'> &
    PlainKeys<'sorter'> &
    PlainKeys<'rt_sort'> &
    PlainKeys<'waveform'> &
    PlainKeys<'curation'> &
    PlainKeys<'compilation'> &
    PlainKeys<'figures'> &
    PlainKeys<'execution'> &
    AliasKeys
>;
export type FlatKey = keyof FlatOverrides & string;

function buildFlatKeys(): Record<string, readonly [SectionName, string]> {
  const aliasOf = new Map<string, string>(Object.entries(FLAT_KEY_ALIASES).map(([k, p]) => [p, k]));
  const out: Record<string, readonly [SectionName, string]> = {};
  for (const path of FIELD_PATHS) {
    if ((FIELDS_WITHOUT_FLAT_KEY as readonly string[]).includes(path)) continue;
    const [section, field] = splitPath(path);
    const key = aliasOf.get(path) ?? field;
    if (hasOwn(out, key)) throw new Error(`duplicate flat key ${key}`);
    out[key] = Object.freeze([section, field] as const);
  }
  return out;
}

/** Flat key → `[section, field]` (135 entries, §1.4 field order). */
export const FLAT_KEYS: Readonly<Record<FlatKey, readonly [SectionName, string]>> = Object.freeze(
  buildFlatKeys() as Record<FlatKey, readonly [SectionName, string]>,
);
const FLAT_KEY_LIST: readonly string[] = Object.keys(FLAT_KEYS);

/** Field path → its flat key (null for `sorter.sorter_name`). */
export function flatKeyOf(path: FieldPath): FlatKey | null {
  for (const key of FLAT_KEY_LIST) {
    const [s, f] = FLAT_KEYS[key as FlatKey];
    if (`${s}.${f}` === path) return key as FlatKey;
  }
  return null;
}

export function isFlatKey(key: string): key is FlatKey {
  return hasOwn(FLAT_KEYS, key);
}

/** Best guess for a mistyped flat key. */
export function suggestFlatKey(key: string): string | undefined {
  // The plain name of an aliased field → its alias (`sorter_params` → `kilosort_params`).
  for (const [alias, path] of Object.entries(FLAT_KEY_ALIASES)) {
    if (splitPath(path)[1] === key) return alias;
  }
  // A dotted field path → its flat key (`curation.snr_min` → `snr_min`).
  if ((FIELD_PATHS as readonly string[]).includes(key)) {
    const k = flatKeyOf(key as FieldPath);
    if (k !== null) return k;
  }
  return nearest(key, FLAT_KEY_LIST);
}

export function unknownFlatKeyProblem(key: string, value: unknown): ConfigProblem {
  const base = `Unknown parameter '${key}'. Check spelling or see SortingPipelineConfig for valid fields.`;
  if (key === 'sorter_name') {
    return {
      field: key,
      value,
      expected: 'a flat key; sorter_name has none',
      message:
        `${base} sorter_name has no flat key: choose the sorter with a preset (e.g. KILOSORT4), ` +
        `the nested config {"sorter": {"sorter_name": …}} or the dedicated sorter argument.`,
    };
  }
  const guess = suggestFlatKey(key);
  const hint = guess === undefined ? '' : ` Did you mean '${guess}'?`;
  return {
    field: key,
    value,
    expected: guess === undefined ? 'a known parameter' : `a known parameter (did you mean '${guess}'?)`,
    message: base + hint,
  };
}

/**
 * Applies flat overrides to a mutable config, in key order. All keys are
 * checked first: any unknown key → ConfigValidationError listing them all,
 * and `config` is left untouched. Values are not validated (spec §1.2); use
 * validateConfig for that.
 */
export function applyFlat(config: SortingPipelineConfig, flat: Readonly<Record<string, unknown>>): SortingPipelineConfig {
  const problems = Object.entries(flat)
    .filter(([key]) => !isFlatKey(key))
    .map(([key, value]) => unknownFlatKeyProblem(key, value));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  for (const [key, value] of Object.entries(flat)) {
    const [section, field] = FLAT_KEYS[key as FlatKey];
    setField(config, section, field, value);
  }
  return config;
}

/** Fresh defaults plus flat overrides (`from_kwargs`). */
export function fromKwargs(flat: Readonly<Record<string, unknown>> = {}): SortingPipelineConfig {
  return applyFlat(defaultConfig(), flat);
}

/** Deep copy of `config` plus flat overrides; `config` never changes. */
export function override(config: ConfigInput, flat: Readonly<Record<string, unknown>> = {}): SortingPipelineConfig {
  return applyFlat(cloneConfig(config), flat);
}
