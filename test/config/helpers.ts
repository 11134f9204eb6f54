import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConfigValidationError, type ConfigProblem } from '../../src/config';

export const FIXTURES = join(__dirname, 'fixtures');

export interface ReferenceFixture {
  defaults: Record<string, Record<string, unknown>>;
  preset_overrides: Record<string, Record<string, Record<string, unknown>>>;
  flat_key_aliases: Record<string, string>;
  fields_without_flat_key: string[];
}

export function readFixture(): ReferenceFixture {
  return JSON.parse(readFileSync(join(FIXTURES, 'reference_defaults.json'), 'utf8')) as ReferenceFixture;
}

/** Text of a committed Python expectation, without the trailing newline the script adds. */
export function pythonText(relative: string): string {
  return readFileSync(join(FIXTURES, 'python', relative), 'utf8').replace(/\n$/, '');
}

/** Runs `fn`, expects a ConfigValidationError and returns it. */
export function catchConfigError(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigValidationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigValidationError, nothing was thrown');
}

export function problemFor(err: ConfigValidationError, field: string): ConfigProblem {
  const p = err.problems.find((q) => q.field === field);
  if (p === undefined) throw new Error(`no problem for ${field}; got ${err.problems.map((q) => q.field).join(', ')}`);
  return p;
}
