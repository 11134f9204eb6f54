/**
 * Where each unit's peak-channel template comes from (§1.2): the sorter's templates.npy,
 * indexed by cluster id. The reference crashes on ids past that array (clusters created
 * by merges in Phy) and has nothing when the sorter wrote no templates; we fall back to a
 * template averaged from the recording over the unit's own spikes, on the recording's
 * channels (identity channel map).
 */
import type { Sorting } from '../backends/types';
import type { Recording } from '../io/recording';
import type { ExtractionWindow } from './params';
import type { TemplateView } from './peak-channel';

/** Spikes averaged by the fallback: enough for a stable peak, cheap to read. */
const FALLBACK_MAX_SPIKES = 100;

export interface UnitTemplateSource {
  readonly template: TemplateView;
  /** null = the template's channels are the recording's channels. */
  readonly channel_map: Int32Array | null;
  readonly from_sorter: boolean;
}

export function sorterTemplate(sorting: Sorting, unitId: number): TemplateView | null {
  const tpl = sorting.templates;
  if (tpl === null) return null;
  const [n, T, C] = tpl.shape;
  if (!Number.isInteger(unitId) || unitId < 0 || unitId >= n) return null;
  const size = T * C;
  return { data: tpl.data.subarray(unitId * size, (unitId + 1) * size), samples: T, channels: C };
}

/**
 * Mean of up to FALLBACK_MAX_SPIKES windows [t − nbefore, t + nafter), spikes spread evenly
 * over the train (deterministic: no generator involved). Spikes whose window leaves the
 * recording are skipped; with none left the template is all zeros (→ positive, hw 0).
 */
export function templateFromRecording(rec: Recording, train: ArrayLike<number>, win: ExtractionWindow): TemplateView {
  const C = rec.num_channels;
  const sum = new Float64Array(win.nsamples * C);
  const usable: number[] = [];
  for (let i = 0; i < train.length; i++) {
    const t = Math.round(Number(train[i]));
    if (t - win.nbefore >= 0 && t + win.nafter <= rec.num_frames) usable.push(t);
  }
  const count = Math.min(usable.length, FALLBACK_MAX_SPIKES);
  for (let j = 0; j < count; j++) {
    const t = usable[Math.floor((j * usable.length) / count)];
    const block = rec.getTraces(t - win.nbefore, t + win.nafter);
    for (let i = 0; i < block.length; i++) sum[i] += block[i];
  }
  const data = new Float32Array(sum.length);
  if (count > 0) for (let i = 0; i < sum.length; i++) data[i] = sum[i] / count;
  return { data, samples: win.nsamples, channels: C };
}

export function unitTemplateSource(rec: Recording, sorting: Sorting, unitId: number, train: ArrayLike<number>, win: ExtractionWindow): UnitTemplateSource {
  const fromSorter = sorterTemplate(sorting, unitId);
  if (fromSorter !== null) return { template: fromSorter, channel_map: sorting.channel_map, from_sorter: true };
  return { template: templateFromRecording(rec, train, win), channel_map: null, from_sorter: false };
}
