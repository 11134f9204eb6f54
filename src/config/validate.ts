/**
 * Value validation. The reference validates nothing at construction (wrong
 * values fail later, deep inside a stage); here every problem is reported up
 * front, each naming the field, the value received and what was expected.
 */
import { ConfigValidationError, type ConfigProblem } from './errors';
import { FLAT_KEY_ALIASES } from './flat';
import { getField } from './fields';
import {
  CONFIG_SCHEMA,
  fieldSpec,
  SECTION_NAMES,
  sectionFields,
  splitPath,
  TOTAL_MEMORY_EXTRACTOR_PATTERN,
  type FieldSpec,
} from './schema';
import type { ConfigInput, FieldPath, SectionName, SortingPipelineConfig } from './types';
import { hasOwn, isPlainObject, nearest } from './util';

function rangeText(s: FieldSpec): string {
  const parts: string[] = [];
  if (s.min !== undefined && s.max !== undefined) {
    parts.push(`in ${s.minExclusive ? '(' : '['}${s.min}, ${s.max}${s.maxExclusive ? ')' : ']'}`);
  } else if (s.min !== undefined) {
    parts.push(`${s.minExclusive ? '>' : '≥'} ${s.min}`);
  } else if (s.max !== undefined) {
    parts.push(`${s.maxExclusive ? '<' : '≤'} ${s.max}`);
  }
  let text = parts.join(' ');
  if (s.also !== undefined && s.also.length > 0) text += ` (or ${s.also.join(', ')})`;
  return text;
}

/** What a field accepts, in words (used in error messages and CLI help). */
export function describeExpected(s: FieldSpec): string {
  const range = rangeText(s);
  const withRange = (base: string) => (range === '' ? base : `${base} ${range}`);
  let text: string;
  switch (s.type) {
    case 'bool':
      text = 'true or false';
      break;
    case 'int':
      text = withRange('an integer');
      break;
    case 'float':
      text = withRange('a finite number');
      break;
    case 'str':
      text = s.patternHint ?? (s.nonEmpty ? 'a non-empty string' : 'a string');
      break;
    case 'enum':
      text = `one of ${(s.values ?? []).map((v) => `'${v}'`).join(', ')}`;
      break;
    case 'bool_or_str':
      text = 'true, false or a non-empty Docker image name';
      break;
    case 'map':
      text = 'an object (map of parameter name to value)';
      break;
    case 'int_ranges':
      text = 'a list of [start, end] integer pairs with 0 ≤ start < end';
      break;
    case 'float_ranges':
      text = 'a list of [start, end] number pairs with 0 ≤ start < end';
      break;
    case 'float_range':
      text = 'a [start, end] pair of numbers with 0 ≤ start < end';
      break;
    case 'str_list':
      text = 'a non-empty list of non-empty strings';
      break;
  }
  return s.nullable ? `null or ${text}` : text;
}

