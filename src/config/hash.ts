import { createHash } from 'node:crypto';

import { STAGE_NAMES, stageConfigView, type StageName } from './stages';
import type { ConfigInput } from './types';

/**
 * Canonical JSON text: object keys sorted (code-unit order), no whitespace,
 * `undefined` members dropped (array holes → null), JS number spelling,
 * non-finite numbers as the bare tokens NaN / Infinity / -Infinity (so they
 * never collide with null or a string).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
      const rec = value as Record<string, unknown>;
      const keys = Object.keys(rec)
        .filter((k) => rec[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

/** Lowercase hex SHA-256 of `canonicalJson(value)`: the identity of any JSON-like value. */
export function canonicalDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/** Lowercase hex SHA-256 of `canonicalJson(value)`. */
export function configHash(configSubset: unknown): string {
  return canonicalDigest(configSubset);
}

/** `configHash(stageConfigView(config, stage))`. */
export function stageConfigHash(config: ConfigInput, stage: StageName): string {
  return configHash(stageConfigView(config, stage));
}

/** Every stage's config hash in one: what decides a whole run's outputs. */
export function runConfigHash(config: ConfigInput): string {
  return canonicalDigest(STAGE_NAMES.map((s) => stageConfigHash(config, s)));
}
