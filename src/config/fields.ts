import type { ConfigInput, SectionName, SortingPipelineConfig } from './types';
import { isPlainObject } from './util';

/** Reads `config[section][field]` without type gymnastics at call sites. */
export function getField(config: ConfigInput | SortingPipelineConfig, section: SectionName, field: string): unknown {
  return (config[section] as unknown as Record<string, unknown>)[field];
}

function copyValue(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/**
 * Sets one field of a mutable config. The value is deep-copied, so later
 * changes to the caller's object never leak into the config.
 *
 * `rt_sort.params` is merged over an existing map instead of replacing it
 * (spec rt_sort_stim.md §3.2 quirk, fix taken): overriding one detection
 * parameter on the RT_SORT_NEUROPIXELS preset keeps the other eight. Setting
 * it to null clears it.
 */
export function setField(config: SortingPipelineConfig, section: SectionName, field: string, value: unknown): void {
  const target = config[section] as unknown as Record<string, unknown>;
  const current = target[field];
  if (section === 'rt_sort' && field === 'params' && isPlainObject(current) && isPlainObject(value)) {
    target[field] = { ...current, ...(copyValue(value) as Record<string, unknown>) };
    return;
  }
  target[field] = copyValue(value);
}
