export {
  runKilosort4,
  checkKilosort4Available,
  kilosort4Paths,
  kilosort4RunnerPath,
  resolveKilosort4Python,
  spikelabRepoRoot,
  KILOSORT4_OUTPUT_DIRNAME,
  KILOSORT4_LOG_NAME,
  KILOSORT4_JOB_FILE,
  type Kilosort4Job,
  type Kilosort4Progress,
  type Kilosort4Inactivity,
  type Kilosort4Availability,
  type Kilosort4RunnerResult,
} from './run';
export {
  classifyKilosort4Failure,
  classifyKilosort4Error,
  matchKilosort4InsufficientActivity,
  kilosort4LogCandidates,
  type Ks4ActivityMatch,
  type Ks4ActivitySignature,
  type Ks4FailureText,
} from './classify';
export {
  KILOSORT4_DEFAULT_PARAMS,
  KILOSORT4_DEFAULT_BATCH_SIZE,
  resolveKilosort4Params,
  scaleKilosort4OomParams,
  type ResolvedKilosort4Params,
  type Kilosort4RunOptions,
  type JsonValue,
} from './params';
