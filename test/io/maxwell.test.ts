import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HDF5PluginMissingError, InvalidRecordingError, RecordingNotFoundError } from '../../src/errors';
import { loadH5Wasm } from '../../src/io/h5';
import { listMaxwellStreams, openMaxwell } from '../../src/io/maxwell';
import type { MaxwellMappingRow } from '../../src/io/maxwell_channels';
import { type MaxwellWellToWrite, writeMaxwellH5 } from '../../src/io/maxwell_writer';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { syntheticProbe } from '../../src/io/synthetic_probe';
import { makeTempDir, readFloat32File, runPythonCode, runPythonScript } from './python';

const LSB = 6.3e-6;

/** A well whose raw value at (row, frame) is row * 1000 + frame % 1000 (easy to check). */
function patternWell(overrides: Partial<MaxwellWellToWrite> & { mapping: MaxwellMappingRow[] }): MaxwellWellToWrite {
  return {
    well: 'well000', sampling_frequency: 20000, lsb: LSB, num_frames: 3000,
    fill: (s, e, out) => {
      const n = e - s;
      for (let r = 0; r < out.length / n; r++) for (let f = 0; f < n; f++) out[r * n + f] = r * 1000 + ((s + f) % 1000);
    },
    ...overrides,
  };
}

const grid = (channels: number[]): MaxwellMappingRow[] =>
  channels.map((ch, i) => ({ channel: ch, electrode: 100 + i, x: 17.5 * i, y: 35 }));

async function expectInvalid(p: Promise<unknown>, path: string, pattern: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidRecordingError);
  const e = err as InvalidRecordingError;
  expect(e.message).toContain(path);
  expect(e.message).toMatch(pattern);
  expect(e.attributes.path).toBe(path);
}

