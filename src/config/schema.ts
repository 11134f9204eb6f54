/**
 * One table describing every config field: its type (as in the Python
 * reference, so that `2.0` vs `2` can be reproduced), nullability, allowed
 * range, and its role (does it change what a stage produces?).
 *
 * Everything else (validation, CLI parsing, Python-style JSON, stage views)
 * is derived from this table. Key order per section = spec §1.4 order.
 */
import type {
  CompilationConfig,
  CurationConfig,
  ExecutionConfig,
  FigureConfig,
  FieldPath,
  RecordingConfig,
  RTSortConfig,
  SectionName,
  SorterConfig,
  WaveformConfig,
} from './types';

export type FieldType =
  | 'bool'
  | 'int'
  | 'float'
  | 'str'
  | 'enum'
  | 'bool_or_str'
  | 'map'
  /** `[[int, int], …]` */
  | 'int_ranges'
  /** `[[float, float], …]` */
  | 'float_ranges'
  /** `[float, float]` */
  | 'float_range'
  | 'str_list';

/**
 * - `result`: may change what a stage writes (part of some stage view)
 * - `runtime`: parallelism, logging, cleanup; never changes results
 * - `reuse`: the `recompute_*`-style flags
 * - `guard`: preflight, watchdogs, retries, canary, lifecycle helpers
 */
export type FieldRole = 'result' | 'runtime' | 'reuse' | 'guard';

export interface FieldSpec {
  readonly type: FieldType;
  readonly nullable: boolean;
  /** Allowed values for `enum`. */
  readonly values?: readonly string[];
  readonly min?: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly maxExclusive?: boolean;
  /** Values allowed in addition to the range (e.g. n_jobs = -1). */
  readonly also?: readonly number[];
  /** Strings (and str_list items) must be non-empty. */
  readonly nonEmpty?: boolean;
  /** Strings must match; `patternHint` explains it. */
  readonly pattern?: RegExp;
  readonly patternHint?: string;
  readonly role: FieldRole;
  readonly doc: string;
}

type Opts = Partial<Omit<FieldSpec, 'type' | 'doc'>>;
function spec(type: FieldType, doc: string, opts: Opts = {}): FieldSpec {
  return { type, doc, nullable: false, role: 'result', ...opts };
}
const bool = (doc: string, o?: Opts) => spec('bool', doc, o);
const int = (doc: string, o?: Opts) => spec('int', doc, o);
const float = (doc: string, o?: Opts) => spec('float', doc, o);
const str = (doc: string, o?: Opts) => spec('str', doc, o);
const oneOf = (values: readonly string[], doc: string, o?: Opts) => spec('enum', doc, { values, ...o });
const N = { nullable: true } as const;
const GE0 = { min: 0 } as const;
const GT0 = { min: 0, minExclusive: true } as const;
const PCT = { min: 0, minExclusive: true, max: 100 } as const;
const GUARD = { role: 'guard' } as const;
const RUNTIME = { role: 'runtime' } as const;
const REUSE = { role: 'reuse' } as const;

export type SectionSpec<T> = { readonly [K in keyof T]-?: FieldSpec };

export const RECORDING_SCHEMA: SectionSpec<RecordingConfig> = {
  stream_id: str('Stream (e.g. Maxwell well `well000`) to load; null = the file\'s only stream', N),
  hdf5_plugin_path: str('Folder exported as HDF5_PLUGIN_PATH before loading', N),
  first_n_mins: float('Keep only the first N minutes (0 = whole recording)', { ...N, ...GE0 }),
  mea_y_max: int('Flip channel y: -1 → max(y) - y, other v → v - y', N),
  gain_to_uv: float('Scalar gain to µV for all channels; null = per-channel gains', N),
  offset_to_uv: float('Scalar offset in µV for all channels; null = per-channel offsets', N),
  rec_chunks: spec('int_ranges', 'Frame ranges [start, end) to keep and join, in order', GE0),
  rec_chunks_s: spec('float_ranges', 'Time ranges [start, end) in seconds to keep and join', GE0),
  start_time_s: float('Start of the time range to keep (s)', { ...N, ...GE0 }),
  end_time_s: float('End of the time range to keep (s)', { ...N, ...GT0 }),
  freq_min: int('Band-pass low corner (Hz)', { min: 100 }),
  freq_max: int('Band-pass high corner (Hz)', GT0),
};

export const SORTER_NAMES = ['kilosort2', 'kilosort4', 'rt_sort'] as const;

