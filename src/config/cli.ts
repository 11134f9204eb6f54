/**
 * CLI helpers: every flat key is also a flag (`snr_min` → `--snr-min`), and
 * its string value is converted to the field's type here.
 */
import { DEFAULT_CONFIG } from './defaults';
import { ConfigValidationError, formatValue, type ConfigProblem } from './errors';
import { getField } from './fields';
import { FLAT_KEYS, isFlatKey, unknownFlatKeyProblem, type FlatKey } from './flat';
import { fieldSpec } from './schema';
import { nearest } from './util';
import { describeExpected, isValidFieldValue } from './validate';

/** `snr_min` → `--snr-min`. */
export function flagNameOf(flatKey: string): string {
  return `--${flatKey.replace(/_/g, '-')}`;
}

/** `--snr-min` (or `snr-min`, `snr_min`) → `snr_min`; undefined when not a flat key. */
export function flatKeyOfFlag(flag: string): FlatKey | undefined {
  const key = flag.replace(/^--?/, '').replace(/-/g, '_');
  return isFlatKey(key) ? key : undefined;
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INT_TEXT = /^[+-]?\d+$/;

/** Examples for structured values; scalars use the field's default. */
const EXAMPLES: Readonly<Record<string, string>> = {
  map: '\'{"NT": 32768}\'',
  int_ranges: "'[[0, 20000], [40000, 60000]]'",
  float_ranges: "'[[0, 60], [120, 180]]'",
  float_range: "'[0, 60000]'",
  str_list: "'[\"#f74343\", \"#fccd56\"]' or '#f74343,#fccd56'",
};

/** A default value as it would be typed on the command line (scalars only). */
function cliExample(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && value !== '') return /^[\w.:/@-]+$/.test(value) ? value : `'${value}'`;
  return undefined;
}

/**
 * Converts the string given to a CLI flag into the value of its field:
 * numbers, integers, `true`/`false`, `null` (nullable fields only), JSON for
 * maps and lists. The result is also checked against the field's type and
 * range. Errors are ConfigValidationError naming the flag, the text received
 * and what was expected.
 */
export function parseCliValue(flatKey: string, raw: string): unknown {
  if (!isFlatKey(flatKey)) throw new ConfigValidationError([unknownFlatKeyProblem(flatKey, raw)]);
  const [section, field] = FLAT_KEYS[flatKey];
  const spec = fieldSpec(section, field);
  if (spec === undefined) throw new Error(`no schema for ${section}.${field}`);
  const flag = flagNameOf(flatKey);
  const example = EXAMPLES[spec.type] ?? cliExample(getField(DEFAULT_CONFIG, section, field));
  const fail = (detail = ''): never => {
    const expected = `${describeExpected(spec)}${example !== undefined ? ` (e.g. ${flag} ${example})` : ''}`;
    const problem: ConfigProblem = {
      field: flag,
      value: raw,
      expected,
      message: `${flag}: expected ${expected}, got ${formatValue(raw)}${detail}`,
    };
    throw new ConfigValidationError([problem]);
  };
  const text = raw.trim();
  let value: unknown;
  if (spec.nullable && text === 'null') {
    value = null;
  } else {
    switch (spec.type) {
      case 'bool':
      case 'bool_or_str':
        if (/^(true|false)$/i.test(text)) value = text.toLowerCase() === 'true';
        else if (spec.type === 'bool_or_str') value = raw;
        else fail();
        break;
      case 'int':
        if (!INT_TEXT.test(text)) fail();
        value = Number(text);
        break;
      case 'float':
        if (!NUMBER_TEXT.test(text)) fail();
        value = Number(text);
        break;
      case 'str':
        value = raw;
        break;
      case 'enum': {
        if (!(spec.values ?? []).includes(text)) {
          fail(` (did you mean '${nearest(text, spec.values ?? []) ?? ''}'?)`);
        }
        value = text;
        break;
      }
      case 'str_list':
      case 'map':
      case 'int_ranges':
      case 'float_ranges':
      case 'float_range':
        if (spec.type === 'str_list' && !text.startsWith('[')) {
          value = text.split(',').map((s) => s.trim());
          break;
        }
        try {
          value = JSON.parse(text);
        } catch (err) {
          const reason = (err as { message?: unknown } | null)?.message;
          fail(` (not valid JSON: ${typeof reason === 'string' ? reason : String(err)})`);
        }
        break;
    }
  }
  if (!isValidFieldValue(spec, value)) fail();
  return value;
}
