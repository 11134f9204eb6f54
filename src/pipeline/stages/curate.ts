/**
 * The two curation stages. First: spike count, firing rate, ISI violations, SNR. Second:
 * std-norm on the first stage's survivors. Together they keep exactly the units the
 * reference's single combined pass keeps (src/curation explains why).
 */
import { join } from 'node:path';
import { curateFirst, curateSecond, UNIT_IDS_FILE, HISTORY_FILE } from '../../curation';
import { npyToNumbers, readNpy } from '../../io/npy';
import { readUnitSet } from '../../waveforms';
import type { UnitSet } from '../../waveforms';
import type { StageContext } from '../../activities/stageRunner';
import { unitSetFolder } from './extract';

export function curatedIdsIn(folder: string): number[] {
  return npyToNumbers(readNpy(join(folder, UNIT_IDS_FILE)));
}

function restrictTo(set: UnitSet, ids: readonly number[]): UnitSet {
  const keep = new Set(ids);
  return { ...set, units: set.units.filter((u) => keep.has(u.unit_id)) };
}

export async function runCurateFirstStage(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const set = readUnitSet(unitSetFolder(ctx.layout));
  // The stage manifest already decided this must run: never answer from curation's own cache.
  const res = curateFirst(set, ctx.config.curation, ctx.layout.curation_first, { force: true });
  ctx.log.info(`first curation: ${set.units.length} -> ${res.curated_ids.length} units`);
  return {
    outputs: [join(ctx.layout.curation_first, UNIT_IDS_FILE), join(ctx.layout.curation_first, HISTORY_FILE)],
    summary: { n_units_before: set.units.length, n_units_after: res.curated_ids.length },
  };
}

export async function runCurateSecondStage(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const set = readUnitSet(unitSetFolder(ctx.layout));
  const survivors = restrictTo(set, curatedIdsIn(ctx.layout.curation_first));
  const res = curateSecond(survivors, ctx.config.curation, ctx.layout.curation_second, { force: true });
  ctx.log.info(`Curation: ${set.units.length} -> ${res.curated_ids.length} units (${set.units.length - res.curated_ids.length} removed)`);
  return {
    outputs: [join(ctx.layout.curation_second, UNIT_IDS_FILE), join(ctx.layout.curation_second, HISTORY_FILE)],
    summary: { n_units_before: survivors.units.length, n_units_after: res.curated_ids.length },
  };
}
