/**
 * The config API without Node built-ins (no `fs`, no `crypto`): safe to
 * import from Temporal workflow code. Hashing (hash.ts) and file loading
 * (file.ts) are only in the full index.
 */
export * from './types';
export { ConfigValidationError, formatProblem, formatValue, type ConfigProblem } from './errors';
export {
  CONFIG_SCHEMA,
  FIELD_PATHS,
  SECTION_NAMES,
  SORTER_NAMES,
  fieldSpec,
  isSectionName,
  sectionFields,
  type FieldRole,
  type FieldSpec,
  type FieldType,
} from './schema';
export { DEFAULT_CONFIG, cloneConfig, defaultConfig } from './defaults';
export {
  KILOSORT2,
  KILOSORT2_DOCKER,
  KILOSORT4,
  KILOSORT4_DOCKER,
  PRESETS,
  PRESET_NAMES,
  PRESET_OVERRIDES,
  RT_SORT_MEA,
  RT_SORT_NEUROPIXELS,
  applyNestedOverrides,
  diffConfig,
  isPresetName,
  presetConfig,
  resolvePresetName,
  type PresetName,
} from './presets';
export {
  FIELDS_WITHOUT_FLAT_KEY,
  FLAT_KEYS,
  FLAT_KEY_ALIASES,
  flatKeyOf,
  fromKwargs,
  isFlatKey,
  override,
  type FlatKey,
  type FlatOverrides,
} from './flat';
export {
  checkField,
  configProblems,
  describeExpected,
  isValidFieldValue,
  validateAgainstRecording,
  validateConfig,
} from './validate';
export { configFromJson, type FromJsonOptions } from './from-json';
export { flagNameOf, flatKeyOfFlag, parseCliValue } from './cli';
export { resolveConfig, type ResolveConfigOptions } from './resolve';
export { STAGE_NAMES, stageConfigView, stageFieldPaths, type StageConfigView, type StageName } from './stages';
export { PyFloat, dumpsPython, pythonFloatRepr, toPythonJson } from './python-json';
