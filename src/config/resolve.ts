/**
 * The config a run uses (spec pipeline.md §2.1 step 1), with the fixes of
 * the §1.2 quirks: the result is always a private copy (never a shared
 * preset), and `sorter.sorter_name` always names the sorter that runs.
 */
import { defaultConfig, cloneConfig } from './defaults';
import { ConfigValidationError } from './errors';
import { applyFlat, override } from './flat';
import type { ConfigInput, SorterName, SortingPipelineConfig } from './types';
import { validateConfig } from './validate';

export interface ResolveConfigOptions {
  /** Base config (e.g. a preset). Never mutated. */
  config?: ConfigInput | null;
  /**
   * Sorter to run. Without `config`: sets `sorter.sorter_name` (default
   * kilosort2). With `config`: must agree with its sorter_name if given.
   */
  sorter?: SorterName;
  /** Flat overrides (§1.2), applied in key order. */
  overrides?: Readonly<Record<string, unknown>>;
}

/** Base + overrides (+ sorter), validated. Always a fresh object. */
export function resolveConfig(options: ResolveConfigOptions = {}): SortingPipelineConfig {
  const overrides = options.overrides ?? {};
  let config: SortingPipelineConfig;
  if (options.config !== undefined && options.config !== null) {
    const named = options.config.sorter.sorter_name;
    if (options.sorter !== undefined && options.sorter !== named) {
      throw new ConfigValidationError([
        {
          field: 'sorter',
          value: options.sorter,
          expected: `'${named}' (the config's sorter.sorter_name) or no sorter argument`,
          message:
            `The sorter argument '${options.sorter}' conflicts with the config's sorter.sorter_name '${named}'. ` +
            `Drop the argument, or pick a config/preset for '${options.sorter}'.`,
        },
      ]);
    }
    config = Object.keys(overrides).length > 0 ? override(options.config, overrides) : cloneConfig(options.config);
  } else {
    config = defaultConfig();
    config.sorter.sorter_name = options.sorter ?? 'kilosort2';
    applyFlat(config, overrides);
  }
  return validateConfig(config);
}
