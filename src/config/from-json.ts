/**
 * Builds a config from parsed JSON that may be nested (sections), flat
 * (flat keys) or a mix of both:
 *
 *     { "sorter": { "sorter_name": "kilosort4" }, "snr_min": 3, "curation": { "fr_min": 0.1 } }
 *
 * Sections may be partial; missing fields keep the base value (defaults
 * unless `base` is given). Unknown keys anywhere are rejected with a
 * suggestion; a field set twice (nested and flat) is rejected. A top-level
 * `_runtime` key (written into config_used.json, §1.5) is ignored, so a
 * previous run's config_used.json loads as is.
 */
import { cloneConfig, DEFAULT_CONFIG } from './defaults';
import { ConfigValidationError, type ConfigProblem } from './errors';
import { setField } from './fields';
import { FLAT_KEYS, isFlatKey, suggestFlatKey, unknownFlatKeyProblem } from './flat';
import { fieldSpec, isSectionName, SECTION_NAMES, sectionFields } from './schema';
import type { ConfigInput, SectionName, SortingPipelineConfig } from './types';
import { isPlainObject, levenshtein, nearest } from './util';
import { unknownFieldProblem, validateConfig } from './validate';

export interface FromJsonOptions {
  /** Config the file is applied over (default: the defaults). Never mutated. */
  base?: ConfigInput;
  /** Run validateConfig on the result (default true). */
  validate?: boolean;
  /** Source named in error messages. */
  file?: string;
}

/** Keys ignored at the top level of a config file. */
export const IGNORED_TOP_LEVEL_KEYS: readonly string[] = ['_runtime'];

function unknownTopLevelProblem(key: string, value: unknown): ConfigProblem {
  // A field name that belongs only in a section (sorter_name) gets the flat-key explanation.
  const p = unknownFlatKeyProblem(key, value);
  if (key === 'sorter_name') return p;
  const section = nearest(key, SECTION_NAMES);
  const flat = suggestFlatKey(key);
  if (section !== undefined && (flat === undefined || levenshtein(key, section) < levenshtein(key, flat))) {
    return {
      field: key,
      value,
      expected: `a config section or a known parameter (did you mean '${section}'?)`,
      message: `Unknown parameter '${key}'. Check spelling or see SortingPipelineConfig for valid fields. Did you mean the section '${section}'?`,
    };
  }
  return p;
}

export function configFromJson(value: unknown, options: FromJsonOptions = {}): SortingPipelineConfig {
  const file = options.file;
  const errorOptions = file === undefined ? {} : { file };
  if (!isPlainObject(value)) {
    throw new ConfigValidationError(
      [
        {
          field: '(root)',
          value,
          expected: `a JSON object of config sections (${SECTION_NAMES.join(', ')}) and/or flat keys`,
        },
      ],
      errorOptions,
    );
  }
  const config = cloneConfig(options.base ?? DEFAULT_CONFIG);
  const problems: ConfigProblem[] = [];
  const setBy = new Map<string, string>();
  const assign = (section: SectionName, field: string, how: string, v: unknown) => {
    const path = `${section}.${field}`;
    const previous = setBy.get(path);
    if (previous !== undefined) {
      problems.push({
        field: how,
        value: v,
        expected: `${path} set only once`,
        message: `${path} is set twice: as '${previous}' and as '${how}'. Keep one.`,
      });
      return;
    }
    setBy.set(path, how);
    setField(config, section, field, v);
  };

  for (const [key, v] of Object.entries(value)) {
    if (IGNORED_TOP_LEVEL_KEYS.includes(key)) continue;
    if (isSectionName(key)) {
      if (!isPlainObject(v)) {
        problems.push({ field: key, value: v, expected: `an object of ${key} fields (${sectionFields(key).join(', ')})` });
        continue;
      }
      for (const [field, fv] of Object.entries(v)) {
        if (fieldSpec(key, field) === undefined) problems.push(unknownFieldProblem(key, field, fv));
        else assign(key, field, `${key}.${field}`, fv);
      }
    } else if (isFlatKey(key)) {
      const [section, field] = FLAT_KEYS[key];
      assign(section, field, key, v);
    } else {
      problems.push(unknownTopLevelProblem(key, v));
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems, errorOptions);
  return options.validate === false ? config : validateConfig(config, errorOptions);
}
