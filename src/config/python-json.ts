/**
 * JSON text spelled the way the Python reference writes it
 * (`json.dumps(obj, indent=2)`): floats keep their `.0` (`2.0`), ints do not
 * (`2`), non-ASCII is escaped (`ensure_ascii`), NaN/Infinity are bare tokens.
 *
 * JS cannot tell `2` from `2.0`, so the config serializer takes the
 * int/float distinction from the schema (field type), not from the value.
 */
import { getField } from './fields';
import { fieldSpec, SECTION_NAMES, sectionFields } from './schema';
import type { ConfigInput } from './types';
import { isPlainObject } from './util';
import { PyFloat, jsonFloat, jsonString } from '../util/pythonJson';

/** Floats and strings are spelled by the shared Python-JSON writer (curation hashes the same text). */
export { PyFloat };
/** `repr(float(x))` as json.dumps prints it (non-finite as `NaN` / `Infinity`). */
export const pythonFloatRepr = jsonFloat;

/** A JS number as Python would print it: integral → int spelling, else float repr. */
function pythonNumber(x: number): string {
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
  return pythonFloatRepr(x);
}

/** `json.dumps(s)` with `ensure_ascii=True`. */
export const pythonJsonString = jsonString;

/**
 * Generic `json.dumps(value, indent=indent)`. Numbers print as ints when
 * integral; wrap a number in PyFloat to force float spelling. Object key
 * order is preserved. `undefined` prints as null.
 */
export function dumpsPython(value: unknown, indent = 2, level = 0): string {
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pythonJsonString(value);
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => pad + dumpsPython(v, indent, level + 1));
    return `[\n${items.join(',\n')}\n${end}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const items = entries.map(([k, v]) => `${pad}${pythonJsonString(k)}: ${dumpsPython(v, indent, level + 1)}`);
    return `{\n${items.join(',\n')}\n${end}}`;
  }
  return pythonJsonString(String(value));
}

const asFloat = (v: unknown): unknown => (typeof v === 'number' ? new PyFloat(v) : v);

function typedValue(type: string, value: unknown): unknown {
  switch (type) {
    case 'float':
      return asFloat(value);
    case 'float_range':
      return Array.isArray(value) ? value.map(asFloat) : value;
    case 'float_ranges':
      return Array.isArray(value) ? value.map((r) => (Array.isArray(r) ? r.map(asFloat) : r)) : value;
    default:
      return value;
  }
}

/**
 * The config as Python's `json.dumps(asdict(config), indent=2)` would print
 * it: sections and fields in §1.4 order, float fields with float spelling.
 * `extra` keys (e.g. `_runtime` of config_used.json) are appended at the top
 * level.
 */
export function toPythonJson(
  config: ConfigInput,
  options: { indent?: number; extra?: Readonly<Record<string, unknown>> } = {},
): string {
  const tree: Record<string, unknown> = {};
  for (const section of SECTION_NAMES) {
    const out: Record<string, unknown> = {};
    for (const field of sectionFields(section)) {
      const spec = fieldSpec(section, field);
      out[field] = typedValue(spec?.type ?? 'map', getField(config, section, field));
    }
    tree[section] = out;
  }
  if (options.extra !== undefined && isPlainObject(options.extra)) Object.assign(tree, options.extra);
  return dumpsPython(tree, options.indent ?? 2);
}
