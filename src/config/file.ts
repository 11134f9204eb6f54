import { readFileSync } from 'node:fs';

import { ConfigValidationError } from './errors';
import { configFromJson, type FromJsonOptions } from './from-json';
import type { SortingPipelineConfig } from './types';

/** The message of a thrown value (duck-typed: errors from other realms are not `instanceof Error`). */
function errorText(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

/** "line L, column C" for a character offset of `text`. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Reads a JSON config file (nested, flat or mixed; see configFromJson) and
 * returns the validated config. Every error is a ConfigValidationError whose
 * message and `file` name the file.
 */
export function loadConfigFile(path: string, options: Omit<FromJsonOptions, 'file'> = {}): SortingPipelineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigValidationError(
      [{ field: '(file)', value: path, expected: 'a readable JSON file', message: `cannot read the file (${errorText(err)})` }],
      { file: path },
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const reason = errorText(err);
    const pos = /position (\d+)/.exec(reason);
    const where = pos ? ` at ${lineColumn(text, Number(pos[1]))}` : '';
    throw new ConfigValidationError(
      [{ field: '(file)', value: path, expected: 'valid JSON', message: `not valid JSON${where}: ${reason}` }],
      { file: path },
    );
  }
  return configFromJson(parsed, { ...options, file: path });
}
