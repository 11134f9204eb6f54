/**
 * NWB reader against fixtures written by pynwb (scripts/python/make_nwb_fixture.py): the
 * writer's own record of what it stored (rows, scaling, timing) is the expectation here;
 * nwbInterop.test.ts checks the same files against SpikeInterface.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingNotFoundError } from '../../src/errors';
import { listNwbStreams, openNwb } from '../../src/io/nwb';
import { rateFromTimestamps } from '../../src/io/nwb_layout';
import { makeTempDir, runPythonScript } from './python';
import { expectInvalid } from './assertions';

interface SeriesFacts {
  num_frames: number; num_channels: number; sampling_frequency: number; region: number[]; dtype: string;
  conversion: number; offset: number; channel_conversion: number[] | null;
}
type Facts = Record<string, { series: Record<string, SeriesFacts>; gap?: { after_frame: number; missing_frames: number } }>;

const VARIANTS = [
  'rate', 'permuted', 'multi', 'timestamps', 'gzip', 'float32', 'channel_name', 'huge',
  'no_acquisition', 'no_series', 'rank3', 'region_mismatch', 'no_locations',
];

/** The fixture's closed-form raw samples (see make_nwb_fixture.py). */
const pattern = (f: number, c: number, seed = 0): number => ((f * 7919 + c * 104729 + seed) % 65536) - 32768;
/** Electrode-table row r's geometry as the fixture writes it. */
const relXY = (r: number): [number, number] => [16 * (r % 2) + 250 * Math.floor(r / 6), 20 * (r % 6) + 0.25];
const brainXY = (r: number): [number, number] => [100 + r, -50 - 2 * r];


/**
 * Largest |ours − expected| over a frame-major block, in units of `scale` (the largest |raw ×
 * gain| + |offset| the block can hold): float32 rounding of the product and the sum stays
 * within a few 2^-24 of that, while a wrong gain, offset, row or column is off by far more.
 */
function maxError(ours: Float32Array, expected: (f: number, j: number) => number, frames: number, k: number, scale: number): number {
  let worst = 0;
  for (let f = 0; f < frames; f++) {
    for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(ours[f * k + j] - expected(f, j)) / scale);
  }
  return worst;
}
const FLOAT32_TOLERANCE = 4 * 2 ** -24;

