/**
 * `<inter>/curation/initial/{unit_ids,spike_times,spike_clusters}.npy` (waveforms_curation
 * §1.9): the sorting as the sorter delivered it, before recentring. Kept for layout
 * parity and for inspection; reloading uses the recentred trains stored with the
 * waveforms instead (§1.8 fix), so a reused run reports the same trains as a fresh one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Sorting } from '../backends/types';
import { writeFileAtomic } from '../util/fsx';
import { encodeInt64 } from './npy-files';

export function writeInitialSorting(sorting: Pick<Sorting, 'unit_ids' | 'spike_trains'>, folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  const spikes: { t: number; c: number }[] = [];
  sorting.unit_ids.forEach((id, i) => {
    for (const t of sorting.spike_trains[i]) spikes.push({ t, c: id });
  });
  // Flat arrays in time order, as a Phy spike_times.npy is (stable for equal times).
  spikes.sort((a, b) => a.t - b.t);
  const files = [join(folder, 'unit_ids.npy'), join(folder, 'spike_times.npy'), join(folder, 'spike_clusters.npy')];
  writeFileAtomic(files[0], encodeInt64(sorting.unit_ids));
  writeFileAtomic(files[1], encodeInt64(spikes.map((s) => s.t)));
  writeFileAtomic(files[2], encodeInt64(spikes.map((s) => s.c)));
  return files;
}
