/**
 * Typed configuration of the sorting pipeline (spec pipeline.md §1).
 *
 * Field names are snake_case on purpose: they are the user vocabulary of the
 * JSON config files, the flat keyword overrides and the CLI flags. The exact
 * defaults live in `defaults.ts`; the per-field rules (type, range, role) in
 * `schema.ts`.
 */

export type SorterName = 'kilosort2' | 'kilosort4' | 'rt_sort';
export type RTSortProbe = 'mea' | 'neuropixels';
export type IsiViolationMethod = 'percent' | 'hill';
export type IoStallMode = 'process' | 'device';
export type TeeLogPolicy = 'keep' | 'gzip_on_success' | 'delete_on_success';

/** Frame or time range `[start, end)`. */
export type Range = [number, number];

export interface RecordingConfig {
  stream_id: string | null;
  hdf5_plugin_path: string | null;
  first_n_mins: number | null;
  mea_y_max: number | null;
  gain_to_uv: number | null;
  offset_to_uv: number | null;
  rec_chunks: Range[];
  rec_chunks_s: Range[];
  start_time_s: number | null;
  end_time_s: number | null;
  freq_min: number;
  freq_max: number;
}

export interface SorterConfig {
  sorter_name: SorterName;
  sorter_path: string | null;
  sorter_params: Record<string, unknown> | null;
  /** false/true, or a Docker image name. */
  use_docker: boolean | string;
}

export interface RTSortConfig {
  model_path: string | null;
  probe: RTSortProbe;
  device: string;
  num_processes: number | null;
  recording_window_ms: Range | null;
  save_rt_sort_pickle: boolean;
  delete_inter: boolean;
  verbose: boolean;
  params: Record<string, unknown> | null;
  detection_window_s: number | null;
}

export interface WaveformConfig {
  ms_before: number;
  ms_after: number;
  pos_peak_thresh: number;
  max_waveforms_per_unit: number | null;
  compiled_ms_before: number;
  compiled_ms_after: number;
  scale_compiled_waveforms: boolean;
  std_at_peak: boolean;
  std_over_window_ms_before: number;
  std_over_window_ms_after: number;
  streaming: boolean;
  save_waveform_files: boolean;
}

export interface CurationConfig {
  curate_first: boolean;
  curate_second: boolean;
  curation_epoch: number | null;
  fr_min: number | null;
  isi_viol_max: number | null;
  isi_violation_method: IsiViolationMethod;
  snr_min: number | null;
  spikes_min_first: number | null;
  spikes_min_second: number | null;
  std_norm_max: number | null;
}

export interface CompilationConfig {
  compile_single_recording: boolean;
  compile_to_mat: boolean;
  compile_to_npz: boolean;
  compile_waveforms: boolean;
  save_electrodes: boolean;
  save_spike_times: boolean;
  save_raw_pkl: boolean;
  save_dl_data: boolean;
  include_failed_units: boolean;
}

export interface FigureConfig {
  create_figures: boolean;
  create_unit_figures: boolean;
  dpi: number | null;
  font_size: number;
  bar_x_label: string;
  bar_y_label: string;
  bar_label_rotation: number;
  bar_total_label: string;
  bar_selected_label: string;
  scatter_std_max_units_per_recording: number | null;
  scatter_recording_colors: string[];
  scatter_recording_alpha: number;
  scatter_x_label: string;
  scatter_y_label: string;
  scatter_x_max_buffer: number;
  scatter_y_max_buffer: number;
  templates_color_curated: string;
  templates_color_failed: string;
  templates_per_column: number;
  templates_y_spacing: number;
  templates_y_lim_buffer: number;
  templates_window_ms_before: number;
  templates_window_ms_after: number;
  templates_line_ms_before: number;
  templates_line_ms_after: number;
  templates_x_label: string;
}

export interface ExecutionConfig {
  n_jobs: number;
  total_memory: string;
  use_parallel_processing_for_raw_conversion: boolean;
  save_script: boolean;
  out_file: string;
  random_seed: number;
  recompute_recording: boolean;
  recompute_sorting: boolean;
  reextract_waveforms: boolean;
  recurate_first: boolean;
  recurate_second: boolean;
  recompile_single_recording: boolean;
  delete_inter: boolean;
  host_ram_watchdog: boolean;
  host_ram_warn_pct: number;
  host_ram_abort_pct: number;
  host_ram_poll_interval_s: number;
  preflight: boolean;
  preflight_strict: boolean;
  preflight_min_free_inter_gb: number;
  preflight_min_free_results_gb: number;
  preflight_min_available_ram_gb: number;
  preflight_min_free_vram_gb: number;
  sorter_inactivity_timeout: boolean;
  sorter_inactivity_base_s: number;
  sorter_inactivity_per_min_s: number;
  sorter_inactivity_max_s: number | null;
  sorter_inactivity_in_process_grace_s: number;
  oom_retry_max: number;
  oom_retry_factor: number;
  canary_first_n_s: number;
  canary_min_recording_s: number;
  docker_image_expected_digest: string | null;
  disk_watchdog: boolean;
  disk_warn_free_gb: number;
  disk_abort_free_gb: number;
  disk_poll_interval_s: number;
  io_stall_watchdog: boolean;
  io_stall_s: number;
  io_stall_poll_interval_s: number;
  io_stall_mode: IoStallMode;
  io_stall_include_descendants: boolean;
  cleanup_temp_files: boolean;
  prevent_system_sleep: boolean;
  gpu_watchdog: boolean;
  gpu_warn_pct: number;
  gpu_abort_pct: number;
  gpu_poll_interval_s: number;
  gpu_warn_temp_c: number | null;
  gpu_abort_temp_c: number | null;
  gpu_monitor_throttle_reasons: boolean;
  tee_log_policy: TeeLogPolicy;
  generate_sorting_report: boolean;
}

export interface SortingPipelineConfig {
  recording: RecordingConfig;
  sorter: SorterConfig;
  rt_sort: RTSortConfig;
  waveform: WaveformConfig;
  curation: CurationConfig;
  compilation: CompilationConfig;
  figures: FigureConfig;
  execution: ExecutionConfig;
}

export type SectionName = keyof SortingPipelineConfig;
export type FieldName<S extends SectionName> = keyof SortingPipelineConfig[S] & string;
/** `"section.field"`, e.g. `"recording.freq_max"`. */
export type FieldPath = { [S in SectionName]: `${S}.${FieldName<S>}` }[SectionName];

export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What every function that only reads a config accepts (presets are frozen). */
export type ConfigInput = DeepReadonly<SortingPipelineConfig>;

/** A partial nested config: `{ curation: { snr_min: 3 } }`. */
export type NestedOverrides = { [S in SectionName]?: Partial<SortingPipelineConfig[S]> };