export const SORTER_SCHEMA: SectionSpec<SorterConfig> = {
  sorter_name: oneOf(SORTER_NAMES, 'Sorter backend'),
  sorter_path: str('Kilosort2 MATLAB source folder; null = env KILOSORT_PATH', N),
  sorter_params: spec('map', 'Overrides of the backend\'s default parameters', N),
  use_docker: spec('bool_or_str', 'Run the sorter in Docker; a string names the image', { nonEmpty: true }),
};

export const RT_SORT_SCHEMA: SectionSpec<RTSortConfig> = {
  model_path: str('Folder with init_dict.json + state_dict.pt; null = bundled model of `probe`', { ...N, nonEmpty: true }),
  probe: oneOf(['mea', 'neuropixels'], 'Bundled detection model'),
  device: str('Torch device for detection (`cuda`, `cuda:1`, `cpu`)', { nonEmpty: true }),
  num_processes: int('Worker processes; null = automatic', { ...N, min: 1, ...RUNTIME }),
  recording_window_ms: spec('float_range', 'Window [start, end) in ms to detect and sort; null = whole', { ...N, ...GE0 }),
  save_rt_sort_pickle: bool('Persist the trained RT-Sort object'),
  delete_inter: bool('Delete RT-Sort\'s own cache after detection', RUNTIME),
  verbose: bool('Progress messages', RUNTIME),
  params: spec('map', 'Detection parameter overrides (win over everything)', N),
  detection_window_s: float('Detect sequences on the first N seconds only', { ...N, ...GT0 }),
};

export const WAVEFORM_SCHEMA: SectionSpec<WaveformConfig> = {
  ms_before: float('Extraction window before each spike (ms)', GT0),
  ms_after: float('Extraction window after each spike (ms)', GT0),
  pos_peak_thresh: float('Unit is positive if max peak ≥ this × |most negative|', GT0),
  max_waveforms_per_unit: int('Waveforms sampled per unit; null = all', { ...N, min: 1 }),
  compiled_ms_before: float('Compiled template window before the peak (ms)', GT0),
  compiled_ms_after: float('Compiled template window after the peak (ms)', GT0),
  scale_compiled_waveforms: bool('Keep compiled templates scaled (false = divide the gain back)'),
  std_at_peak: bool('std_norm from the std at each channel\'s peak (false = window mean)'),
  std_over_window_ms_before: float('std window before the peak (ms), when not std_at_peak', GE0),
  std_over_window_ms_after: float('std window after the peak (ms), when not std_at_peak', GE0),
  streaming: bool('One-unit-at-a-time extraction'),
  save_waveform_files: bool('Write per-unit waveform files (streaming only)'),
};

export const CURATION_SCHEMA: SectionSpec<CurationConfig> = {
  curate_first: bool('Enable the first curation group (rate, ISI, SNR, count)'),
  curate_second: bool('Enable the second curation group (std_norm, count)'),
  curation_epoch: int('Judge on this epoch only (0-based) when there are ≥ 2 epochs', { ...N, ...GE0 }),
  fr_min: float('Min firing rate (Hz); null disables', { ...N, ...GE0 }),
  isi_viol_max: float('Max ISI-violation metric; null disables', { ...N, ...GE0 }),
  isi_violation_method: oneOf(['percent', 'hill'], 'ISI-violation metric'),
  snr_min: float('Min SNR; null disables', { ...N, ...GE0 }),
  spikes_min_first: int('Min spike count (first group); null disables', { ...N, ...GE0 }),
  spikes_min_second: int('Min spike count (second group); null disables', { ...N, ...GE0 }),
  std_norm_max: float('Max std_norm (second group); null disables', { ...N, ...GE0 }),
};

export const COMPILATION_SCHEMA: SectionSpec<CompilationConfig> = {
  compile_single_recording: bool('Write compiled outputs'),
  compile_to_mat: bool('Write sorted.mat'),
  compile_to_npz: bool('Write sorted.npz'),
  compile_waveforms: bool('Copy curated waveforms to negative_peaks/ and positive_peaks/'),
  save_electrodes: bool('Add the `electrode` key per unit'),
  save_spike_times: bool('No effect (kept for compatibility)'),
  save_raw_pkl: bool('Also write the pre-curation pickle'),
  save_dl_data: bool('Add the extra per-unit keys'),
  include_failed_units: bool('Show failed units in the templates figure and bar counts'),
};

