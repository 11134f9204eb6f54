/**
 * `spikelab inspect` on real Maxwell files with planted defects, run through the CLI entry
 * point: the hints name exactly the planted channels, the facts match what was written, the
 * SVG parses and places every channel, and bad input is refused with the flag and exit 2.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './runCli';
import { type InspectReport } from '../../src/io/inspect';
import { type MaxwellWellToWrite, writeMaxwellH5 } from '../../src/io/maxwell_writer';
import { SYNTHETIC_DC_OFFSET, SyntheticSignal } from '../../src/io/synthetic';
import { syntheticProbe } from '../../src/io/synthetic_probe';
import { makeTempDir, runPythonCode } from '../io/python';


const FS = 20000;
const LSB = 6.3e-6;
const NCH = 16;
const SECONDS = 10;
/** Maxwell's 10-bit ADC top code. */
const ADC_TOP = 1023;

/**
 * A well of coloured noise (8 µV) with planted rows: `flat` constant mid-scale codes,
 * `stuck` pinned at the ADC top, `clipped` hitting the top in 2 ms of every 40 ms,
 * `noisy` with 6× the noise.
 */
function plantedWell(well: string, seed: number, plant: { flat: number[]; stuck: number[]; clipped: number[]; noisy: number[] }): MaxwellWellToWrite {
  const signal = new SyntheticSignal(NCH, [], { seed, fs: FS, noise_uv: 8, uv_per_bit: LSB * 1e6 });
  return {
    well, sampling_frequency: FS, lsb: LSB, mapping: syntheticProbe(NCH), num_frames: SECONDS * FS,
    fill: (s, e, out) => {
      signal.fill(s, e, out);
      const n = e - s;
      for (let f = 0; f < n; f++) {
        for (const r of plant.flat) out[r * n + f] = 600;
        for (const r of plant.stuck) out[r * n + f] = ADC_TOP;
        for (const r of plant.clipped) if ((s + f) % 800 < 40) out[r * n + f] = ADC_TOP;
        for (const r of plant.noisy) out[r * n + f] = SYNTHETIC_DC_OFFSET + 6 * (out[r * n + f] - SYNTHETIC_DC_OFFSET);
      }
    },
  };
}

const PLANT = { flat: [3], stuck: [7], clipped: [10], noisy: [12] };
const PLANT_WELL1 = { flat: [0, 5], stuck: [], clipped: [], noisy: [9] };

