/**
 * `spikelab inspect FILE`: what a recording file holds and hints about its data, from a few
 * short windows (src/io/inspect.ts); optionally the electrode layout as SVG. Formatting only.
 */
import { basename, resolve } from 'node:path';
import { type InspectReport, inspectFile } from '../../io/inspect';
import { layoutSvg } from '../../reporting/layoutSvg';
import { writeFileAtomic } from '../../util/fsx';
import { commandOverrides, positiveNumberOption, streamChoiceError, stringFlag } from './recordingFlags';

export interface InspectCliOptions {
  recName?: string;
  sampleS: string;
  svg?: string;
  json?: boolean;
}

export const INSPECT_CONFIG_FLAGS = ['stream_id'] as const;

export async function inspectCommand(file: string, opts: InspectCliOptions, overrides: Record<string, unknown>): Promise<number> {
  const flags = commandOverrides('inspect', overrides, INSPECT_CONFIG_FLAGS);
  const sampleS = positiveNumberOption('--sample-s', opts.sampleS);
  let report: InspectReport;
  try {
    report = await inspectFile(file, { stream_id: stringFlag(flags, 'stream_id'), rec_name: opts.recName ?? null }, { sample_s: sampleS });
  } catch (err) {
    throw streamChoiceError(err);
  }
  let svgPath: string | null = null;
  if (opts.svg !== undefined) {
    svgPath = resolve(opts.svg);
    writeFileAtomic(svgPath, layoutSvgOf(report));
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...report, svg: svgPath }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReport(report).join('\n')}\n`);
    if (svgPath !== null) process.stdout.write(`layout SVG: ${svgPath}\n`);
  }
  return 0;
}

export function layoutSvgOf(report: InspectReport): string {
  const stream = report.stream_id !== null ? ` · ${report.stream_id}` : '';
  return layoutSvg(
    report.channels.map((ch) => ({ id: ch.id, x: ch.x, y: ch.y, electrode: ch.electrode, value: ch.noise_uv, flags: ch.flags })),
    { title: `${basename(report.path)}${stream}`, value_label: 'noise (µV)' },
  );
}

const row = (label: string, value: string): string => `${label.padEnd(12)}${value}`;

function fmt(v: number, digits = 3): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits + 2)));
}

function scaling(s: InspectReport['gain_to_uv'], unit: string): string {
  if (s === null) return 'not reported by the reader';
  return s.uniform ? `${fmt(s.min)} ${unit} (all channels)` : `${fmt(s.min)} … ${fmt(s.max)} ${unit} (per channel)`;
}

function ids(list: readonly string[]): string {
  const shown = list.slice(0, 20).join(', ');
  return list.length > 20 ? `${shown}, … (${list.length - 20} more)` : shown;
}

export function formatReport(r: InspectReport): string[] {
  const details = Object.entries(r.details).filter(([k, v]) => k !== 'frame_gaps_checked' && v !== null).map(([k, v]) => `${k} ${String(v)}`);
  const streams = r.streams.length === 0
    ? (r.stream_id ?? 'n/a')
    : r.streams.map((s) => (s === r.stream_id ? `${s} (shown)` : s)).join(', ');
  const gaps = !r.frame_gaps_checked ? 'not checked (no frame numbers in the file, or the reader does not look)'
    : r.frame_gaps.length === 0 ? 'none'
      : r.frame_gaps.map((g) => `${g.missing_frames} missing after frame ${g.after_frame}`).join('; ');
  const w = r.sample.windows;
  const winLen = w.length > 0 ? (w[0].end_frame - w[0].start_frame) / r.sampling_frequency : 0;
  const lines = [
    row('file', r.path),
    row('format', r.format),
    ...(details.length > 0 ? [row('details', details.join(', '))] : []),
    row('streams', `${streams}${r.stream_note !== null ? `; shown: ${r.stream_note}, choose with --stream-id` : ''}`),
    row('channels', String(r.num_channels)),
    row('sampling', `${fmt(r.sampling_frequency)} Hz`),
    row('frames', `${r.num_frames} (${fmt(r.duration_s, 4)} s)`),
    row('dtype', r.dtype),
    row('gain', scaling(r.gain_to_uv, 'µV per unit')),
    row('offset', scaling(r.offset_to_uv, 'µV')),
    row('frame gaps', gaps),
    row('sampled', `${w.length} window${w.length === 1 ? '' : 's'} of ${fmt(winLen)} s = ${fmt(r.sample.seconds)} s (${(r.sample.fraction_of_recording * 100).toFixed(1)} % of the recording)`),
  ];
  if (r.source_info_from === 'inspect') lines.push(row('', '(this reader does not report its dtype, scaling or streams)'));
  const h = r.hints;
  lines.push('hints');
  lines.push(`  flat channels: ${h.flat.length === 0 ? 'none' : `${h.flat.length}: ${ids(h.flat)}`}`);
  lines.push(`    rule: ${h.flat_rule}`);
  if (h.saturated_rule !== null) {
    const sat = h.saturated.map((s) => `${s.channel_id} (${(s.fraction * 100).toFixed(2)} %)`);
    lines.push(`  saturated channels: ${sat.length === 0 ? 'none' : `${sat.length}: ${ids(sat)}`}`);
    lines.push(`    rule: ${h.saturated_rule}`);
  }
  const nf = h.non_finite.map((n) => `${n.channel_id} (${n.count})`);
  lines.push(`  NaN / inf samples: ${nf.length === 0 ? 'none' : `${nf.length} channels: ${ids(nf)}`}`);
  const noisy = h.noisiest.map((n) => `${n.channel_id} ${n.noise_uv.toFixed(1)} µV${n.ratio_to_median !== null ? ` (${n.ratio_to_median.toFixed(1)}×)` : ''}`);
  lines.push(`  noisiest channels: ${noisy.length === 0 ? 'n/a' : noisy.join(', ')}`);
  lines.push(`    median noise over channels: ${h.median_noise_uv === null ? 'n/a' : `${h.median_noise_uv.toFixed(2)} µV`}; ${h.noise_method}`);
  for (const n of h.notes) lines.push(`  note: ${n}`);
  return lines;
}
