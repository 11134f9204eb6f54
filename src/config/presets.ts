/**
 * Presets (spec pipeline.md §1.3): the defaults plus a small nested override.
 * The preset objects are deep-frozen; `presetConfig` always returns an
 * independent mutable copy (spec quirk "preset mutation": fix taken).
 */
import { cloneConfig, DEFAULT_CONFIG, defaultConfig } from './defaults';
import { ConfigValidationError } from './errors';
import { getField, setField } from './fields';
import { SECTION_NAMES, sectionFields } from './schema';
import type { ConfigInput, DeepReadonly, NestedOverrides, SortingPipelineConfig } from './types';
import { deepEqual, deepFreeze, nearest } from './util';

export const PRESET_NAMES = [
  'KILOSORT2',
  'KILOSORT2_DOCKER',
  'KILOSORT4',
  'KILOSORT4_DOCKER',
  'RT_SORT_MEA',
  'RT_SORT_NEUROPIXELS',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Detection parameters of the Neuropixels RT-Sort model (rt_sort_stim.md §3.1). */
const RT_SORT_NEUROPIXELS_PARAMS = {
  stringent_thresh: 0.175,
  loose_thresh: 0.075,
  inference_scaling_numerator: 15.4,
  min_amp_dist_p: 0.1,
  max_latency_diff_spikes: 2.5,
  max_amp_median_diff_spikes: 0.45,
  max_latency_diff_sequences: 2.5,
  max_amp_median_diff_sequences: 0.45,
  max_root_amp_median_std_sequences: 2.5,
};

export const PRESET_OVERRIDES: { readonly [P in PresetName]: DeepReadonly<NestedOverrides> } = deepFreeze({
  KILOSORT2: {},
  KILOSORT2_DOCKER: { sorter: { use_docker: true } },
  KILOSORT4: { sorter: { sorter_name: 'kilosort4' } },
  KILOSORT4_DOCKER: { sorter: { sorter_name: 'kilosort4', use_docker: true } },
  RT_SORT_MEA: { sorter: { sorter_name: 'rt_sort' } },
  RT_SORT_NEUROPIXELS: {
    sorter: { sorter_name: 'rt_sort' },
    rt_sort: { probe: 'neuropixels', params: RT_SORT_NEUROPIXELS_PARAMS },
  },
} satisfies { [P in PresetName]: NestedOverrides });

/** Applies a typed nested override to a mutable config (no validation). */
export function applyNestedOverrides(
  config: SortingPipelineConfig,
  nested: DeepReadonly<NestedOverrides>,
): SortingPipelineConfig {
  for (const section of SECTION_NAMES) {
    const part = nested[section] as Readonly<Record<string, unknown>> | undefined;
    if (part === undefined) continue;
    for (const [field, value] of Object.entries(part)) setField(config, section, field, value);
  }
  return config;
}

function buildPresets(): { [P in PresetName]: ConfigInput } {
  const out = {} as { [P in PresetName]: ConfigInput };
  for (const name of PRESET_NAMES) out[name] = deepFreeze(applyNestedOverrides(defaultConfig(), PRESET_OVERRIDES[name]));
  return out;
}

/** The six presets, deep-frozen. Use `presetConfig(name)` or `override()` for a mutable copy. */
export const PRESETS: { readonly [P in PresetName]: ConfigInput } = Object.freeze(buildPresets());
export const KILOSORT2 = PRESETS.KILOSORT2;
export const KILOSORT2_DOCKER = PRESETS.KILOSORT2_DOCKER;
export const KILOSORT4 = PRESETS.KILOSORT4;
export const KILOSORT4_DOCKER = PRESETS.KILOSORT4_DOCKER;
export const RT_SORT_MEA = PRESETS.RT_SORT_MEA;
export const RT_SORT_NEUROPIXELS = PRESETS.RT_SORT_NEUROPIXELS;

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * Exact name, or the same name in any case with `-` for `_`
 * (`kilosort4-docker` → `KILOSORT4_DOCKER`). Unknown → ConfigValidationError
 * naming the nearest preset and listing all.
 */
export function resolvePresetName(name: string): PresetName {
  const normalized = name.trim().toUpperCase().replace(/-/g, '_');
  if (isPresetName(normalized)) return normalized;
  const guess = nearest(normalized, PRESET_NAMES) as PresetName;
  throw new ConfigValidationError([
    {
      field: 'preset',
      value: name,
      expected: `one of ${PRESET_NAMES.join(', ')}`,
      message: `Unknown preset '${name}'. Did you mean '${guess}'? Valid presets: ${PRESET_NAMES.join(', ')}.`,
    },
  ]);
}

/** An independent mutable copy of a preset. */
export function presetConfig(name: string): SortingPipelineConfig {
  return cloneConfig(PRESETS[resolvePresetName(name)]);
}

/** The fields of `config` that differ from `base` (default: the defaults), as a nested override. */
export function diffConfig(config: ConfigInput, base: ConfigInput = DEFAULT_CONFIG): NestedOverrides {
  const out: Record<string, Record<string, unknown>> = {};
  for (const section of SECTION_NAMES) {
    for (const field of sectionFields(section)) {
      const value = getField(config, section, field);
      if (deepEqual(value, getField(base, section, field))) continue;
      (out[section] ??= {})[field] = structuredClone(value);
    }
  }
  return out as NestedOverrides;
}
