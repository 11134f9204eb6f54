/**
 * What a sorter backend hands to the rest of the pipeline: the sorting as read from its
 * output folder (Phy layout), in frames of the sorted recording.
 */
export interface SorterTemplates {
  /** Indexed by cluster id: shape [max_cluster_id + 1, n_samples, n_template_channels], C order. */
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
}

export interface Sorting {
  readonly sampling_frequency: number;
  /** Unit (cluster) ids with ≥ 1 spike, in the cluster table's order. */
  readonly unit_ids: readonly number[];
  /** Spike frames per unit, ascending, parallel to `unit_ids`. */
  readonly spike_trains: readonly Float64Array[];
  /** The sorter's templates (used to choose each unit's peak channel), or null when absent. */
  readonly templates: SorterTemplates | null;
  /** Template channel index → recording channel index; null means identity. */
  readonly channel_map: Int32Array | null;
  /** Sorter label per unit where the sorter gives one (KSLabel: good / mua). */
  readonly labels: readonly (string | null)[];
}
