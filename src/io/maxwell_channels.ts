/**
 * Maxwell channel table: which raw row carries which mapping row (pipeline spec §3.2).
 * Pure (no HDF5), so the pairing rules are unit-testable on their own.
 */
import { InvalidRecordingError } from '../errors';

export interface MaxwellMappingRow {
  /** Routed amplifier channel; negative = electrode not routed. */
  channel: number;
  electrode: number;
  /** µm */
  x: number;
  /** µm */
  y: number;
}

export interface MaxwellChannel extends MaxwellMappingRow {
  /** Row of the raw (channels × samples) dataset holding this channel's samples. */
  row: number;
}

export type MaxwellLayoutKind = 'legacy' | 'current';

/**
 * Pairs channels with raw rows.
 * - current layout with `groups/routed/channels`: one channel per raw row in raw-row order,
 *   each looked up in the mapping by channel number (first occurrence wins for duplicated
 *   rows). This equals the extractor path for well-formed files (mapping in raw-row order)
 *   and stays correct when the mapping is reordered or has duplicates.
 * - current layout without it: the i-th mapping row with channel ≥ 0 is raw row i, so the
 *   counts must match (the extractor path fails otherwise).
 * - legacy MaxOne: `/sig` rows are indexed by channel number; only the first `channel_rows`
 *   rows carry channels (the rows after them are status rows: frame number, …).
 */
export function resolveMaxwellChannels(args: {
  path: string;
  kind: MaxwellLayoutKind;
  mapping: readonly MaxwellMappingRow[];
  raw_rows: number;
  /** Legacy: how many leading raw rows are amplifier channels (default: all). */
  channel_rows?: number;
  routed_channels: readonly number[] | null;
  raw_path: string;
}): MaxwellChannel[] {
  const { path, kind, mapping, raw_rows, routed_channels, raw_path } = args;
  const channelRows = args.channel_rows ?? raw_rows;
  const routedRows = mapping.filter((m) => m.channel >= 0);
  const firstByChannel = new Map<number, MaxwellMappingRow>();
  for (const m of routedRows) if (!firstByChannel.has(m.channel)) firstByChannel.set(m.channel, m);

  if (kind === 'legacy') {
    return [...firstByChannel.values()].map((m) => {
      if (m.channel >= channelRows) {
        const rows = channelRows === raw_rows ? `${raw_rows} rows` : `${raw_rows} rows, of which the first ${channelRows} are channels`;
        throw new InvalidRecordingError(
          `${path}: mapping channel ${m.channel} has no row in ${raw_path} (${rows})`,
          { path, field: 'mapping.channel', expected: `channel < ${channelRows}` },
        );
      }
      return { ...m, row: m.channel };
    });
  }

  if (routed_channels !== null) {
    if (routed_channels.length !== raw_rows) {
      throw new InvalidRecordingError(
        `${path}: groups/routed/channels lists ${routed_channels.length} channels but ${raw_path} has ${raw_rows} rows`,
        { path, field: 'groups/routed/channels', expected: `${raw_rows} entries (one per raw row)` },
      );
    }
    return routed_channels.map((channel, row) => {
      const m = firstByChannel.get(channel);
      if (m === undefined) {
        throw new InvalidRecordingError(
          `${path}: routed channel ${channel} (raw row ${row}) has no row in settings/mapping`,
          { path, field: 'settings/mapping', expected: 'one mapping row per routed channel' },
        );
      }
      return { ...m, row };
    });
  }

  if (routedRows.length !== raw_rows) {
    throw new InvalidRecordingError(
      `${path}: settings/mapping has ${routedRows.length} rows with channel ≥ 0 but ${raw_path} has ${raw_rows} rows ` +
        '(without groups/routed/channels they are paired by position)',
      { path, field: 'settings/mapping', expected: `${raw_rows} routed mapping rows` },
    );
  }
  if (firstByChannel.size !== routedRows.length) {
    throw new InvalidRecordingError(
      `${path}: settings/mapping repeats channel numbers and the file has no groups/routed/channels to disambiguate them`,
      { path, field: 'settings/mapping', expected: 'unique channel numbers' },
    );
  }
  return routedRows.map((m, row) => ({ ...m, row }));
}

/** A 1-element settings value and whether it was stored as float32. */
export interface MaxwellSetting {
  value: number;
  float32: boolean;
}

export type MaxwellGainSource = 'lsb' | 'gain' | 'default';

/**
 * µV per bit (spec §3.2): lsb × 10⁶, else 3.3 / (1024 × gain) × 10⁶ with gain 512 by default.
 * A float32 setting is computed in float32, as numpy (NEP 50) does for the reference reader's
 * `settings["lsb"][0] * 1e6`, so both readers scale by the very same number.
 */
export function maxwellGainToUv(lsb: MaxwellSetting | null, gain: MaxwellSetting | null): { gain_to_uv: number; source: MaxwellGainSource } {
  const f = Math.fround;
  if (lsb !== null) return { gain_to_uv: lsb.float32 ? f(lsb.value * 1e6) : lsb.value * 1e6, source: 'lsb' };
  if (gain === null) return { gain_to_uv: (3.3 / (1024 * 512)) * 1e6, source: 'default' };
  const g = gain.value;
  const uv = gain.float32 ? f(f(f(3.3) / f(1024 * g)) * 1e6) : (3.3 / (1024 * g)) * 1e6;
  return { gain_to_uv: uv, source: 'gain' };
}
