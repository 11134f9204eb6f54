/**
 * The waveform settings this module reads, and the window arithmetic shared by
 * extraction, metrics and compilation (waveforms_curation §1.3, §2.2).
 *
 * The interfaces are structural on purpose: the full `waveform` config section (plus
 * `execution.random_seed`, and optionally `n_jobs` / `total_memory` for the parameters
 * file) is assignable to them without this module importing the config package.
 */

export interface WaveformParams {
  readonly ms_before: number;
  readonly ms_after: number;
  readonly pos_peak_thresh: number;
  /** null → every spike is used and none is dropped at the edges (§1.4). */
  readonly max_waveforms_per_unit: number | null;
  readonly save_waveform_files: boolean;
  /** We always stream; false only forces the waveform files on (the chunked path always wrote them). */
  readonly streaming?: boolean;
  /** `execution.random_seed`: seeds the per-unit spike sampling. */
  readonly random_seed: number;
  /** Recorded in `extraction_parameters.json` only (no parallel path here). */
  readonly n_jobs?: number | null;
  readonly total_memory?: string | null;
}

export interface MetricsParams {
  readonly compiled_ms_before: number;
  readonly compiled_ms_after: number;
  readonly std_at_peak: boolean;
  readonly std_over_window_ms_before: number;
  readonly std_over_window_ms_after: number;
  /**
   * false would divide templates by the source gain. Recordings reach us already in µV
   * (gain 1, offset 0), so the conversion is the identity and the flag has no effect.
   */
  readonly scale_compiled_waveforms?: boolean;
}

/** "ms→samples" of the spec: truncation, never rounding. */
export function msToSamples(ms: number, fs: number): number {
  return Math.trunc((ms * fs) / 1000);
}

export interface ExtractionWindow {
  readonly nbefore: number;
  readonly nafter: number;
  readonly nsamples: number;
  /** Row of the spike sample inside a waveform / template (equal to nbefore). */
  readonly peak_ind: number;
}

export function extractionWindow(msBefore: number, msAfter: number, fs: number): ExtractionWindow {
  const nbefore = msToSamples(msBefore, fs);
  const nafter = msToSamples(msAfter, fs) + 1;
  return { nbefore, nafter, nsamples: nbefore + nafter, peak_ind: msToSamples(msBefore, fs) };
}

/** Rows [start, end) of the full template that form `template_windowed`. */
export interface CompiledWindow {
  readonly nb_c: number;
  readonly na_c: number;
  readonly start: number;
  readonly end: number;
}

export class WaveformWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaveformWindowError';
  }
}

/**
 * The compiled window must lie inside the extraction window. The reference slices with a
 * negative start there and silently returns a wrapped or empty template (§2.2 quirk); we
 * refuse instead.
 */
export function compiledWindow(params: Pick<MetricsParams, 'compiled_ms_before' | 'compiled_ms_after'>, win: ExtractionWindow, fs: number): CompiledWindow {
  const nb_c = msToSamples(params.compiled_ms_before, fs);
  const na_c = msToSamples(params.compiled_ms_after, fs) + 1;
  const start = win.peak_ind - nb_c;
  const end = win.peak_ind + na_c;
  if (nb_c < 0 || na_c < 1 || start < 0 || end > win.nsamples) {
    throw new WaveformWindowError(
      `compiled window (${params.compiled_ms_before} ms before, ${params.compiled_ms_after} ms after → rows [${start}, ${end})) ` +
        `must lie inside the extraction window of ${win.nsamples} samples (peak at ${win.peak_ind})`,
    );
  }
  return { nb_c, na_c, start, end };
}
