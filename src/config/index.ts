/** Public API of the configuration module. Workflow code: import './portable' instead. */
export * from './portable';
export { canonicalJson, configHash, stageConfigHash } from './hash';
export { loadConfigFile } from './file';