describe('openNwb', () => {
  const tmp = makeTempDir('nwb');
  const file = (v: string): string => join(tmp.dir, `${v}.nwb`);
  let facts: Facts;
  beforeAll(() => {
    facts = JSON.parse(runPythonScript('make_nwb_fixture.py', [tmp.dir, ...VARIANTS])) as Facts;
  }, 60_000);
  afterAll(() => tmp.cleanup());

  describe('single int16 series with a rate (rate.nwb)', () => {
    it('exposes the electrode rows of the region: ids, rel_x/rel_y locations, groups, areas, fs, t_start', async () => {
      const s = facts.rate.series['acquisition/ElectricalSeries'];
      const rec = await openNwb(file('rate'), {});
      try {
        expect(await listNwbStreams(file('rate'))).toEqual(['ElectricalSeries']);
        expect(rec.sampling_frequency).toBe(30000);
        expect(rec.num_frames).toBe(s.num_frames);
        expect(rec.num_channels).toBe(8);
        // pynwb numbers electrode rows 0..n-1, so the table ids equal the region's rows.
        expect(rec.channel_ids).toEqual(s.region.map(String));
        expect(rec.electrodes).toEqual(s.region);
        expect(rec.locations).toEqual(s.region.map(relXY));
        expect(rec.channel_groups).toEqual(s.region.map((r) => (r < 6 ? 'shank0' : 'shank1')));
        expect(rec.brain_areas).toEqual(s.region.map((r) => (r < 6 ? 'CA1' : 'CA3')));
        expect(rec.t_start).toBe(1.25);
        const info = rec.source_info;
        expect(info.format).toBe('nwb');
        expect(info.dtype).toBe('int16');
        expect(info.stream_id).toBe('ElectricalSeries');
        expect(info.streams).toEqual(['ElectricalSeries']);
        expect(info.frame_gaps).toEqual([]);
        expect(info.details).toMatchObject({
          electrical_series_path: 'acquisition/ElectricalSeries', locations_from: 'rel_x/rel_y', channel_ids_from: 'id',
          time_from: 'rate', compression: null, channel_conversion: true, offset_from: 'offset attribute', gain_from: 'file',
          groups: 'shank0, shank1', brain_areas: 'CA1, CA3', electrode_region_sorted: true,
        });
        const cc = s.channel_conversion as number[];
        info.gain_to_uv.forEach((g, i) => expect(g).toBeCloseTo(s.conversion * cc[i] * 1e6, 6));
        info.offset_to_uv.forEach((o) => expect(o).toBeCloseTo(s.offset * 1e6, 3));
      } finally {
        rec.close();
      }
    });

    it('returns µV = raw × conversion × channel_conversion × 1e6 + offset × 1e6 for any window and channel selection', async () => {
      const s = facts.rate.series['acquisition/ElectricalSeries'];
      const cc = s.channel_conversion as number[];
      const rec = await openNwb(file('rate'), { stream_id: null });
      try {
        const uv = (f: number, c: number): number => pattern(f, c) * s.conversion * cc[c] * 1e6 + s.offset * 1e6;
        const [a, b] = [1234, 5678];
        const all = rec.getTraces(a, b);
        expect(all.length).toBe((b - a) * 8);
        expect(maxError(all, (f, c) => uv(a + f, c), b - a, 8, 32768 * 0.4 + 1200)).toBeLessThan(FLOAT32_TOLERANCE);
        // A selection is exactly the matching columns of the full read, in the requested order.
        const sel = [6, 1, 1, 3];
        const part = rec.getTraces(a, b, sel);
        for (let f = 0; f < b - a; f++) sel.forEach((c, j) => expect(part[f * sel.length + j]).toBe(all[f * 8 + c]));
        expect(rec.getTraces(rec.num_frames - 3, rec.num_frames, [7]).length).toBe(3);
        expect(rec.getTraces(10, 10).length).toBe(0);
        expect(() => rec.getTraces(0, rec.num_frames + 1)).toThrow(RangeError);
        expect(() => rec.getTraces(0, 1, [8])).toThrow(RangeError);
      } finally {
        rec.close();
      }
      rec.close(); // idempotent
      expect(() => rec.getTraces(0, 1)).toThrow(/closed/);
    });

    it("accepts SpikeInterface's electrical_series_path spelling as stream_id", async () => {
      for (const id of ['acquisition/ElectricalSeries', '/acquisition/ElectricalSeries', 'ElectricalSeries']) {
        const rec = await openNwb(file('rate'), { stream_id: id });
        expect(rec.source_info.stream_id).toBe('ElectricalSeries');
        rec.close();
      }
    });

    it('gain_to_uv / offset_to_uv replace the file scaling', async () => {
      const rec = await openNwb(file('rate'), { gain_to_uv: 2, offset_to_uv: -5 });
      try {
        const t = rec.getTraces(100, 200);
        for (let f = 0; f < 100; f++) for (let c = 0; c < 8; c++) expect(t[f * 8 + c]).toBe(pattern(100 + f, c) * 2 - 5);
        expect(rec.source_info.gain_to_uv).toEqual(new Array(8).fill(2));
        expect(rec.source_info.offset_to_uv).toEqual(new Array(8).fill(-5));
        expect(rec.source_info.details).toMatchObject({ gain_from: 'gain_to_uv option', offset_from: 'offset_to_uv option' });
      } finally {
        rec.close();
      }
      // Only the gain replaced: the file's offset stays.
      const g = await openNwb(file('rate'), { gain_to_uv: 1 });
      expect(g.source_info.offset_to_uv[0]).toBeCloseTo(-1200, 3);
      expect(g.getTraces(0, 1)[0]).toBeCloseTo(pattern(0, 0) - 1200, 3);
      g.close();
    });
  });

  it('follows an unsorted electrode region row by row (permuted.nwb)', async () => {
    const s = facts.permuted.series['acquisition/ElectricalSeries'];
    const rec = await openNwb(file('permuted'), {});
    try {
      expect(s.region).toEqual([9, 2, 5, 0, 11, 7, 3, 1]);
      expect(rec.channel_ids).toEqual(s.region.map(String));
      expect(rec.locations).toEqual(s.region.map(relXY));
      expect(rec.channel_groups).toEqual(s.region.map((r) => (r < 6 ? 'shank0' : 'shank1')));
      expect(rec.source_info.details.electrode_region_sorted).toBe(false);
      // Column j of data is channel j whatever its row: scaling follows the column.
      const cc = s.channel_conversion as number[];
      const t = rec.getTraces(0, 50);
      expect(maxError(t, (f, c) => pattern(f, c) * s.conversion * cc[c] * 1e6 + s.offset * 1e6, 50, 8, 32768 * 0.4 + 1200))
        .toBeLessThan(FLOAT32_TOLERANCE);
    } finally {
      rec.close();
    }
  });

  describe('several ElectricalSeries (multi.nwb)', () => {
    const ids = ['ElectricalSeriesAP', 'ElectricalSeriesB', 'processing/ecephys/LFP/ElectricalSeriesLFP'];

    it('lists every ElectricalSeries: acquisition ones by name, others by path', async () => {
      expect(await listNwbStreams(file('multi'))).toEqual(ids);
    });

    it('refuses to guess, listing the streams', async () => {
      const e = await expectInvalid(openNwb(file('multi'), {}), file('multi'), /3 ElectricalSeries .*choose one with stream_id/,
        'stream_id');
      for (const id of ids) expect(e.message).toContain(id);
    });

    it('names the available streams for an unknown stream_id', async () => {
      const e = await expectInvalid(openNwb(file('multi'), { stream_id: 'ElectricalSeriesC' }), file('multi'),
        /'ElectricalSeriesC' not found; available streams: ElectricalSeriesAP, ElectricalSeriesB, processing/, 'stream_id');
      expect(e.attributes.expected).toContain('ElectricalSeriesB');
    });

    it('reads the chosen series with its own rows, rate and scaling', async () => {
      const b = facts.multi.series['acquisition/ElectricalSeriesB'];
      const rec = await openNwb(file('multi'), { stream_id: 'ElectricalSeriesB' });
      try {
        expect(rec.sampling_frequency).toBe(2500);
        expect(rec.num_frames).toBe(5000);
        expect(rec.channel_ids).toEqual(['6', '7', '8', '9', '10', '11']);
        expect(rec.source_info.streams).toEqual(ids);
        expect(rec.source_info.details.channel_conversion).toBe(false);
        const t = rec.getTraces(4990, 5000);
        expect(maxError(t, (f, c) => pattern(4990 + f, c, 17) * b.conversion * 1e6, 10, 6, 32768)).toBeLessThan(FLOAT32_TOLERANCE);
      } finally {
        rec.close();
      }
      const lfp = await openNwb(file('multi'), { stream_id: 'processing/ecephys/LFP/ElectricalSeriesLFP' });
      expect([lfp.sampling_frequency, lfp.num_frames, lfp.channel_ids]).toEqual([1000, 1000, ['0', '6']]);
      lfp.close();
    });
  });

  it('estimates fs from timestamps like SpikeInterface and reports their gap (timestamps.nwb)', async () => {
    const rec = await openNwb(file('timestamps'), {});
    try {
      // 1 / median(diff(first 1000 timestamps)): close to, not exactly, the writer's 20 kHz.
      expect(rec.sampling_frequency).toBeCloseTo(20000, 4);
      expect(rec.t_start).toBe(10);
      expect(rec.num_frames).toBe(12000);
      expect(rec.source_info.frame_gaps).toEqual([facts.timestamps.gap]);
      expect(rec.source_info.details).toMatchObject({
        time_from: 'timestamps', timestamps_regular: false, timestamps_irregular_intervals: 1,
      });
      expect(rec.source_info.details.timestamps_max_interval_s as number).toBeCloseTo(3 / 20000, 12);
    } finally {
      rec.close();
    }
  });

  it("mirrors numpy's median and float32 promotion when estimating a rate", () => {
    // Even count: mean of the two middle diffs; odd: the middle one.
    expect(rateFromTimestamps(Float64Array.from([0, 1, 3, 6, 10]), false)).toBe(1 / 2.5);
    expect(rateFromTimestamps(Float64Array.from([0, 1, 3, 7]), false)).toBe(1 / 2);
    const ts = Float64Array.from([0, 0.1, 0.2, 0.3].map(Math.fround));
    const d = Math.fround(ts[2] - ts[1]);
    expect(rateFromTimestamps(ts, true)).toBe(Math.fround(1 / d));
  });

  it('streams gzip-compressed chunked data: same µV as the uncompressed file across chunk boundaries (gzip.nwb)', async () => {
    const [plain, gz] = [await openNwb(file('rate'), {}), await openNwb(file('gzip'), {})];
    try {
      expect(gz.source_info.details).toMatchObject({ compression: 'gzip', chunks: '1000x8' });
      for (const [a, b, sel] of [[0, 20000, undefined], [999, 1001, undefined], [2500, 7321, [7, 0]], [19999, 20000, [3]]] as const) {
        expect(Buffer.from(gz.getTraces(a, b, sel).buffer).equals(Buffer.from(plain.getTraces(a, b, sel).buffer))).toBe(true);
      }
    } finally {
      plain.close();
      gz.close();
    }
  });

  it('serves windows of a 2e9-frame (32 GB) dataset, so reads are hyperslabs, never the whole data (huge.nwb)', async () => {
    const rec = await openNwb(file('huge'), {});
    try {
      expect(rec.num_frames).toBe(2_000_000_000);
      const g = rec.source_info.gain_to_uv;
      const o = rec.source_info.offset_to_uv;
      const mid = rec.getTraces(1_234_567_890, 1_234_567_990, [0, 5]);
      for (let f = 0; f < 100; f++) {
        expect(mid[f * 2]).toBe(Math.fround(Math.fround(7 * g[0]) + o[0]));
        expect(mid[f * 2 + 1]).toBe(Math.fround(Math.fround(7 * g[5]) + o[5]));
      }
      const end = rec.getTraces(rec.num_frames - 10, rec.num_frames);
      for (let f = 0; f < 10; f++) {
        for (let c = 0; c < 8; c++) expect(end[f * 8 + c]).toBe(Math.fround(Math.fround(pattern(f, c) * g[c]) + o[c]));
      }
    } finally {
      rec.close();
    }
  });

  it('reads float32 data with float32 scaling attributes and x/y locations (float32.nwb)', async () => {
    const rec = await openNwb(file('float32'), {});
    try {
      expect(rec.source_info.dtype).toBe('float32');
      // numpy 2: float32 attribute × 1e6 stays float32, and so does its product with a float32
      // channel_conversion (two roundings, which differ from one for some channels).
      const { fround } = Math;
      const cc = facts.float32.series['acquisition/ElectricalSeries'].channel_conversion as number[];
      expect(rec.source_info.gain_to_uv).toEqual(cc.map((c) => fround(fround(fround(0.195e-6) * 1e6) * fround(c))));
      expect(cc.some((c) => fround(fround(fround(0.195e-6) * 1e6) * fround(c)) !== fround(fround(0.195e-6) * 1e6 * fround(c))))
        .toBe(true);
      expect(rec.source_info.offset_to_uv).toEqual(new Array(8).fill(Math.fround(Math.fround(1e-5) * 1e6)));
      expect(rec.source_info.details.locations_from).toBe('x/y');
      const rows = facts.float32.series['acquisition/ElectricalSeries'].region;
      expect(rec.locations).toEqual(rows.map(brainXY));
      const t = rec.getTraces(300, 400);
      expect(maxError(t, (f, c) => (pattern(300 + f, c, 1) / 8) * 0.195 * cc[c] + 10, 100, 8, 4096 * 0.4 + 10))
        .toBeLessThan(FLOAT32_TOLERANCE);
    } finally {
      rec.close();
    }
  });

  it('uses channel_name for ids and the electrodes offset column when the series offset is 0 (channel_name.nwb)', async () => {
    const s = facts.channel_name.series['acquisition/ElectricalSeries'];
    const rec = await openNwb(file('channel_name'), {});
    try {
      expect(rec.channel_ids).toEqual(s.region.map((r) => `A-${String(r).padStart(3, '0')}`));
      expect(rec.electrodes).toEqual(s.region);
      expect(rec.source_info.dtype).toBe('int32');
      expect(rec.source_info.details).toMatchObject({ channel_ids_from: 'channel_name', offset_from: 'electrodes offset column' });
      rec.source_info.offset_to_uv.forEach((o, i) => expect(o).toBeCloseTo(-100 * (s.region[i] + 1), 3));
      const cc = s.channel_conversion as number[];
      const t = rec.getTraces(0, 200);
      const uv = (f: number, c: number): number => pattern(f, c, 2) * 65521 * s.conversion * cc[c] * 1e6 - 100 * (s.region[c] + 1);
      expect(maxError(t, uv, 200, 8, 32768 * 65521 * 0.4 + 1200)).toBeLessThan(FLOAT32_TOLERANCE);
    } finally {
      rec.close();
    }
  });

  describe('refusals', () => {
    it('missing file → RecordingNotFoundError; non-HDF5 file and directories → InvalidRecordingError', async () => {
      const missing = join(tmp.dir, 'nope.nwb');
      await expect(openNwb(missing, {})).rejects.toBeInstanceOf(RecordingNotFoundError);
      await expect(listNwbStreams(missing)).rejects.toBeInstanceOf(RecordingNotFoundError);
      const text = join(tmp.dir, 'text.nwb');
      writeFileSync(text, 'not hdf5 at all');
      await expectInvalid(openNwb(text, {}), text, /not an HDF5 file/);
      const dir = join(tmp.dir, 'zarr.nwb');
      mkdirSync(dir, { recursive: true });
      await expectInvalid(openNwb(dir, {}), dir, /directory.*Zarr/);
    });

    it('no /acquisition', async () => {
      await expectInvalid(openNwb(file('no_acquisition'), {}), file('no_acquisition'), /missing group \/acquisition/, '/acquisition');
    });

    it('no ElectricalSeries, naming what /acquisition holds', async () => {
      await expectInvalid(openNwb(file('no_series'), {}), file('no_series'),
        /no ElectricalSeries \(\/acquisition holds: Temperature\)/, 'ElectricalSeries');
      expect(await listNwbStreams(file('no_series'))).toEqual([]);
    });

    it('data of rank 3', async () => {
      await expectInvalid(openNwb(file('rank3'), {}), file('rank3'),
        /\/acquisition\/ElectricalSeries\/data has shape \[100, 8, 2\]; expected 2 dimensions/, '/acquisition/ElectricalSeries/data');
    });

    it('electrodes region length ≠ channel count', async () => {
      await expectInvalid(openNwb(file('region_mismatch'), {}), file('region_mismatch'),
        /electrodes lists 5 electrodes but .*data has 8 channels/, '/acquisition/ElectricalSeries/electrodes');
    });

    it('no location columns', async () => {
      await expectInvalid(openNwb(file('no_locations'), {}), file('no_locations'), /no rel_x\/rel_y or x\/y columns/);
    });

    it('non-finite scaling options', async () => {
      await expectInvalid(openNwb(file('rate'), { gain_to_uv: Number.NaN }), file('rate'), /gain_to_uv must be a finite number/,
        'gain_to_uv');
    });
  });
});