const COLOR = { nonEmpty: true } as const;
export const FIGURE_SCHEMA: SectionSpec<FigureConfig> = {
  create_figures: bool('Master switch for figures'),
  create_unit_figures: bool('One figure per unit'),
  dpi: int('Figure dpi; null = plotting default', { ...N, min: 1 }),
  font_size: int('Figure font size', { min: 1 }),
  bar_x_label: str('Bar plot x label'),
  bar_y_label: str('Bar plot y label'),
  bar_label_rotation: int('Bar plot label rotation (degrees)'),
  bar_total_label: str('Bar plot label of the total'),
  bar_selected_label: str('Bar plot label of the selection'),
  scatter_std_max_units_per_recording: int('No effect', { ...N, min: 1 }),
  scatter_recording_colors: spec('str_list', 'Scatter colours, one per recording (cycled)', COLOR),
  scatter_recording_alpha: float('Scatter alpha', { min: 0, max: 1 }),
  scatter_x_label: str('Scatter x label'),
  scatter_y_label: str('Scatter y label'),
  scatter_x_max_buffer: float('Scatter x-axis headroom', GE0),
  scatter_y_max_buffer: float('Scatter y-axis headroom', GE0),
  templates_color_curated: str('Template colour of curated units', COLOR),
  templates_color_failed: str('Template colour of failed units', COLOR),
  templates_per_column: int('Templates per column', { min: 1 }),
  templates_y_spacing: float('Vertical spacing of templates', GT0),
  templates_y_lim_buffer: float('y-limit headroom', GE0),
  templates_window_ms_before: float('Template window before the peak (ms)', GT0),
  templates_window_ms_after: float('Template window after the peak (ms)', GT0),
  templates_line_ms_before: float('Marker line before the peak (ms)', GE0),
  templates_line_ms_after: float('Marker line after the peak (ms)', GE0),
  templates_x_label: str('Templates x label'),
};

/** `16G`, `500M`, `1.5G`, `2Gi` … (k, M, G, T, P = 1000ⁿ; Ki … Pi = 1024ⁿ). */
export const TOTAL_MEMORY_PATTERN = /^(\d+(\.\d*)?|\.\d+)(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)$/;
/** Suffixes the non-streaming waveform extractor understands. */
export const TOTAL_MEMORY_EXTRACTOR_PATTERN = /^(\d+(\.\d*)?|\.\d+)(k|M|G)$/;

