/**
 * The layout SVG read back by an independent XML parser (Python's xml.etree): well-formed,
 * exactly one circle per channel at its probe coordinates, y pointing up on screen, ids
 * escaped, flag and value colours, and a scale bar whose drawn length matches its label.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAG_STYLE, type LayoutChannel, colourRange, layoutSvg, niceLength } from '../../src/reporting/layoutSvg';
import { makeTempDir, runPythonCode } from '../io/python';

interface Parsed {
  circles: { id: string; cx: number; cy: number; r: number; fill: string; flags: string; title: string }[];
  n_all_circles: number;
  transform: string;
  scale_bar: { length_um: number; x1: number; x2: number; text: string };
}

/** Parses the SVG with xml.etree (raises on malformed XML) and returns what the tests check. */
function parseSvg(svg: string): Parsed {
  const code = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read().encode("utf-8"))
ns = {"s": "http://www.w3.org/2000/svg"}
g = root.find("s:g[@id='electrodes']", ns)
circles = [dict(id=c.get("data-channel-id"), cx=float(c.get("cx")), cy=float(c.get("cy")), r=float(c.get("r")),
                fill=c.get("fill"), flags=c.get("data-flags"), title=c.find("s:title", ns).text) for c in g.findall("s:circle", ns)]
bar = root.find("s:g[@id='scale-bar']", ns)
line = bar.find("s:line", ns)
print(json.dumps(dict(circles=circles, n_all_circles=len(root.findall(".//s:circle", ns)), transform=g.get("transform"),
  scale_bar=dict(length_um=float(bar.get("data-length-um")), x1=float(line.get("x1")), x2=float(line.get("x2")), text=bar.find("s:text", ns).text))))