describe('openMaxwell', () => {
  const tmp = makeTempDir('maxwell');
  afterAll(() => tmp.cleanup());

  describe('synthetic current-layout MaxOne file', () => {
    const path = join(tmp.dir, 'synthetic.raw.h5');
    beforeAll(async () => {
      await writeSyntheticMaxOne(path, { num_channels: 32, duration_s: 10, seed: 11 });
    });

    it('exposes the mapping: ids = channel numbers in raw-row order, locations, electrodes, fs', async () => {
      const rec = await openMaxwell(path, {});
      try {
        const probe = syntheticProbe(32);
        expect(rec.sampling_frequency).toBe(20000);
        expect(rec.num_frames).toBe(200000);
        expect(rec.num_channels).toBe(32);
        expect(rec.channel_ids).toEqual(probe.map((p) => String(p.channel)));
        expect(rec.locations).toEqual(probe.map((p) => [p.x, p.y]));
        expect(rec.electrodes).toEqual(probe.map((p) => p.electrode));
        expect(await listMaxwellStreams(path)).toEqual(['well000']);
      } finally {
        rec.close();
      }
    });

    it('gives the same µV, ids and locations as an independent h5py read', async () => {
      const out = join(tmp.dir, 'h5py.f32');
      const [s, e] = [123457, 141000];
      const meta = JSON.parse(runPythonScript('read_maxwell_h5py.py', [path, 'well000', 'rec0000', s, e, out])) as {
        channel_ids: string[]; locations: [number, number][]; electrodes: number[]; sampling_frequency: number;
        gain_to_uv: number; num_frames: number; has_data_store: boolean;
      };
      const rec = await openMaxwell(path, { stream_id: 'well000' });
      try {
        expect(meta.has_data_store).toBe(true);
        expect(rec.channel_ids).toEqual(meta.channel_ids);
        expect(rec.locations).toEqual(meta.locations);
        expect(rec.electrodes).toEqual(meta.electrodes);
        expect(rec.num_frames).toBe(meta.num_frames);
        expect(meta.gain_to_uv).toBeCloseTo(6.3, 12);
        const ref = readFloat32File(out);
        const ours = rec.getTraces(s, e);
        expect(ours.length).toBe(ref.length);
        expect(Buffer.from(ours.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
      } finally {
        rec.close();
      }
    });

    it('streams: chunked reads concatenate to one read; out-of-range requests throw', async () => {
      const rec = await openMaxwell(path, {});
      try {
        const whole = rec.getTraces(1000, 5000);
        const parts = [rec.getTraces(1000, 1001), rec.getTraces(1001, 3333), rec.getTraces(3333, 5000)];
        expect(Float32Array.from(parts.flatMap((p) => Array.from(p)))).toEqual(whole);
        expect(rec.getTraces(7, 7).length).toBe(0);
        expect(() => rec.getTraces(0, rec.num_frames + 1)).toThrow(RangeError);
        expect(() => rec.getTraces(-1, 10)).toThrow(RangeError);
      } finally {
        rec.close();
        rec.close(); // idempotent
      }
    });
  });

  it('pairs rows through groups/routed/channels with duplicate mapping rows (spec §6 #21)', async () => {
    const path = join(tmp.dir, 'dup.raw.h5');
    await writeMaxwellH5(path, [{
      well: 'well000', sampling_frequency: 20000, lsb: LSB, num_frames: 2,
      mapping: [
        { channel: 3, electrode: 30, x: 1, y: 2 },
        { channel: 1, electrode: 10, x: 3, y: 4 },
        { channel: 3, electrode: 31, x: 99, y: 99 },
      ],
      routed_channels: [3, 1],
      fill: (_s, _e, out) => out.set([1, 2, 3, 4]),
    }]);
    const rec = await openMaxwell(path, {});
    expect(rec.channel_ids).toEqual(['3', '1']);
    expect(rec.locations).toEqual([[1, 2], [3, 4]]);
    const t = Array.from(rec.getTraces(0, 2));
    [6.3, 18.9, 12.6, 25.2].forEach((v, i) => expect(t[i]).toBeCloseTo(v, 4));
    rec.close();
  });

  it('without groups/routed/channels pairs mapping rows (channel ≥ 0) with raw rows by position', async () => {
    const path = join(tmp.dir, 'positional.raw.h5');
    await writeMaxwellH5(path, [patternWell({ mapping: grid([8, -1, 4]), write_routed_channels: false })]);
    const rec = await openMaxwell(path, {});
    expect(rec.channel_ids).toEqual(['8', '4']);
    expect(rec.locations).toEqual([[0, 35], [35, 35]]);
    const t = rec.getTraces(10, 11);
    expect(t[0]).toBeCloseTo(10 * 6.3, 3);
    expect(t[1]).toBeCloseTo(1010 * 6.3, 3);
    rec.close();

    const bad = join(tmp.dir, 'positional-mismatch.raw.h5');
    await writeMaxwellH5(bad, [patternWell({ mapping: grid([8, 4]), routed_channels: [8, 4, 5], write_routed_channels: false })]);
    await expectInvalid(openMaxwell(bad, {}), bad, /2 rows with channel ≥ 0 but .* has 3 rows/);
  });

  it('falls back to gain when lsb is absent (3.3 / (1024 · gain) · 1e6, gain 512 by default)', async () => {
    const withGain = join(tmp.dir, 'gain.raw.h5');
    await writeMaxwellH5(withGain, [patternWell({ mapping: grid([0]), lsb: undefined, gain: 1024 })]);
    const none = join(tmp.dir, 'nogain.raw.h5');
    await writeMaxwellH5(none, [patternWell({ mapping: grid([0]), lsb: undefined })]);
    const a = await openMaxwell(withGain, {});
    const b = await openMaxwell(none, {});
    expect(a.getTraces(1, 2)[0]).toBeCloseTo((3.3 / (1024 * 1024)) * 1e6, 5);
    expect(b.getTraces(1, 2)[0]).toBeCloseTo((3.3 / (1024 * 512)) * 1e6, 5);
    a.close();
    b.close();
  });

  describe('MaxTwo (several wells) and recording groups', () => {
    const path = join(tmp.dir, 'maxtwo.raw.h5');
    beforeAll(async () => {
      await writeMaxwellH5(path, [
        patternWell({ well: 'well000', mapping: grid([0, 1]) }),
        patternWell({ well: 'well001', mapping: grid([5, 6, 7]), num_frames: 1500 }),
      ]);
    });

    it('lists the wells as streams and opens the chosen one', async () => {
      expect(await listMaxwellStreams(path)).toEqual(['well000', 'well001']);
      const rec = await openMaxwell(path, { stream_id: 'well001' });
      expect(rec.channel_ids).toEqual(['5', '6', '7']);
      expect(rec.num_frames).toBe(1500);
      expect(rec.getTraces(2, 3)[2]).toBeCloseTo(2002 * 6.3, 3);
      rec.close();
    });

    it('no stream_id with several streams → error listing them', async () => {
      await expectInvalid(openMaxwell(path, { stream_id: null }), path, /2 streams \(well000, well001\)/);
    });

    it('unknown stream → error listing the available ones', async () => {
      await expectInvalid(openMaxwell(path, { stream_id: 'well009' }), path, /stream 'well009' not found; available streams: well000, well001/);
    });

    it('several recording groups need rec_name', async () => {
      const multi = join(tmp.dir, 'multirec.raw.h5');
      await writeMaxwellH5(multi, [
        patternWell({ rec: 'rec0000', mapping: grid([0]) }),
        patternWell({ well: 'well000', rec: 'rec0001', mapping: grid([1, 2]) }),
      ]);
      await expectInvalid(openMaxwell(multi, {}), multi, /multiple recording IDs \["rec0000","rec0001"\]/);
      const rec = await openMaxwell(multi, { rec_name: 'rec0001' });
      expect(rec.channel_ids).toEqual(['1', '2']);
      rec.close();
      await expectInvalid(openMaxwell(multi, { rec_name: 'rec0042' }), multi, /recording 'rec0042' not found/);
    });
  });

  it('reads a current-layout file written by h5py (independent writer, numpy structured mapping)', async () => {
    const path = join(tmp.dir, 'h5py-current.raw.h5');
    runPythonCode(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = np.array([b"20190530"])
    s = f.create_group("wells/well000/rec0000/settings")
    m = np.zeros(3, dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    m["channel"] = [12, 4, 9]; m["electrode"] = [1200, 400, 900]; m["x"] = [1.5, 2.5, 3.5]; m["y"] = [7, 8, 9]
    s["mapping"] = m
    s["sampling"] = np.array([10000.0]); s["lsb"] = np.array([1e-6])
    raw = np.arange(30, dtype=np.uint16).reshape(3, 10)
    f["wells/well000/rec0000/groups/routed/raw"] = raw
    f["wells/well000/rec0000/groups/routed/channels"] = np.array([12, 4, 9], dtype=np.int32)
    f["data_store/data0000/groups/routed/raw"] = raw
`, [path]);
    const rec = await openMaxwell(path, {});
    expect(rec.channel_ids).toEqual(['12', '4', '9']);
    expect(rec.electrodes).toEqual([1200, 400, 900]);
    expect(rec.locations).toEqual([[1.5, 7], [2.5, 8], [3.5, 9]]);
    expect(rec.sampling_frequency).toBe(10000);
    expect(Array.from(rec.getTraces(2, 4))).toEqual([2, 12, 22, 3, 13, 23]);
    rec.close();
  });

  it('reads the legacy MaxOne layout (/sig rows indexed by channel, fs 20 kHz)', async () => {
    const path = join(tmp.dir, 'legacy.raw.h5');
    runPythonCode(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = np.array([b"20160704"])
    m = np.zeros(4, dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    m["channel"] = [5, 2, -1, 7]; m["electrode"] = [50, 20, 0, 70]; m["x"] = [5, 2, 0, 7]; m["y"] = [0, 0, 0, 17.5]
    f["mapping"] = m
    f["settings/lsb"] = np.array([2e-6])
    f["sig"] = (np.arange(8)[:, None] * 100 + np.arange(6)[None, :]).astype(np.uint16)
`, [path]);
    expect(await listMaxwellStreams(path)).toEqual(['well000']);
    const rec = await openMaxwell(path, {});
    expect(rec.sampling_frequency).toBe(20000);
    expect(rec.channel_ids).toEqual(['5', '2', '7']);
    expect(rec.locations).toEqual([[5, 0], [2, 0], [7, 17.5]]);
    const t = Array.from(rec.getTraces(1, 3));
    [501, 201, 701, 502, 202, 702].forEach((raw, i) => expect(t[i]).toBeCloseTo(raw * 2, 4));
    rec.close();
  });

  describe('bad inputs give classified errors naming the file', () => {
    it('missing path → RecordingNotFoundError', async () => {
      const path = join(tmp.dir, 'nope.raw.h5');
      const err = await openMaxwell(path, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RecordingNotFoundError);
      expect((err as Error).message).toContain(path);
    });

    it('a text file named x.raw.h5 → InvalidRecordingError "expected an HDF5 file"', async () => {
      const path = join(tmp.dir, 'x.raw.h5');
      writeFileSync(path, 'this is not HDF5\n');
      await expectInvalid(openMaxwell(path, {}), path, /expected an HDF5 file/);
      const empty = join(tmp.dir, 'empty.raw.h5');
      writeFileSync(empty, '');
      await expectInvalid(openMaxwell(empty, {}), empty, /expected an HDF5 file .*empty file/);
    });

    it('an HDF5 signature followed by garbage → InvalidRecordingError (HDF5 prints a diagnostic to stderr)', async () => {
      const path = join(tmp.dir, 'corrupt.raw.h5');
      writeFileSync(path, Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]));
      await expectInvalid(openMaxwell(path, {}), path, /could not be opened/);
    });

    it('an HDF5 file without the Maxwell layout → names the missing dataset', async () => {
      const h5 = await loadH5Wasm();
      const plain = join(tmp.dir, 'plain.h5');
      const f = new h5.File(plain, 'w');
      f.create_dataset({ name: 'data', data: new Float32Array([1, 2, 3]) });
      f.close();
      await expectInvalid(openMaxwell(plain, {}), plain, /missing dataset \/version/);

      const noWells = join(tmp.dir, 'nowells.raw.h5');
      const g = new h5.File(noWells, 'w');
      g.create_dataset({ name: 'version', data: ['20190530'], dtype: 'S8' });
      g.close();
      await expectInvalid(openMaxwell(noWells, {}), noWells, /missing group \/wells/);
    });

    it('0 samples and 0 channels → InvalidRecordingError', async () => {
      const noSamples = join(tmp.dir, 'nosamples.raw.h5');
      await writeMaxwellH5(noSamples, [patternWell({ mapping: grid([0, 1]), num_frames: 0 })]);
      await expectInvalid(openMaxwell(noSamples, {}), noSamples, /0 samples/);
      const noChannels = join(tmp.dir, 'nochannels.raw.h5');
      await writeMaxwellH5(noChannels, [patternWell({ mapping: grid([-1, -1]) })]);
      await expectInvalid(openMaxwell(noChannels, {}), noChannels, /0 routed channels/);
    });

    it('a routed channel missing from the mapping → InvalidRecordingError', async () => {
      const path = join(tmp.dir, 'unmapped.raw.h5');
      await writeMaxwellH5(path, [patternWell({ mapping: grid([0, 1]), routed_channels: [0, 2] })]);
      await expectInvalid(openMaxwell(path, {}), path, /routed channel 2 \(raw row 1\) has no row in settings\/mapping/);
    });

    it('raw data compressed with a filter h5wasm lacks (LZF) → HDF5PluginMissingError', async () => {
      const path = join(tmp.dir, 'lzf.raw.h5');
      runPythonCode(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = np.array([b"20190530"])
    s = f.create_group("wells/well000/rec0000/settings")
    m = np.zeros(1, dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    s["mapping"] = m; s["sampling"] = np.array([20000.0]); s["lsb"] = np.array([6.3e-6])
    f.create_dataset("wells/well000/rec0000/groups/routed/raw", data=np.ones((1, 100), np.uint16), chunks=(1, 50), compression="lzf")
`, [path]);
      const err = await openMaxwell(path, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HDF5PluginMissingError);
      expect((err as HDF5PluginMissingError).message).toContain(path);
      expect((err as HDF5PluginMissingError).attributes).toMatchObject({ filter_id: 32000, file: path });
    });
  });
});