export const EXECUTION_SCHEMA: SectionSpec<ExecutionConfig> = {
  n_jobs: int('Parallel jobs (-1 = all CPUs, 0 = 1)', { min: 0, also: [-1], ...RUNTIME }),
  total_memory: str('Memory budget for chunked writing/extraction', {
    pattern: TOTAL_MEMORY_PATTERN,
    patternHint: 'a positive size such as "16G", "500M" or "2Gi" (suffix k, M, G, T, P, Ki, Mi, Gi, Ti, Pi)',
    ...RUNTIME,
  }),
  use_parallel_processing_for_raw_conversion: bool('Parallel binary writing (false = 1 job, 100G)', RUNTIME),
  save_script: bool('No effect', RUNTIME),
  out_file: str('Per-intermediate-folder append log', { nonEmpty: true, ...RUNTIME }),
  random_seed: int('Seed of the per-batch generator (waveform sampling)', GE0),
  recompute_recording: bool('Redo everything from the binary', REUSE),
  recompute_sorting: bool('Redo the sort', REUSE),
  reextract_waveforms: bool('Redo waveform extraction', REUSE),
  recurate_first: bool('Redo curation', REUSE),
  recurate_second: bool('Redo the second curation group', REUSE),
  recompile_single_recording: bool('Redo compilation', REUSE),
  delete_inter: bool('Remove the intermediate folder after success', RUNTIME),
  host_ram_watchdog: bool('Host-RAM watchdog', GUARD),
  host_ram_warn_pct: float('Host RAM warn level (% used)', { ...PCT, ...GUARD }),
  host_ram_abort_pct: float('Host RAM abort level (% used)', { ...PCT, ...GUARD }),
  host_ram_poll_interval_s: float('Host RAM poll interval (s)', { ...GT0, ...GUARD }),
  preflight: bool('Run preflight checks', GUARD),
  preflight_strict: bool('Preflight warnings become failures', GUARD),
  preflight_min_free_inter_gb: float('Min free disk at the intermediate folders (GB)', { ...GE0, ...GUARD }),
  preflight_min_free_results_gb: float('Min free disk at the results folders (GB)', { ...GE0, ...GUARD }),
  preflight_min_available_ram_gb: float('Min available RAM (GB)', { ...GE0, ...GUARD }),
  preflight_min_free_vram_gb: float('Min free VRAM, all devices (GB)', { ...GE0, ...GUARD }),
  sorter_inactivity_timeout: bool('Sorter log-inactivity watchdog', GUARD),
  sorter_inactivity_base_s: float('Inactivity timeout base (s)', { ...GT0, ...GUARD }),
  sorter_inactivity_per_min_s: float('Inactivity timeout per recording minute (s)', { ...GE0, ...GUARD }),
  sorter_inactivity_max_s: float('Inactivity timeout cap (s); null = no cap', { ...N, ...GT0, ...GUARD }),
  sorter_inactivity_in_process_grace_s: float('Grace before hard stop after an in-process trip (s)', { ...GE0, ...GUARD }),
  oom_retry_max: int('GPU-OOM retries', { ...GE0, ...GUARD }),
  oom_retry_factor: float('GPU-OOM parameter scale factor', { min: 0, minExclusive: true, max: 1, maxExclusive: true, ...GUARD }),
  canary_first_n_s: float('Canary sort window (s); 0 = off', { ...GE0, ...GUARD }),
  canary_min_recording_s: float('Skip the canary below this duration (s)', { ...GE0, ...GUARD }),
  docker_image_expected_digest: str('Expected Docker image digest (warning only)', { ...N, nonEmpty: true, ...GUARD }),
  disk_watchdog: bool('Disk watchdog', GUARD),
  disk_warn_free_gb: float('Disk warn level (GB free)', { ...GE0, ...GUARD }),
  disk_abort_free_gb: float('Disk abort level (GB free)', { ...GE0, ...GUARD }),
  disk_poll_interval_s: float('Disk poll interval (s)', { ...GT0, ...GUARD }),
  io_stall_watchdog: bool('I/O-stall watchdog', GUARD),
  io_stall_s: float('I/O stall tolerance (s)', { ...GT0, ...GUARD }),
  io_stall_poll_interval_s: float('I/O poll interval (s)', { ...GT0, ...GUARD }),
  io_stall_mode: oneOf(['process', 'device'], 'I/O counter source', GUARD),
  io_stall_include_descendants: bool('Count descendant processes\' I/O', GUARD),
  cleanup_temp_files: bool('Sweep sorter temp files after the batch', GUARD),
  prevent_system_sleep: bool('Keep the host awake during the batch', GUARD),
  gpu_watchdog: bool('GPU watchdog', GUARD),
  gpu_warn_pct: float('VRAM warn level (% used)', { ...PCT, ...GUARD }),
  gpu_abort_pct: float('VRAM abort level (% used)', { ...PCT, ...GUARD }),
  gpu_poll_interval_s: float('GPU poll interval (s)', { ...GT0, ...GUARD }),
  gpu_warn_temp_c: float('GPU warn temperature (°C); null disables', { ...N, ...GT0, ...GUARD }),
  gpu_abort_temp_c: float('GPU abort temperature (°C); null disables', { ...N, ...GT0, ...GUARD }),
  gpu_monitor_throttle_reasons: bool('Warn on GPU throttling', GUARD),
  tee_log_policy: oneOf(['keep', 'gzip_on_success', 'delete_on_success'], 'What to do with the tee log after success', GUARD),
  generate_sorting_report: bool('Write sorting_report.md', GUARD),
};

export const CONFIG_SCHEMA = {
  recording: RECORDING_SCHEMA,
  sorter: SORTER_SCHEMA,
  rt_sort: RT_SORT_SCHEMA,
  waveform: WAVEFORM_SCHEMA,
  curation: CURATION_SCHEMA,
  compilation: COMPILATION_SCHEMA,
  figures: FIGURE_SCHEMA,
  execution: EXECUTION_SCHEMA,
} as const;

export const SECTION_NAMES: readonly SectionName[] = [
  'recording',
  'sorter',
  'rt_sort',
  'waveform',
  'curation',
  'compilation',
  'figures',
  'execution',
];

export function isSectionName(name: string): name is SectionName {
  return (SECTION_NAMES as readonly string[]).includes(name);
}

export function sectionFields(section: SectionName): string[] {
  return Object.keys(CONFIG_SCHEMA[section]);
}

export function fieldSpec(section: SectionName, field: string): FieldSpec | undefined {
  const table = CONFIG_SCHEMA[section] as Readonly<Record<string, FieldSpec>>;
  return Object.prototype.hasOwnProperty.call(table, field) ? table[field] : undefined;
}

/** Every field path, in §1.4 order. */
export const FIELD_PATHS: readonly FieldPath[] = SECTION_NAMES.flatMap((s) =>
  sectionFields(s).map((f) => `${s}.${f}` as FieldPath),
);

export function splitPath(path: string): [SectionName, string] {
  const dot = path.indexOf('.');
  const section = path.slice(0, dot);
  if (dot < 0 || !isSectionName(section)) throw new Error(`not a config field path: ${path}`);
  return [section, path.slice(dot + 1)];
}
