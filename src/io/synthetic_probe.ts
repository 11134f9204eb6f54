/**
 * Electrode layout of synthetic MaxOne recordings: a small block of the MaxOne grid
 * (220 × 120 electrodes, 17.5 µm pitch) routed to scattered amplifier channels, listed in
 * raw-row order (ascending channel number, as MaxLab writes them). Scattering the channel
 * numbers makes tests notice any reader that confuses row index, channel and electrode.
 */
import type { MaxwellMappingRow } from './maxwell_channels';

export const MAXWELL_PITCH_UM = 17.5;
const GRID_COLUMNS = 220;
const MAX_ROUTED_CHANNELS = 1024;
/** Where the block sits on the chip (arbitrary, away from the edges). */
const ORIGIN_COLUMN = 100;
const ORIGIN_ROW = 50;

export function syntheticProbe(numChannels: number): MaxwellMappingRow[] {
  if (!Number.isInteger(numChannels) || numChannels < 1 || numChannels > MAX_ROUTED_CHANNELS) {
    throw new RangeError(`num_channels must be an integer in [1, ${MAX_ROUTED_CHANNELS}], got ${numChannels}`);
  }
  // Small probes are a routed strip two electrodes wide (the 32-channel default is 2 × 16):
  // long enough along y for several well separated units. Larger ones become wider blocks.
  const cols = numChannels <= 64 ? 2 : Math.ceil(Math.sqrt(numChannels / 2));
  const rows: MaxwellMappingRow[] = [];
  for (let k = 0; k < numChannels; k++) {
    const col = ORIGIN_COLUMN + (k % cols);
    const row = ORIGIN_ROW + Math.floor(k / cols);
    rows.push({
      // 37 is coprime with 1024, so k ↦ (37k + 5) mod 1024 never repeats a channel.
      channel: (37 * k + 5) % MAX_ROUTED_CHANNELS,
      electrode: row * GRID_COLUMNS + col,
      x: col * MAXWELL_PITCH_UM,
      y: row * MAXWELL_PITCH_UM,
    });
  }
  return rows.sort((a, b) => a.channel - b.channel);
}