`;
  return JSON.parse(runPythonWithInput(code, svg)) as Parsed;
}

/** runPythonCode passes arguments, not stdin: the document goes over as a file. */
function runPythonWithInput(code: string, input: string): string {
  const tmp = makeTempDir('svg');
  try {
    const file = join(tmp.dir, 'layout.svg');
    writeFileSync(file, input);
    return runPythonCode(`import sys\nsys.stdin = open(sys.argv[1], encoding="utf-8")\n${code}`, [file]);
  } finally {
    tmp.cleanup();
  }
}

/** Screen position of probe (x, y) under `translate(tx ty) scale(sx sy)`. */
function toScreen(transform: string, x: number, y: number): [number, number] {
  const m = /^translate\(([-\d.e]+) ([-\d.e]+)\) scale\(([-\d.e]+) ([-\d.e]+)\)$/.exec(transform);
  if (m === null) throw new Error(`unexpected transform ${transform}`);
  const [tx, ty, sx, sy] = m.slice(1).map(Number);
  return [tx + sx * x, ty + sy * y];
}

const channels: LayoutChannel[] = [
  { id: '5', x: 1750, y: 875, electrode: 11100, value: 8, flags: [] },
  { id: '42', x: 1767.5, y: 875, electrode: 11101, value: 40, flags: [] },
  { id: '79', x: 1750, y: 892.5, electrode: 11320, value: 10, flags: [] },
  { id: '116', x: 1767.5, y: 892.5, electrode: 11321, value: null, flags: ['flat'] },
  { id: '153', x: 1750, y: 910, electrode: null, value: 3, flags: ['saturated', 'flat'] },
  { id: 'a<&"\'>b', x: 1767.5, y: 910, value: 9, flags: ['non_finite'] },
];

describe('layoutSvg', () => {
  const svg = layoutSvg(channels, { title: 'rec <1> & "well000"' });
  const parsed = parseSvg(svg);

  it('is well-formed XML with exactly one circle per channel, at the probe coordinates', () => {
    expect(parsed.n_all_circles).toBe(channels.length);
    expect(parsed.circles.map((c) => c.id)).toEqual(channels.map((c) => c.id));
    parsed.circles.forEach((c, i) => {
      expect(c.cx).toBe(channels[i].x);
      expect(c.cy).toBe(channels[i].y);
      expect(c.title).toContain(`channel ${channels[i].id}`);
    });
    expect(parsed.circles[0].title).toContain('electrode 11100');
    // Neighbours 17.5 µm apart: markers of 40 % of the pitch never overlap.
    expect(parsed.circles[0].r).toBeCloseTo(7, 10);
  });

  it('draws the probe y axis upwards and keeps x to the right', () => {
    const [x0, y0] = toScreen(parsed.transform, 1750, 875);
    const [x1, y1] = toScreen(parsed.transform, 1767.5, 910);
    expect(y1).toBeLessThan(y0);
    expect(x1).toBeGreaterThan(x0);
    // Same scale on both axes: the probe is not distorted.
    expect(x1 - x0).toBeCloseTo((y0 - y1) * (17.5 / 35), 6);
  });

  it('colours flags before values (first of NaN/inf, saturated, flat) and values on a viridis scale', () => {
    const fill = (id: string): string => parsed.circles.find((c) => c.id === id)?.fill ?? '';
    expect(fill('116')).toBe(FLAG_STYLE.flat.fill);
    expect(fill('153')).toBe(FLAG_STYLE.saturated.fill);
    expect(fill('a<&"\'>b')).toBe(FLAG_STYLE.non_finite.fill);
    // Range 0 … max(max, 2 × median) = 0 … 40 µV: the outlier is the palette's top; 10 µV (a
    // quarter) is the second viridis stop; 8 µV (a fifth) lies 80 % of the way from the first.
    expect(fill('42')).toBe('#fde725');
    expect(fill('79')).toBe('#3b528b');
    expect(fill('5')).toBe('#3d4280');
    expect(svg).toMatch(/>0\.0<\/text>/);
    expect(svg).toMatch(/>40\.0<\/text>/);
    expect(parsed.circles.find((c) => c.id === '153')?.flags).toBe('saturated flat');
  });

  it('has a scale bar whose drawn length is its label in µm at the electrode scale', () => {
    const [xa] = toScreen(parsed.transform, 0, 0);
    const [xb] = toScreen(parsed.transform, parsed.scale_bar.length_um, 0);
    expect(parsed.scale_bar.x2 - parsed.scale_bar.x1).toBeCloseTo(xb - xa, 1);
    expect(parsed.scale_bar.text).toBe(`${parsed.scale_bar.length_um} µm`);
  });

  it('escapes the title and ids, and refuses non-finite locations', () => {
    expect(svg).toContain('rec &lt;1&gt; &amp; &quot;well000&quot;');
    expect(svg).toContain('data-channel-id="a&lt;&amp;&quot;&apos;&gt;b"');
    expect(() => layoutSvg([{ id: 'x', x: Number.NaN, y: 0, value: null, flags: [] }])).toThrow(/channel x has a non-finite location/);
  });

  it('handles a single electrode and an empty layout', () => {
    expect(parseSvg(layoutSvg([{ id: '0', x: 0, y: 0, value: 1, flags: [] }])).n_all_circles).toBe(1);
    expect(parseSvg(layoutSvg([])).n_all_circles).toBe(0);
  });

  it('niceLength picks the largest 1, 2 or 5 × 10^k not above the target; colourRange spans 0 … ≥ 2 × median', () => {
    expect(niceLength(7)).toBe(5);
    expect(niceLength(100)).toBe(100);
    expect(niceLength(770)).toBe(500);
    expect(niceLength(24)).toBe(20);
    expect(colourRange([7, 7.1, 6.9])).toEqual([0, 14]);
    expect(colourRange([8, 10, 40])).toEqual([0, 40]);
    expect(colourRange([-5, 1])).toEqual([-5, 1]);
    expect(colourRange([])).toEqual([0, 1]);
  });
});