function inRange(s: FieldSpec, x: number): boolean {
  if (s.also?.includes(x)) return true;
  if (s.min !== undefined && (s.minExclusive ? !(x > s.min) : !(x >= s.min))) return false;
  if (s.max !== undefined && (s.maxExclusive ? !(x < s.max) : !(x <= s.max))) return false;
  return true;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isRange(v: unknown, integer: boolean, s: FieldSpec): boolean {
  if (!Array.isArray(v) || v.length !== 2) return false;
  const [a, b] = v as unknown[];
  if (!isFiniteNumber(a) || !isFiniteNumber(b)) return false;
  if (integer && !(Number.isInteger(a) && Number.isInteger(b))) return false;
  return inRange(s, a) && a < b;
}

/** True when `value` has the field's type and lies in its range (no cross-field rules). */
export function isValidFieldValue(s: FieldSpec, value: unknown): boolean {
  if (value === null) return s.nullable;
  switch (s.type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return isFiniteNumber(value) && Number.isInteger(value) && inRange(s, value);
    case 'float':
      return isFiniteNumber(value) && inRange(s, value);
    case 'str':
      return (
        typeof value === 'string' &&
        (!s.nonEmpty || value.length > 0) &&
        (s.pattern === undefined || s.pattern.test(value))
      );
    case 'enum':
      return typeof value === 'string' && (s.values ?? []).includes(value);
    case 'bool_or_str':
      return typeof value === 'boolean' || (typeof value === 'string' && value.length > 0);
    case 'map':
      return isPlainObject(value);
    case 'int_ranges':
      return Array.isArray(value) && value.every((r) => isRange(r, true, s));
    case 'float_ranges':
      return Array.isArray(value) && value.every((r) => isRange(r, false, s));
    case 'float_range':
      return isRange(value, false, s);
    case 'str_list':
      return Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string' && x.length > 0);
  }
}

/** Problem for one field, or null when the value is acceptable on its own. */
export function checkField(path: FieldPath, value: unknown): ConfigProblem | null {
  const [section, field] = splitPath(path);
  const s = fieldSpec(section, field);
  if (s === undefined) throw new Error(`unknown field ${path}`);
  return isValidFieldValue(s, value) ? null : { field: path, value, expected: describeExpected(s) };
}

function suggestField(section: SectionName, field: string): string | undefined {
  const alias = (FLAT_KEY_ALIASES as Readonly<Record<string, string>>)[field];
  if (alias !== undefined && alias.startsWith(`${section}.`)) return alias.slice(section.length + 1);
  return nearest(field, sectionFields(section));
}

/** Problem for a key that is not a field of `section`, with a suggestion. */
export function unknownFieldProblem(section: SectionName, field: string, value: unknown): ConfigProblem {
  const guess = suggestField(section, field);
  const hint = guess === undefined ? '' : ` Did you mean '${section}.${guess}'?`;
  return {
    field: `${section}.${field}`,
    value,
    expected: `a field of ${section}`,
    message: `Unknown field '${section}.${field}'.${hint}`,
  };
}

type Cross = (c: SortingPipelineConfig, ok: (p: FieldPath) => boolean) => ConfigProblem | null;

const CROSS_FIELD_RULES: readonly Cross[] = [
  (c, ok) =>
    ok('recording.freq_min') && ok('recording.freq_max') && !(c.recording.freq_min < c.recording.freq_max)
      ? {
          field: 'recording.freq_max',
          value: c.recording.freq_max,
          expected: `a value > recording.freq_min (${c.recording.freq_min} Hz)`,
        }
      : null,
  (c, ok) => {
    const { start_time_s: s, end_time_s: e } = c.recording;
    return ok('recording.start_time_s') && ok('recording.end_time_s') && s !== null && e !== null && !(s < e)
      ? { field: 'recording.end_time_s', value: e, expected: `a value > recording.start_time_s (${s})` }
      : null;
  },
  (c, ok) => {
    const r = c.recording;
    if (!ok('recording.rec_chunks') || !Array.isArray(r.rec_chunks) || r.rec_chunks.length === 0) return null;
    const timeBased =
      (Array.isArray(r.rec_chunks_s) && r.rec_chunks_s.length > 0) || r.start_time_s !== null || r.end_time_s !== null;
    return timeBased
      ? {
          field: 'recording.rec_chunks',
          value: r.rec_chunks,
          expected: '[] when time-based ranges are set (rec_chunks_s, start_time_s/end_time_s): frame and time ranges cannot be combined',
        }
      : null;
  },
  (c, ok) =>
    ok('waveform.ms_before') && ok('waveform.compiled_ms_before') && c.waveform.compiled_ms_before > c.waveform.ms_before
      ? {
          field: 'waveform.compiled_ms_before',
          value: c.waveform.compiled_ms_before,
          expected: `a value ≤ waveform.ms_before (${c.waveform.ms_before} ms): the compiled window is cut from the extracted one`,
        }
      : null,
  (c, ok) =>
    ok('waveform.ms_after') && ok('waveform.compiled_ms_after') && c.waveform.compiled_ms_after > c.waveform.ms_after
      ? {
          field: 'waveform.compiled_ms_after',
          value: c.waveform.compiled_ms_after,
          expected: `a value ≤ waveform.ms_after (${c.waveform.ms_after} ms): the compiled window is cut from the extracted one`,
        }
      : null,
  (c, ok) =>
    ok('execution.host_ram_warn_pct') &&
    ok('execution.host_ram_abort_pct') &&
    !(c.execution.host_ram_warn_pct < c.execution.host_ram_abort_pct)
      ? {
          field: 'execution.host_ram_warn_pct',
          value: c.execution.host_ram_warn_pct,
          expected: `a value < execution.host_ram_abort_pct (${c.execution.host_ram_abort_pct})`,
        }
      : null,
  (c, ok) =>
    ok('execution.gpu_warn_pct') && ok('execution.gpu_abort_pct') && !(c.execution.gpu_warn_pct < c.execution.gpu_abort_pct)
      ? {
          field: 'execution.gpu_warn_pct',
          value: c.execution.gpu_warn_pct,
          expected: `a value < execution.gpu_abort_pct (${c.execution.gpu_abort_pct})`,
        }
      : null,
  (c, ok) => {
    const { gpu_warn_temp_c: w, gpu_abort_temp_c: a } = c.execution;
    return ok('execution.gpu_warn_temp_c') && ok('execution.gpu_abort_temp_c') && w !== null && a !== null && !(w < a)
      ? { field: 'execution.gpu_warn_temp_c', value: w, expected: `a value < execution.gpu_abort_temp_c (${a})` }
      : null;
  },
  (c, ok) =>
    ok('execution.disk_warn_free_gb') &&
    ok('execution.disk_abort_free_gb') &&
    !(c.execution.disk_warn_free_gb > c.execution.disk_abort_free_gb)
      ? {
          field: 'execution.disk_warn_free_gb',
          value: c.execution.disk_warn_free_gb,
          expected: `a value > execution.disk_abort_free_gb (${c.execution.disk_abort_free_gb}): warn while more space is free than at abort`,
        }
      : null,
  (c, ok) =>
    ok('execution.total_memory') &&
    ok('waveform.streaming') &&
    !c.waveform.streaming &&
    !TOTAL_MEMORY_EXTRACTOR_PATTERN.test(c.execution.total_memory)
      ? {
          field: 'execution.total_memory',
          value: c.execution.total_memory,
          expected: 'a size with suffix k, M or G when waveform.streaming is false (the non-streaming extractor accepts only those)',
        }
      : null,
];

/** Every problem of `config` (structure, types, ranges, cross-field rules). */
export function configProblems(config: unknown): ConfigProblem[] {
  if (!isPlainObject(config)) {
    return [{ field: '(root)', value: config, expected: `an object with sections ${SECTION_NAMES.join(', ')}` }];
  }
  const problems: ConfigProblem[] = [];
  const bad = new Set<string>();
  for (const key of Object.keys(config)) {
    if ((SECTION_NAMES as readonly string[]).includes(key)) continue;
    const guess = nearest(key, SECTION_NAMES);
    problems.push({
      field: key,
      value: config[key],
      expected: 'a config section',
      message: `Unknown config section '${key}'.${guess === undefined ? '' : ` Did you mean '${guess}'?`}`,
    });
  }
  for (const section of SECTION_NAMES) {
    const sec = config[section];
    if (!isPlainObject(sec)) {
      problems.push({ field: section, value: sec, expected: `an object of ${section} fields` });
      for (const f of sectionFields(section)) bad.add(`${section}.${f}`);
      continue;
    }
    const table = CONFIG_SCHEMA[section] as Readonly<Record<string, FieldSpec>>;
    for (const [field, s] of Object.entries(table)) {
      const path = `${section}.${field}`;
      const value = hasOwn(sec, field) ? sec[field] : undefined;
      if (value === undefined || !isValidFieldValue(s, value)) {
        problems.push({ field: path, value, expected: describeExpected(s) });
        bad.add(path);
      }
    }
    for (const field of Object.keys(sec)) {
      if (!hasOwn(table, field)) problems.push(unknownFieldProblem(section, field, sec[field]));
    }
  }
  const typed = config as unknown as SortingPipelineConfig;
  const ok = (p: FieldPath) => !bad.has(p);
  for (const rule of CROSS_FIELD_RULES) {
    const p = rule(typed, ok);
    if (p !== null) problems.push(p);
  }
  return problems;
}

/**
 * Returns `config` itself when valid; otherwise throws ConfigValidationError
 * listing every problem. `options.file` names the source in the message.
 */
export function validateConfig<T extends ConfigInput>(config: T, options?: { file?: string }): T;
export function validateConfig(config: unknown, options?: { file?: string }): SortingPipelineConfig;
export function validateConfig(config: unknown, options: { file?: string } = {}): unknown {
  const problems = configProblems(config);
  if (problems.length > 0) throw new ConfigValidationError(problems, options);
  return config;
}

/**
 * Checks that depend on the recording: `freq_max` must stay below the
 * Nyquist limit fs/2. Returns `config` or throws ConfigValidationError.
 */
export function validateAgainstRecording<T extends ConfigInput>(config: T, sampling_frequency: number): T {
  const problems: ConfigProblem[] = [];
  if (!(isFiniteNumber(sampling_frequency) && sampling_frequency > 0)) {
    problems.push({ field: 'sampling_frequency', value: sampling_frequency, expected: 'a finite number > 0 (Hz)' });
  } else {
    const nyquist = sampling_frequency / 2;
    const fmax = getField(config, 'recording', 'freq_max');
    if (isFiniteNumber(fmax) && !(fmax < nyquist)) {
      problems.push({
        field: 'recording.freq_max',
        value: fmax,
        expected: `a value < ${nyquist} Hz, the Nyquist limit fs/2 of this recording (sampling frequency ${sampling_frequency} Hz)`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
