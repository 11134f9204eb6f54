/**
 * Extraction-specific failure. Named `OutOfMemoryError` on purpose: the status mapping
 * (src/errors/status.ts) turns that type name into `oom_memoryerror`, the status the
 * reference reports for its density guard (waveforms_curation §1.5).
 */
export class OutOfMemoryError extends Error {
  readonly attributes: { readonly size_gb: number; readonly max_unit_id: number; readonly n_units: number };

  constructor(message: string, attrs: { size_gb: number; max_unit_id: number; n_units: number }) {
    super(message);
    this.name = 'OutOfMemoryError';
    this.attributes = attrs;
  }
}
