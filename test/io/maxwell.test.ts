import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HDF5PluginMissingError, InvalidRecordingError, RecordingNotFoundError } from '../../src/errors';
import { loadH5Wasm } from '../../src/io/h5';
import { listMaxwellStreams, openMaxwell } from '../../src/io/maxwell';
import type { MaxwellMappingRow } from '../../src/io/maxwell_channels';
import { bisectFrameGaps, scanFrameGaps } from '../../src/io/maxwell_frames';
import { type MaxwellWellToWrite, writeMaxwellH5 } from '../../src/io/maxwell_writer';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { syntheticProbe } from '../../src/io/synthetic_probe';
import { makeTempDir, readFloat32File, runPythonCode, runPythonScript } from './python';
import { expectInvalid } from './assertions';

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

    it('LZF (a filter h5wasm lacks) decodes through the h5wasm-plugins WebAssembly plugin', async () => {
      const path = join(tmp.dir, 'lzf.raw.h5');
      runPythonCode(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = np.array([b"20190530"])
    s = f.create_group("wells/well000/rec0000/settings")
    m = np.zeros(1, dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    s["mapping"] = m; s["sampling"] = np.array([20000.0]); s["lsb"] = np.array([1e-6])
    f.create_dataset("wells/well000/rec0000/groups/routed/raw", data=np.arange(100, dtype=np.uint16)[None, :], chunks=(1, 50), compression="lzf")
`, [path]);
      const rec = await openMaxwell(path, {});
      expect(Array.from(rec.getTraces(48, 53))).toEqual([48, 49, 50, 51, 52]);
      expect(rec.source_info?.details.compression).toBe('lzf(32000)');
      rec.close();
    });
  });
});

// ---- fixtures shaped like instrument files (scripts/python/make_maxwell_fixture.py) -------

interface FixtureStream {
  rec_name: string | null;
  raw: string;
  channels: number[];
  electrodes: number[];
  x: number[];
  y: number[];
  fs: number;
  lsb: number | null;
  num_frames: number;
  raw_rows: number;
  first_frame_number: number | null;
}

interface FixtureManifest {
  version: number;
  layout: 'legacy' | 'current';
  filter_id: number | null;
  frame_gaps: { after_frame: number; missing_frames: number }[];
  streams: Record<string, FixtureStream>;
}

function makeFixture(path: string, args: readonly string[]): FixtureManifest {
  return JSON.parse(runPythonScript('make_maxwell_fixture.py', [path, ...args])) as FixtureManifest;
}

/** Rows `rows` of a 2-D dataset, read by h5py, as frame-major float32 (the raw ADC values). */
function h5pyRows(path: string, dataset: string, rows: readonly number[], out: string): Float32Array {
  runPythonCode(`
import sys, json, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    a = f[sys.argv[2]][:, :]
a[json.loads(sys.argv[3])].T.astype("<f4").tofile(sys.argv[4])
`, [path, dataset, JSON.stringify(rows), out]);
  return readFloat32File(out);
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('openMaxwell on instrument-shaped fixtures', () => {
  const tmp = makeTempDir('maxwell-fx');
  afterAll(() => tmp.cleanup());
  const fx = (name: string, args: readonly string[]): { path: string; m: FixtureManifest } => {
    const path = join(tmp.dir, `${name}.raw.h5`);
    return { path, m: makeFixture(path, args) };
  };

  let legacy: { path: string; m: FixtureManifest };
  let maxone: { path: string; m: FixtureManifest };
  let maxtwo: { path: string; m: FixtureManifest };
  beforeAll(() => {
    legacy = fx('legacy', ['--layout', 'legacy']);
    maxone = fx('maxone', ['--layout', 'maxone']);
    maxtwo = fx('maxtwo', ['--layout', 'maxtwo', '--idle-well']);
  });

  it('reads routed channels only, with mapping ids/electrodes/locations, and raw samples equal to h5py (all layouts)', async () => {
    const cases: [typeof legacy, string, (s: FixtureStream) => number[]][] = [
      [legacy, 'well000', (s) => s.channels], // legacy /sig rows are indexed by channel number
      [maxone, 'well000', (s) => s.channels.map((_, i) => i)],
      [maxtwo, 'well001', (s) => s.channels.map((_, i) => i)],
      [maxtwo, 'well002', (s) => s.channels.map((_, i) => i)],
    ];
    for (const [{ path, m }, well, rowsOf] of cases) {
      const st = m.streams[well];
      const rec = await openMaxwell(path, { stream_id: well, gain_to_uv: 1, offset_to_uv: 0 });
      try {
        expect(rec.channel_ids).toEqual(st.channels.map(String));
        expect(rec.electrodes).toEqual(st.electrodes);
        expect(rec.locations).toEqual(st.x.map((x, i) => [x, st.y[i]]));
        expect(rec.sampling_frequency).toBe(st.fs);
        expect(rec.num_frames).toBe(st.num_frames);
        const ref = h5pyRows(path, st.raw, rowsOf(st), join(tmp.dir, 'rows.f32'));
        expect(sameBytes(rec.getTraces(0, rec.num_frames), ref)).toBe(true);
      } finally {
        rec.close();
      }
    }
  });

  it('scales µV = float32(raw × gain) + float32(offset); gain_to_uv / offset_to_uv replace the file scaling', async () => {
    const f = Math.fround;
    const lsbUv = (maxone.m.streams.well000.lsb as number) * 1e6;
    const raw = await openMaxwell(maxone.path, { gain_to_uv: 1, offset_to_uv: 0 });
    const r = raw.getTraces(0, 500);
    raw.close();
    const cases: [{ gain_to_uv?: number | null; offset_to_uv?: number | null }, number, number, string][] = [
      [{}, lsbUv, 0, 'lsb'],
      [{ gain_to_uv: null, offset_to_uv: null }, lsbUv, 0, 'lsb'],
      [{ gain_to_uv: 0.195, offset_to_uv: -10 }, 0.195, -10, 'override'],
      [{ gain_to_uv: 0.195 }, 0.195, 0, 'override'],
      [{ offset_to_uv: 2.5 }, lsbUv, 2.5, 'lsb'],
    ];
    for (const [opts, gain, offset, source] of cases) {
      const rec = await openMaxwell(maxone.path, opts);
      const t = rec.getTraces(0, 500);
      const want = r.map((v) => f(f(v * gain) + f(offset)));
      expect(sameBytes(t, want)).toBe(true);
      expect(rec.source_info?.gain_to_uv).toEqual(new Array(16).fill(gain));
      expect(rec.source_info?.offset_to_uv).toEqual(new Array(16).fill(offset));
      expect(rec.source_info?.details.gain_source).toBe(source);
      expect(rec.source_info?.details.file_gain_to_uv).toBe(lsbUv);
      rec.close();
    }
  });

  it('a non-finite gain/offset override is refused before the file is read', async () => {
    for (const bad of [{ gain_to_uv: Number.NaN }, { offset_to_uv: Number.POSITIVE_INFINITY }]) {
      const err = await openMaxwell(maxone.path, bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toContain(maxone.path);
      expect((err as Error).message).toMatch(/(gain|offset)_to_uv must be a finite number/);
    }
  });

  it('source_info: format, dtype, per-channel scaling, this stream and all wells, layout details', async () => {
    const rec = await openMaxwell(maxtwo.path, { stream_id: 'well001' });
    const g = (3.3 / (1024 * 1024)) * 1e6; // well001 stores settings/gain = 1024 and no lsb
    expect(rec.source_info).toEqual({
      format: 'maxwell', dtype: 'uint16', gain_to_uv: new Array(9).fill(g), offset_to_uv: new Array(9).fill(0),
      stream_id: 'well001', streams: ['well000', 'well001', 'well002', 'well003'],
      details: {
        version: 20190530, layout: 'current', rec_name: 'rec0000', raw_dataset: '/wells/well001/rec0000/groups/routed/raw',
        raw_rows: 9, compression: 'none', gain_source: 'gain', file_gain_to_uv: g, lsb: null,
        frame_numbers: '/wells/well001/rec0000/groups/routed/frame_nos', frame_gaps_checked: true, first_frame_number: 1000017, last_frame_number: 1000017 + 2999 + 5,
        frame_gap_count: 1, missing_frames: 5, frame_number_backsteps: 0, frame_gaps_truncated: false, frame_nos_length: null,
        frame_numbers_error: null,
      },
      frame_gaps: [{ after_frame: 1200, missing_frames: 5 }],
    });
    rec.close();

    const old = await openMaxwell(legacy.path, {});
    expect(old.source_info).toMatchObject({
      format: 'maxwell', dtype: 'uint16', stream_id: 'well000', streams: ['well000'],
      details: {
        version: 20160704, layout: 'legacy', rec_name: null, raw_dataset: '/sig', raw_rows: 1028, gain_source: 'lsb',
        lsb: legacy.m.streams.well000.lsb, frame_numbers: '/sig rows 1026 (low 16 bits) and 1027 (high 16 bits)',
        first_frame_number: 0x1fff0, frame_gap_count: 1, missing_frames: 5,
      },
      frame_gaps: [{ after_frame: 1200, missing_frames: 5 }],
    });
    old.close();
  });

  it('wells: all are listed; one with nothing routed is no stream; a well without the chosen recording is named', async () => {
    expect(await listMaxwellStreams(maxtwo.path)).toEqual(['well000', 'well001', 'well002', 'well003']);
    await expectInvalid(openMaxwell(maxtwo.path, { stream_id: 'well003' }), maxtwo.path,
      /well 'well003' has no \/wells\/well003\/rec0000\/groups\/routed .*wells with data: well000, well001, well002/);
    await expectInvalid(openMaxwell(maxtwo.path, {}), maxtwo.path, /contains 3 streams \(well000, well001, well002\)/);

    const plate = join(tmp.dir, 'plate.raw.h5');
    await writeMaxwellH5(plate, [
      patternWell({ well: 'well000', rec: 'rec0000', mapping: grid([0]) }),
      patternWell({ well: 'well001', rec: 'rec0001', mapping: grid([1]) }),
    ]);
    await expectInvalid(openMaxwell(plate, { stream_id: 'well001', rec_name: 'rec0000' }), plate,
      /well 'well001' has no recording 'rec0000' \(it has \["rec0001"\]\)/);
    const rec = await openMaxwell(plate, { rec_name: 'rec0001' });
    expect(rec.source_info?.stream_id).toBe('well001');
    expect(rec.source_info?.streams).toEqual(['well000', 'well001']);
    rec.close();
  });

  it('frame gaps are reported (first, middle and last pair), not fatal: current (scan) and legacy (bisection)', async () => {
    const gaps = [{ after_frame: 0, missing_frames: 3 }, { after_frame: 1200, missing_frames: 5 }, { after_frame: 2998, missing_frames: 1 }];
    for (const layout of ['maxone', 'legacy']) {
      const { path, m } = fx(`gaps-${layout}`, ['--layout', layout, '--gaps', '0:3,1200:5,2998:1']);
      expect(m.frame_gaps).toEqual(gaps);
      const rec = await openMaxwell(path, {});
      expect(rec.source_info?.frame_gaps).toEqual(gaps);
      expect(rec.source_info?.details).toMatchObject({
        frame_gaps_checked: true, frame_gap_count: 3, missing_frames: 9, frame_number_backsteps: 0, frame_gaps_truncated: false,
        first_frame_number: m.streams.well000.first_frame_number,
      });
      expect(rec.getTraces(1195, 1205).length).toBe(10 * rec.num_channels);
      rec.close();
    }
  });

  it('no usable frame numbers → no gaps: current without frame_nos, legacy /sig without status rows or with zeroed ones', async () => {
    const { path } = fx('nofn', ['--layout', 'maxone', '--no-frame-nos']);
    const rec = await openMaxwell(path, {});
    expect(rec.source_info?.frame_gaps).toEqual([]);
    expect(rec.source_info?.details).toMatchObject({ frame_numbers: null, frame_gaps_checked: false, frame_gap_count: null });
    rec.close();
    const small = join(tmp.dir, 'legacy-small.raw.h5');
    runPythonCode(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = np.array([b"20160704"])
    m = np.zeros(2, dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    m["channel"] = [0, 1]
    f["mapping"] = m; f["settings/lsb"] = np.array([1e-6]); f["sig"] = np.zeros((4, 10), np.uint16)
`, [small]);
    const old = await openMaxwell(small, {});
    expect(old.source_info?.details.frame_numbers).toBeNull();
    expect(old.source_info?.frame_gaps).toEqual([]);
    old.close();

    const zeroed = fx('legacy-zeroed', ['--layout', 'legacy']).path;
    runPythonCode(`
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["sig"][1026:1028, :] = 0
`, [zeroed]);
    const z = await openMaxwell(zeroed, {});
    expect(z.source_info?.frame_gaps).toEqual([]);
    expect(z.source_info?.details).toMatchObject({
      frame_numbers: '/sig rows 1026 (low 16 bits) and 1027 (high 16 bits)', frame_gaps_checked: false, frame_gap_count: null,
      frame_numbers_error: 'frame numbers go from 0 to 0 over 3000 samples, so they are no running counter; gaps not checked',
    });
    z.close();
  });

  it('frame numbers that repeat count as backsteps; the jump after a repeat is a gap', async () => {
    const { path } = fx('repeat', ['--layout', 'maxone', '--gaps', '']);
    runPythonCode(`
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    d = f["wells/well000/rec0000/groups/routed/frame_nos"]
    d[10] = d[9]
`, [path]);
    const rec = await openMaxwell(path, {});
    expect(rec.source_info?.frame_gaps).toEqual([{ after_frame: 10, missing_frames: 1 }]);
    expect(rec.source_info?.details.frame_number_backsteps).toBe(1);
    rec.close();
  });

  it('frame_nos under a filter we cannot decode: the samples still open, the gap check is skipped and says why', async () => {
    const { path } = fx('fn-vendor', ['--layout', 'maxone', '--frame-nos-compression', 'vendor']);
    const rec = await openMaxwell(path, {});
    expect(rec.source_info?.frame_gaps).toEqual([]);
    expect(rec.source_info?.details.frame_numbers_error).toMatch(/HDF5 filter 32769 .*gaps not checked/);
    expect(rec.source_info?.details.frame_gaps_checked).toBe(false);
    expect(rec.getTraces(0, 10).length).toBe(10 * 16);
    rec.close();
  });

  it('compressed variants (gzip+shuffle, lzf, blosc/zstd, zstd, lz4, bzip2) decode to the uncompressed samples', async () => {
    const plain = await openMaxwell(maxone.path, {});
    const want = plain.getTraces(0, plain.num_frames);
    plain.close();
    const expected: Record<string, string> = {
      gzip: 'shuffle(2)+deflate(1)', lzf: 'lzf(32000)', blosc: 'blosc(32001)', zstd: 'zstd(32015)', lz4: 'lz4(32004)', bzip2: 'bzip2(307)',
    };
    for (const [compression, filters] of Object.entries(expected)) {
      const { path, m } = fx(`maxone-${compression}`, ['--layout', 'maxone', '--compression', compression]);
      const rec = await openMaxwell(path, {});
      try {
        expect(rec.source_info?.details.compression).toBe(filters);
        expect(filters).toContain(`(${m.filter_id})`);
        expect(sameBytes(rec.getTraces(0, rec.num_frames), want)).toBe(true);
      } finally {
        rec.close();
      }
    }
    const { path } = fx('legacy-gzip', ['--layout', 'legacy', '--compression', 'gzip']);
    const [a, b] = [await openMaxwell(path, {}), await openMaxwell(legacy.path, {})];
    expect(sameBytes(a.getTraces(0, a.num_frames), b.getTraces(0, b.num_frames))).toBe(true);
    expect(a.source_info?.frame_gaps).toEqual(b.source_info?.frame_gaps);
    a.close();
    b.close();
  });

  it('an unavailable filter (vendor compression) → HDF5PluginMissingError at open naming filter and file (both layouts)', async () => {
    for (const [layout, stream] of [['maxone', 'well000'], ['legacy', 'well000'], ['maxtwo', 'well001']]) {
      const { path } = fx(`vendor-${layout}`, ['--layout', layout, '--compression', 'vendor']);
      const err = await openMaxwell(path, { stream_id: stream }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HDF5PluginMissingError);
      const e = err as HDF5PluginMissingError;
      expect(e.message).toContain(path);
      expect(e.message).toMatch(/HDF5 filter 32769/);
      expect(e.message).toContain(layout === 'legacy' ? '/sig' : `/wells/${stream}/rec0000/groups/routed/raw`);
      expect(e.attributes).toMatchObject({ filter_id: 32769, file: path });
      expect(e.family).toBe('environment');
    }
  });

  it('a corrupt chunk is an InvalidRecordingError (at open for the first chunk, on read for a later one), never garbage', async () => {
    const corrupt = (path: string, chunk: number): void => {
      runPythonCode(`
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    info = f["wells/well000/rec0000/groups/routed/raw"].id.get_chunk_info(int(sys.argv[2]))
with open(sys.argv[1], "r+b") as fh:
    fh.seek(info.byte_offset + info.size // 2)
    fh.write(bytes(range(7, 71)))
`, [path, String(chunk)]);
    };
    const first = fx('corrupt-first', ['--layout', 'maxone', '--compression', 'gzip']).path;
    corrupt(first, 0);
    await expectInvalid(openMaxwell(first, {}), first, /first sample of .*raw cannot be read/);

    const later = fx('corrupt-later', ['--layout', 'maxone', '--compression', 'gzip']).path;
    corrupt(later, 3); // frames [1500, 2000)
    const rec = await openMaxwell(later, {});
    expect(rec.getTraces(0, 1500).length).toBe(1500 * 16);
    let err: unknown = null;
    try {
      rec.getTraces(1400, 1600);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidRecordingError);
    expect((err as Error).message).toContain(later);
    expect((err as Error).message).toMatch(/frames \[1400, 1600\) failed/);
    rec.close();
  });

  it('channel subsets: same values as the full read, in the requested order; bad indices throw', async () => {
    const rec = await openMaxwell(legacy.path, {});
    const full = rec.getTraces(100, 200);
    const pick = [11, 0, 11, 5];
    const sub = rec.getTraces(100, 200, pick);
    const want = new Float32Array(100 * pick.length);
    for (let f = 0; f < 100; f++) pick.forEach((c, j) => { want[f * pick.length + j] = full[f * 12 + c]; });
    expect(sameBytes(sub, want)).toBe(true);
    expect(rec.getTraces(100, 200, []).length).toBe(0);
    expect(() => rec.getTraces(0, 1, [12])).toThrow(RangeError);
    rec.close();
  });

  it('legacy /sig with status rows: a mapping channel beyond the 1024 amplifier rows is refused', async () => {
    const path = join(tmp.dir, 'legacy-badch.raw.h5');
    runPythonCode(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = np.array([b"20160704"])
    m = np.zeros(2, dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    m["channel"] = [3, 1026]
    f["mapping"] = m; f["settings/lsb"] = np.array([1e-6]); f["sig"] = np.zeros((1028, 10), np.uint16)
`, [path]);
    await expectInvalid(openMaxwell(path, {}), path, /mapping channel 1026 has no row in \/sig \(1028 rows, of which the first 1024 are channels\)/);
  });
});

describe('frame gap search (pure)', () => {
  /** Deterministic pseudo-random frame numbers: steps of 1, with jumps and (optionally) repeats. */
  function frameNumbers(n: number, seed: number, repeats: boolean): Float64Array {
    let x = seed;
    const rnd = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
    const out = new Float64Array(n);
    out[0] = 5000 + Math.floor(rnd() * 100);
    for (let i = 1; i < n; i++) {
      const r = rnd();
      const step = r < 0.03 ? 2 + Math.floor(rnd() * 9) : repeats && r < 0.05 ? 0 : 1;
      out[i] = out[i - 1] + step;
    }
    return out;
  }
  function brute(v: Float64Array): { gaps: { after_frame: number; missing_frames: number }[]; backsteps: number } {
    const gaps: { after_frame: number; missing_frames: number }[] = [];
    let backsteps = 0;
    for (let i = 1; i < v.length; i++) {
      const d = v[i] - v[i - 1];
      if (d > 1) gaps.push({ after_frame: i - 1, missing_frames: d - 1 });
      else if (d <= 0) backsteps++;
    }
    return { gaps, backsteps };
  }

  it('chunked scan equals a brute-force pass for any chunk size (gaps across chunk boundaries included)', () => {
    for (const [n, seed] of [[1, 1], [2, 2], [500, 3], [1000, 4]]) {
      const v = frameNumbers(n, seed, true);
      const want = brute(v);
      for (const chunk of [1, 7, 64, n]) {
        const reads: [number, number][] = [];
        const got = scanFrameGaps(n, (s, e) => { reads.push([s, e]); return v.slice(s, e); }, chunk);
        expect(got.gaps).toEqual(want.gaps);
        expect(got.backsteps).toBe(want.backsteps);
        expect(got.first).toBe(v[0]);
        expect(got.last).toBe(v[n - 1]);
        expect(Math.max(...reads.map(([s, e]) => e - s))).toBeLessThanOrEqual(chunk);
      }
    }
    expect(scanFrameGaps(0, () => new Float64Array(0))).toMatchObject({ gaps: [], first: null, last: null });
  });

  it('bisection finds every gap of an increasing counter with few reads; limits mark the result truncated', () => {
    const v = frameNumbers(100000, 9, false);
    const want = brute(v);
    let reads = 0;
    const got = bisectFrameGaps(v.length, (i) => { reads++; return v[i]; }, 1_000_000);
    expect(got.gaps).toEqual(want.gaps);
    expect(got.gap_count).toBe(want.gaps.length);
    expect(got.missing_frames).toBe(want.gaps.reduce((a, g) => a + g.missing_frames, 0));
    expect(got.truncated).toBe(false);
    expect(reads).toBeLessThan(want.gaps.length * 2 * 17 + 2); // ≈ log₂(n) per gap, not n

    const capped = bisectFrameGaps(v.length, (i) => v[i], 100_000, 5);
    expect(capped.gaps).toEqual(want.gaps.slice(0, 5));
    expect(capped.gap_count).toBe(want.gaps.length);
    expect(capped.truncated).toBe(true);
    expect(bisectFrameGaps(v.length, (i) => v[i], 10).truncated).toBe(true);
    expect(bisectFrameGaps(1, () => 42)).toMatchObject({ gaps: [], first: 42, last: 42, truncated: false, searched: true });

    // Zeroed or wrapped status rows: one read per end, no search (it would read every sample).
    let zeroReads = 0;
    expect(bisectFrameGaps(1_000_000, () => { zeroReads++; return 0; })).toMatchObject({ gaps: [], searched: false });
    expect(zeroReads).toBe(2);
  });
});
