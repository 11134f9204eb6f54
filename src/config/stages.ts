/**
 * Which config fields each pipeline stage depends on. A stage's manifest
 * stores the hash of its view (hash.ts); a change to a field outside every
 * view (reuse flags, guards, parallelism, logging) never invalidates an
 * artefact. Downstream invalidation is carried by the manifests' input
 * fingerprints, so each view lists only the stage's own fields.
 */
import { getField } from './fields';
import { CONFIG_SCHEMA, type FieldSpec } from './schema';
import type { ConfigInput, FieldPath, SectionName } from './types';

export const STAGE_NAMES = ['load', 'sort', 'extract', 'curate_first', 'curate_second', 'compile'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** `{ section: { field: value } }`, sections and fields in schema order. */
export type StageConfigView = Partial<Record<SectionName, Record<string, unknown>>>;

/** The section's fields whose role is `result` (runtime-only fields excluded). */
function resultFields(section: SectionName): FieldPath[] {
  const table = CONFIG_SCHEMA[section] as Readonly<Record<string, FieldSpec>>;
  return Object.entries(table)
    .filter(([, s]) => s.role === 'result')
    .map(([f]) => `${section}.${f}` as FieldPath);
}

const CURATE_FIRST: readonly FieldPath[] = [
  'curation.curate_first',
  'curation.curate_second',
  'curation.curation_epoch',
  'curation.fr_min',
  'curation.isi_viol_max',
  'curation.isi_violation_method',
  'curation.snr_min',
  'curation.spikes_min_first',
  // With the second group on, the first stage's spike-count floor is spikes_min_second (§2.5 parity).
  'curation.spikes_min_second',
];

const CURATE_SECOND: readonly FieldPath[] = [
  'curation.curate_second',
  'curation.curation_epoch',
  'curation.spikes_min_second',
  'curation.std_norm_max',
];

const COMPILE_WAVEFORM: readonly FieldPath[] = [
  'waveform.pos_peak_thresh',
  'waveform.compiled_ms_before',
  'waveform.compiled_ms_after',
  'waveform.scale_compiled_waveforms',
];

/** The field paths stage `stage` depends on, for this config (the sort view depends on the sorter). */
export function stageFieldPaths(config: ConfigInput, stage: StageName): FieldPath[] {
  switch (stage) {
    case 'load':
      return resultFields('recording');
    case 'sort':
      return [
        ...resultFields('recording'),
        ...resultFields('sorter'),
        ...(config.sorter.sorter_name === 'rt_sort' ? resultFields('rt_sort') : []),
      ];
    case 'extract':
      return [...resultFields('waveform'), 'execution.random_seed'];
    case 'curate_first':
      return [...CURATE_FIRST];
    case 'curate_second':
      return [...CURATE_SECOND];
    case 'compile':
      return [...resultFields('compilation'), ...resultFields('figures'), ...COMPILE_WAVEFORM];
  }
}

/** The subset of `config` that stage `stage` depends on (deep copy). */
export function stageConfigView(config: ConfigInput, stage: StageName): StageConfigView {
  const view: StageConfigView = {};
  for (const path of stageFieldPaths(config, stage)) {
    const dot = path.indexOf('.');
    const section = path.slice(0, dot) as SectionName;
    const field = path.slice(dot + 1);
    const value = getField(config, section, field);
    (view[section] ??= {})[field] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
  }
  return view;
}
