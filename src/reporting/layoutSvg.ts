/**
 * Electrode layout as a standalone SVG: one circle per channel at its probe (x, y) in µm,
 * coloured by a value (noise) or by a flag, the channel facts as a hover title, a µm scale
 * bar and a colour legend. Circles are placed in probe coordinates inside one transformed
 * group (y up, as probe plots draw it), so the file itself records the true positions.
 */

export type LayoutFlag = 'flat' | 'saturated' | 'non_finite';

export interface LayoutChannel {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly electrode?: number | null;
  /** Colour value (e.g. noise in µV); null = none. */
  readonly value: number | null;
  readonly flags: readonly LayoutFlag[];
}

export interface LayoutSvgOptions {
  readonly title?: string;
  /** Legend label of the colour value; default `noise (µV)`. */
  readonly value_label?: string;
  /** Longest side of the electrode area in px; default 640. */
  readonly size_px?: number;
}

/** Flag colours win over the value colour; the first flag in this order decides. */
export const FLAG_STYLE: Readonly<Record<LayoutFlag, { fill: string; label: string }>> = {
  non_finite: { fill: '#e7298a', label: 'NaN / inf samples' },
  saturated: { fill: '#d62728', label: 'saturated' },
  flat: { fill: '#9e9e9e', label: 'flat' },
};
const FLAG_ORDER: readonly LayoutFlag[] = ['non_finite', 'saturated', 'flat'];
const NO_VALUE_FILL = '#ffffff';

/** Viridis at 5 stops: perceptually even, readable in grey scale. */
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

const MARGIN = 24;
const HEADER = 44;
const FOOTER = 84;
/** Room the footer (scale bar, colour bar, flag swatches) needs. */
const FOOTER_W = 560;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch);
}

/** Shortest decimal that round-trips, so coordinates in the file equal the probe's. */
const num = (v: number): string => String(v);
const px = (v: number): string => String(Math.round(v * 100) / 100);

export function layoutSvg(channels: readonly LayoutChannel[], opts: LayoutSvgOptions = {}): string {
  for (const ch of channels) {
    if (!Number.isFinite(ch.x) || !Number.isFinite(ch.y)) throw new RangeError(`layoutSvg: channel ${ch.id} has a non-finite location (${ch.x}, ${ch.y})`);
  }
  const size = opts.size_px ?? 640;
  const r = markerRadius(channels);
  const xs = channels.map((c) => c.x);
  const ys = channels.map((c) => c.y);
  const xmin = channels.length > 0 ? Math.min(...xs) - r : -r;
  const xmax = channels.length > 0 ? Math.max(...xs) + r : r;
  const ymin = channels.length > 0 ? Math.min(...ys) - r : -r;
  const ymax = channels.length > 0 ? Math.max(...ys) + r : r;
  const scale = size / Math.max(xmax - xmin, ymax - ymin);
  const plotW = (xmax - xmin) * scale;
  const plotH = (ymax - ymin) * scale;
  const width = MARGIN * 2 + Math.max(plotW, FOOTER_W);
  const height = HEADER + plotH + FOOTER;
  // Screen x = tx + s·x, screen y = ty − s·y: the probe's y axis points up.
  const tx = MARGIN - xmin * scale;
  const ty = HEADER + ymax * scale;

  const values = channels.filter((c) => c.flags.length === 0 && c.value !== null && Number.isFinite(c.value)).map((c) => c.value as number);
  const [vmin, vmax] = colourRange(values);
  const fillOf = (c: LayoutChannel): string => {
    const flag = FLAG_ORDER.find((f) => c.flags.includes(f));
    if (flag !== undefined) return FLAG_STYLE[flag].fill;
    if (c.value === null || !Number.isFinite(c.value)) return NO_VALUE_FILL;
    return viridis(vmax > vmin ? (c.value - vmin) / (vmax - vmin) : 0.5);
  };
  const valueLabel = opts.value_label ?? 'noise (µV)';

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="sans-serif" font-size="12">`);
  out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
  if (opts.title !== undefined) out.push(`<text x="${MARGIN}" y="18" font-size="14" font-weight="bold">${escapeXml(opts.title)}</text>`);
  out.push(`<text x="${MARGIN}" y="36" fill="#444">${channels.length} channels; colour: ${escapeXml(valueLabel)} or flag; hover a circle for its channel</text>`);
  out.push(`<g id="electrodes" transform="translate(${px(tx)} ${px(ty)}) scale(${scale} ${-scale})">`);
  for (const c of channels) {
    const facts = [`channel ${c.id}`];
    if (c.electrode != null) facts.push(`electrode ${c.electrode}`);
    facts.push(`x ${num(c.x)} µm, y ${num(c.y)} µm`);
    if (c.value !== null && Number.isFinite(c.value)) facts.push(`${valueLabel} ${c.value.toFixed(2)}`);
    if (c.flags.length > 0) facts.push(c.flags.map((f) => FLAG_STYLE[f].label).join(', '));
    out.push(
      `<circle cx="${num(c.x)}" cy="${num(c.y)}" r="${num(r)}" fill="${fillOf(c)}" stroke="#333333" stroke-width="0.75" vector-effect="non-scaling-stroke" ` +
        `data-channel-id="${escapeXml(c.id)}" data-flags="${c.flags.join(' ')}"><title>${escapeXml(facts.join(' · '))}</title></circle>`,
    );
  }
  out.push('</g>');
  const footerY = HEADER + plotH + 20;
  out.push(...scaleBar(scale, MARGIN, footerY + 5));
  out.push(...legend(valueLabel, values.length > 0 ? [vmin, vmax] : null, MARGIN + 160, footerY));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * Colour range of the values: from 0 (or the minimum, if negative) to at least twice the
 * median, so a layout of similar channels looks uniform and only real outliers stand out,
 * instead of stretching the palette over a few tenths of a µV.
 */
export function colourRange(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const lo = Math.min(0, sorted[0]);
  const hi = Math.max(sorted[n - 1], 2 * median);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** 40 % of the closest spacing between distinct electrodes, so neighbours never touch. */
function markerRadius(channels: readonly LayoutChannel[]): number {
  let best = Infinity;
  for (let i = 0; i < channels.length; i++) {
    for (let j = i + 1; j < channels.length; j++) {
      const d = Math.hypot(channels[i].x - channels[j].x, channels[i].y - channels[j].y);
      if (d > 0 && d < best) best = d;
    }
  }
  return Number.isFinite(best) ? 0.4 * best : 5;
}

/** Drawn length the scale bar aims at, px. */
const SCALE_BAR_PX = 100;

/** The largest 1, 2 or 5 × 10ᵏ not above `target` (a round scale-bar length in µm). */
export function niceLength(target: number): number {
  if (!(target > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(target));
  const m = target / p;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

function scaleBar(scale: number, x: number, y: number): string[] {
  const len = niceLength(SCALE_BAR_PX / scale);
  const w = len * scale;
  return [
    `<g id="scale-bar" data-length-um="${num(len)}">`,
    `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + w)}" y2="${px(y)}" stroke="#000000" stroke-width="3"/>`,
    `<text x="${px(x)}" y="${px(y + 16)}">${num(len)} µm</text>`,
    '</g>',
  ];
}

