/** Public surface of curation. */
export { applyCriteria, unitIdsOf, type CurationInput, type CurationUnit } from './apply';
export { cacheKeyText, curationCacheKey } from './cache-key';
export { criteriaFromConfig, splitCriteria, ISI_THRESHOLD_MS, type CriteriaMap, type CurationParams } from './criteria';
export {
  curate, curateFirst, curateSecond, curateTwoStage, curateWithCriteria, curationLogLine, mergeHistories,
  HISTORY_FILE, UNIT_IDS_FILE, type CurateOptions, type CurationResult, type TwoStageOptions,
} from './curate';
export { historyJson, parseHistory, CurationHistoryFormatError, type CriterionName, type CurationHistory } from './history';
export { firingRateHz, isiViolation, parseIsiMethod, InvalidCurationParameterError, type IsiMethod, type IsiOptions } from './unit-metrics';
export { dumpsPython, parsePythonJson, pyFloat, pyFloatRepr, PyFloat, type PyJsonValue } from '../util/pythonJson';
