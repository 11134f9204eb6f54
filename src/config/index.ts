/** Public API of the configuration module. Workflow code: import './portable' instead. */
export * from './portable';
export { canonicalDigest, canonicalJson, configHash, runConfigHash, stageConfigHash } from './hash';
export { loadConfigFile } from './file';
