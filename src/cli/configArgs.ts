/**
 * Config flags on the command line: every flat key is a flag (`--snr-min 5`), plus
 * `--preset`, `--config FILE.json`. Unknown flags get the nearest valid name.
 */
import { flatKeyOfFlag, parseCliValue, presetConfig, resolveConfig, loadConfigFile, flagNameOf, FLAT_KEYS, fieldSpec } from '../config';
import { suggestFlatKey } from '../config/flat';
import type { SortingPipelineConfig } from '../config';

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export interface SplitArgs {
  /** Flat overrides in the order given. */
  readonly overrides: Record<string, unknown>;
  /** Everything that is not a config flag, for commander. */
  readonly rest: string[];
}

const VALUE_WORDS = new Set(['true', 'false', 'null']);

/** Pull config flags out of argv; values are converted and checked per field. */
export function splitConfigFlags(argv: readonly string[]): SplitArgs {
  const overrides: Record<string, unknown> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (!token.startsWith('--')) {
      rest.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const key = flatKeyOfFlag(flag);
    if (key === undefined) {
      rest.push(token);
      continue;
    }
    const [section, field] = FLAT_KEYS[key];
    const isBool = fieldSpec(section, field)?.type === 'bool';
    let raw: string;
    if (eq > 0) raw = token.slice(eq + 1);
    else if (isBool && (i + 1 >= argv.length || !VALUE_WORDS.has(argv[i + 1]))) raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i];
    else throw new CliUsageError(`${flag} needs a value`);
    overrides[key] = parseCliValue(key, raw);
  }
  return { overrides, rest };
}

/** An option commander does not know: say which config flag was probably meant. */
export function unknownFlagMessage(flag: string): string {
  const key = flag.replace(/^--?/, '').split('=')[0].replace(/-/g, '_');
  const near = suggestFlatKey(key);
  return `unknown option '${flag}'${near !== undefined ? ` (did you mean ${flagNameOf(near)}?)` : ''}. Config fields are flags: see 'spikelab config show'.`;
}

export interface ConfigSources {
  readonly preset?: string;
  readonly configFile?: string;
  readonly overrides: Record<string, unknown>;
}

/** preset (or defaults) → config file → flags, validated. */
export function configFromSources(src: ConfigSources): SortingPipelineConfig {
  const base = src.preset !== undefined ? presetConfig(src.preset) : undefined;
  const fromFile = src.configFile !== undefined ? loadConfigFile(src.configFile, base !== undefined ? { base } : {}) : base;
  return resolveConfig({ config: fromFile ?? null, overrides: src.overrides });
}