function legend(label: string, range: readonly [number, number] | null, x: number, y: number): string[] {
  const out = ['<g id="legend">'];
  const barW = 120;
  if (range !== null) {
    out.push('<defs><linearGradient id="value-scale">');
    VIRIDIS.forEach((c, i) => out.push(`<stop offset="${(i / (VIRIDIS.length - 1)) * 100}%" stop-color="${c}"/>`));
    out.push('</linearGradient></defs>');
    out.push(`<rect x="${px(x)}" y="${px(y)}" width="${barW}" height="10" fill="url(#value-scale)" stroke="#333333" stroke-width="0.5"/>`);
    out.push(`<text x="${px(x)}" y="${px(y + 24)}">${range[0].toFixed(1)}</text>`);
    out.push(`<text x="${px(x + barW)}" y="${px(y + 24)}" text-anchor="end">${range[1].toFixed(1)}</text>`);
    out.push(`<text x="${px(x + barW + 8)}" y="${px(y + 10)}">${escapeXml(label)}</text>`);
  }
  // Swatches are squares, so every circle in the file is a channel.
  FLAG_ORDER.forEach((f, i) => {
    const fx = MARGIN + i * 140;
    out.push(`<rect x="${px(fx)}" y="${px(y + 40)}" width="10" height="10" fill="${FLAG_STYLE[f].fill}" stroke="#333333" stroke-width="0.75"/>`);
    out.push(`<text x="${px(fx + 14)}" y="${px(y + 49)}">${escapeXml(FLAG_STYLE[f].label)}</text>`);
  });
  out.push(`<rect x="${px(MARGIN + 3 * 140)}" y="${px(y + 40)}" width="10" height="10" fill="${NO_VALUE_FILL}" stroke="#333333" stroke-width="0.75"/>`);
  out.push(`<text x="${px(MARGIN + 3 * 140 + 14)}" y="${px(y + 49)}">no value</text>`);
  out.push('</g>');
  return out;
}

function viridis(t: number): string {
  const u = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = hex(VIRIDIS[i]);
  const b = hex(VIRIDIS[i + 1]);
  const mix = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `#${mix.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
}