describe('spikelab inspect', () => {
  const tmp = makeTempDir('cli-inspect');
  afterAll(() => tmp.cleanup());
  const one = join(tmp.dir, 'planted.raw.h5');
  const two = join(tmp.dir, 'maxtwo.raw.h5');
  const ids = syntheticProbe(NCH).map((p) => String(p.channel));

  beforeAll(async () => {
    await writeMaxwellH5(one, [plantedWell('well000', 1, PLANT)]);
    await writeMaxwellH5(two, [plantedWell('well000', 2, PLANT), plantedWell('well001', 3, PLANT_WELL1)]);
  }, 60000);

  it('--json: the hints name exactly the planted flat, saturated and noisy channels', async () => {
    const { code, stdout, stderr } = await runCli(['inspect', one, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as InspectReport & { svg: string | null };
    expect(r.hints.flat).toEqual([ids[3], ids[7]]);
    expect(r.hints.saturated.map((s) => s.channel_id)).toEqual([ids[7], ids[10]]);
    expect(r.hints.saturated[0].fraction).toBe(1);
    expect(r.hints.saturated[1].fraction).toBeCloseTo(40 / 800, 10);
    expect(r.hints.non_finite).toEqual([]);
    expect(r.hints.noisiest[0].channel_id).toBe(ids[12]);
    expect(r.hints.noisiest[0].ratio_to_median).toBeGreaterThan(4);
    expect(r.rails).toMatchObject({ low: 0, high: ADC_TOP });
    expect(r.svg).toBeNull();
  });

  it('--json: the file facts are those written, and only 5 × 1 s is read', async () => {
    const r = JSON.parse((await runCli(['inspect', one, '--json'])).stdout) as InspectReport;
    const probe = syntheticProbe(NCH);
    expect(r).toMatchObject({
      format: 'maxwell', dtype: 'uint16', streams: ['well000'], stream_id: 'well000', stream_note: null,
      num_channels: NCH, sampling_frequency: FS, num_frames: SECONDS * FS, duration_s: SECONDS,
      offset_to_uv: { min: 0, max: 0, uniform: true },
    });
    expect(r.gain_to_uv?.uniform).toBe(true);
    expect(r.gain_to_uv?.min).toBeCloseTo(6.3, 10);
    expect(r.channels.map((c) => [c.id, c.x, c.y, c.electrode])).toEqual(probe.map((p) => [String(p.channel), p.x, p.y, p.electrode]));
    expect(r.sample.windows).toHaveLength(5);
    expect(r.sample.seconds).toBe(5);
    expect(r.sample.windows[0].start_frame).toBe(0);
    expect(r.sample.windows[4].end_frame).toBe(SECONDS * FS);
    const typical = r.channels[0].noise_uv as number;
    expect(typical).toBeGreaterThan(3);
    expect(typical).toBeLessThan(12);
    expect(r.channels.every((c) => c.noise_uv !== null && Number.isFinite(c.noise_uv))).toBe(true);
  });

  it('text output lists streams, scaling and the hints; --svg writes a layout with one circle per channel', async () => {
    const svg = join(tmp.dir, 'layout.svg');
    const { code, stdout } = await runCli(['inspect', one, '--svg', svg, '--sample-s', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^format\s+maxwell/m);
    expect(stdout).toMatch(/^streams\s+well000 \(shown\)/m);
    expect(stdout).toMatch(/^channels\s+16$/m);
    expect(stdout).toMatch(/^sampling\s+20000 Hz$/m);
    expect(stdout).toMatch(/^frames\s+200000 \(10 s\)$/m);
    expect(stdout).toMatch(/^dtype\s+uint16$/m);
    expect(stdout).toMatch(/^gain\s+6\.3 µV per unit \(all channels\)$/m);
    expect(stdout).toMatch(/^sampled\s+2 windows of 1 s = 2 s \(20\.0 % of the recording\)$/m);
    expect(stdout).toContain(`flat channels: 2: ${ids[3]}, ${ids[7]}`);
    expect(stdout).toContain(`saturated channels: 2: ${ids[7]} (100.00 %), ${ids[10]} (5.00 %)`);
    expect(stdout).toContain('NaN / inf samples: none');
    expect(stdout).toMatch(new RegExp(`noisiest channels: ${ids[12]} \\d+\\.\\d µV`));
    expect(stdout).toContain(`layout SVG: ${svg}`);

    const probe = syntheticProbe(NCH);
    const parsed = JSON.parse(runPythonCode(`
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = {"s": "http://www.w3.org/2000/svg"}
print(json.dumps([[c.get("data-channel-id"), float(c.get("cx")), float(c.get("cy")), c.get("data-flags")] for c in root.iter("{http://www.w3.org/2000/svg}circle")]))
`, [svg])) as [string, number, number, string][];
    expect(parsed.map(([id, x, y]) => [id, x, y])).toEqual(probe.map((p) => [String(p.channel), p.x, p.y]));
    expect(parsed[3][3]).toBe('flat');
    expect(parsed[7][3]).toBe('flat saturated');
    expect(parsed[10][3]).toBe('saturated');
  });

  it('a MaxTwo file: shows the first well and says so; --stream-id picks another', async () => {
    const first = JSON.parse((await runCli(['inspect', two, '--json'])).stdout) as InspectReport;
    expect(first.streams).toEqual(['well000', 'well001']);
    expect(first.stream_id).toBe('well000');
    expect(first.stream_note).toBe('first of 2 streams');
    expect(first.hints.flat).toEqual([ids[3], ids[7]]);

    const text = await runCli(['inspect', two]);
    expect(text.stdout).toMatch(/^streams\s+well000 \(shown\), well001; shown: first of 2 streams, choose with --stream-id$/m);

    const second = JSON.parse((await runCli(['inspect', two, '--stream-id', 'well001', '--json'])).stdout) as InspectReport;
    expect(second.stream_id).toBe('well001');
    expect(second.stream_note).toBeNull();
    expect(second.hints.flat).toEqual([ids[0], ids[5]]);
    expect(second.hints.saturated).toEqual([]);
    expect(second.hints.noisiest[0].channel_id).toBe(ids[9]);
  });

  it('bad input: exit 2 naming the flag; a missing file is a classified error', async () => {
    const badStream = await runCli(['inspect', two, '--stream-id', 'well009']);
    expect(badStream.code).toBe(2);
    expect(badStream.stderr).toMatch(/--stream-id: .*well009.*well000, well001/);

    const badSample = await runCli(['inspect', one, '--sample-s', '0']);
    expect(badSample.code).toBe(2);
    expect(badSample.stderr).toMatch(/--sample-s expects a number > 0, got '0'/);

    const foreign = await runCli(['inspect', one, '--freq-min', '300']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/--freq-min is not an option of 'spikelab inspect' \(its recording flags: --stream-id\)/);

    const svgNotWritten = join(tmp.dir, 'never.svg');
    const missing = await runCli(['inspect', join(tmp.dir, 'nope.raw.h5'), '--svg', svgNotWritten]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/error \(RecordingNotFoundError, environment\): .*nope\.raw\.h5/);
    expect(existsSync(svgNotWritten)).toBe(false);

    const unknown = await runCli(['inspect', one, '--sample', '2']);
    expect(unknown.code).toBe(2);
  });
});
