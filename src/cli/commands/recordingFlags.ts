/**
 * Recording-level config flags (`--stream-id`, `--freq-min`, …) for the file commands
 * (`inspect`, `preprocess`). main.ts pulls every config flag out of argv before commander
 * runs, so each command takes the ones it uses from the overrides and refuses the rest:
 * a sort setting given to `preprocess` would otherwise be ignored without a word.
 */
import { flagNameOf } from '../../config';
import { InvalidRecordingError } from '../../errors';
import { CliUsageError } from '../configArgs';

export function commandOverrides(command: string, overrides: Record<string, unknown>, allowed: readonly string[]): Record<string, unknown> {
  const extra = Object.keys(overrides).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new CliUsageError(
      `${extra.map(flagNameOf).join(', ')} ${extra.length === 1 ? 'is not an option' : 'are not options'} of 'spikelab ${command}' ` +
        `(its recording flags: ${allowed.map(flagNameOf).join(', ')})`,
    );
  }
  return overrides;
}

/** A numeric config flag's value (already type-checked by main's flag parser); null when absent. */
export function numberFlag(overrides: Record<string, unknown>, key: string): number | null {
  const v = overrides[key];
  return typeof v === 'number' ? v : null;
}

export function stringFlag(overrides: Record<string, unknown>, key: string): string | null {
  const v = overrides[key];
  return typeof v === 'string' ? v : null;
}

/** A list of [start, end] pairs (`--rec-chunks '[[0, 20000]]'`); undefined when absent. */
export function rangesFlag(overrides: Record<string, unknown>, key: string): [number, number][] | undefined {
  const v = overrides[key];
  if (v === undefined || v === null) return undefined;
  const isPair = (r: unknown): r is [number, number] => Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number');
  if (!Array.isArray(v) || !v.every(isPair)) throw new CliUsageError(`${flagNameOf(key)} expects a list of [start, end] pairs, got ${JSON.stringify(v)}`);
  return v;
}

/** A positive number given to a command option (not a config flag). */
export function positiveNumberOption(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !(Number.isFinite(n) && n > 0)) throw new CliUsageError(`${flag} expects a number > 0, got '${raw}'`);
  return n;
}

/**
 * A stream or recording group the file does not have (or did not get although it needs
 * one) is a usage error: say which flag picks it. Other errors pass through unchanged.
 */
export function streamChoiceError(err: unknown): unknown {
  if (!(err instanceof InvalidRecordingError)) return err;
  const field = err.attributes.field;
  if (field === 'stream_id') return new CliUsageError(`--stream-id: ${err.message}`);
  if (field === 'rec_name') return new CliUsageError(`--rec-name: ${err.message}`);
  return err;
}
