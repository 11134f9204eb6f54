/**
 * Raw binary reader: parameters from the caller / sidecar / probe files, every dtype and
 * layout against values written here, and the refusals. rawBinaryInterop.test.ts checks the
 * same kind of files against SpikeInterface's read_binary.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RecordingNotFoundError } from '../../src/errors';
import { type RawBinaryDtype, openRawBinary, sidecarCandidates } from '../../src/io/raw_binary';
import { makeTempDir } from './python';
import { expectInvalid } from './assertions';

const ARRAYS = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  float32: Float32Array, float64: Float64Array,
} as const;

/** Frame-major `values` (frames × nch) as little-endian `dtype`, optionally channel-major and after a header. */
function writeBinary(path: string, dtype: RawBinaryDtype, values: readonly number[], nch: number,
  opts: { time_axis?: 0 | 1; header?: number } = {}): void {
  const frames = values.length / nch;
  const ordered = opts.time_axis === 1
    ? Array.from({ length: values.length }, (_, i) => values[(i % frames) * nch + Math.floor(i / frames)])
    : values;
  const arr = new ARRAYS[dtype](ordered.length);
  ordered.forEach((v, i) => { arr[i] = v; });
  // Tests run on little-endian hosts; the typed array's bytes are the file's bytes.
  const body = Buffer.from(arr.buffer);
  writeFileSync(path, Buffer.concat([Buffer.alloc(opts.header ?? 0, 0xab), body]));
}

/** Deterministic samples spanning `dtype`'s range (int32 beyond float32's 24-bit mantissa). */
function samples(dtype: RawBinaryDtype, frames: number, nch: number): number[] {
  const out: number[] = [];
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < nch; c++) {
      const u = ((f * 7919 + c * 104729) % 65536) / 65535; // in [0, 1]
      switch (dtype) {
        case 'int8': out.push(Math.round(u * 255) - 128); break;
        case 'uint8': out.push(Math.round(u * 255)); break;
        case 'int16': out.push(Math.round(u * 65535) - 32768); break;
        case 'uint16': out.push(Math.round(u * 65535)); break;
        case 'int32': out.push(Math.round(u * 4_000_000_000) - 2_000_000_000 + 1); break;
        case 'float32': out.push(Math.fround((u - 0.5) * 1000)); break;
        case 'float64': out.push((u - 0.5) * 1000 + 1e-9); break;
      }
    }
  }
  return out;
}


const GRID = (n: number): [number, number][] => Array.from({ length: n }, (_, i) => [16 * (i % 2), 20 * Math.floor(i / 2)]);

describe('openRawBinary', () => {
  const tmp = makeTempDir('rawbin');
  let seq = 0;
  /** A fresh folder per test, so sidecars of one test never reach another. */
  const dir = (): string => {
    const d = join(tmp.dir, `t${seq++}`);
    mkdirSync(d);
    return d;
  };
  afterAll(() => tmp.cleanup());

  it('reads int16 frame-major with everything from <file>.json: ids, locations, fs, µV, source_info', async () => {
    const path = join(dir(), 'rec.dat');
    const values = samples('int16', 1000, 4);
    writeBinary(path, 'int16', values, 4);
    writeFileSync(`${path}.json`, JSON.stringify({
      sampling_frequency: 30000, num_channels: 4, dtype: 'int16', gain_to_uv: 0.195, offset_to_uv: -12.5, locations: GRID(4),
    }));
    const rec = await openRawBinary(path, {});
    try {
      expect([rec.sampling_frequency, rec.num_channels, rec.num_frames]).toEqual([30000, 4, 1000]);
      expect(rec.channel_ids).toEqual(['0', '1', '2', '3']);
      expect(rec.locations).toEqual(GRID(4));
      expect(rec.electrodes).toBeNull();
      expect(rec.source_info).toEqual({
        format: 'binary', dtype: 'int16', gain_to_uv: new Array(4).fill(Math.fround(0.195)), offset_to_uv: new Array(4).fill(-12.5),
        stream_id: null, streams: [], frame_gaps: [],
        details: {
          time_axis: 0, file_offset_bytes: 0, stored_channels: 4, unwired_channels: 0, sidecar: `${path}.json`, probe_path: null,
          locations_from: 'locations', defaults_used: 'time_axis, file_offset_bytes, channel_ids',
        },
      });
      const t = rec.getTraces(100, 900);
      for (let i = 0; i < t.length; i++) expect(Math.abs(t[i] - (values[400 + i] * 0.195 - 12.5))).toBeLessThan(32768 * 0.195 * 2 ** -22);
      const sel = [3, 0, 0];
      const part = rec.getTraces(100, 900, sel);
      for (let f = 0; f < 800; f++) sel.forEach((c, j) => expect(part[f * 3 + j]).toBe(t[f * 4 + c]));
      expect(() => rec.getTraces(0, 1001)).toThrow(RangeError);
      expect(() => rec.getTraces(0, 1, [4])).toThrow(RangeError);
    } finally {
      rec.close();
    }
    rec.close();
    expect(() => rec.getTraces(0, 1)).toThrow(/closed/);
  });

  it.each(Object.keys(ARRAYS) as RawBinaryDtype[])('decodes %s little-endian samples, cast to float32 like numpy', async (dtype) => {
    const path = join(dir(), `rec_${dtype}.bin`);
    const values = samples(dtype, 257, 3);
    writeBinary(path, dtype, values, 3);
    const rec = await openRawBinary(path, { sampling_frequency: 1000, num_channels: 3, dtype, locations: GRID(3) });
    try {
      expect(rec.source_info?.dtype).toBe(dtype);
      expect(Array.from(rec.getTraces(0, 257))).toEqual(values.map(Math.fround));
    } finally {
      rec.close();
    }
  });

  it('falls back to <dir>/<stem>.json, prefers <file>.json, and lets the caller override both', async () => {
    const d = dir();
    const path = join(d, 'session1.dat');
    writeBinary(path, 'int16', samples('int16', 10, 2), 2);
    expect(sidecarCandidates(path)).toEqual([`${path}.json`, join(d, 'session1.json')]);
    writeFileSync(join(d, 'session1.json'), JSON.stringify({ sampling_frequency: 20000, num_channels: 2, dtype: 'int16', locations: GRID(2) }));
    const a = await openRawBinary(path, {});
    expect([a.sampling_frequency, a.source_info?.details.sidecar]).toEqual([20000, join(d, 'session1.json')]);
    a.close();
    writeFileSync(`${path}.json`, JSON.stringify({ sampling_frequency: 25000, num_channels: 2, dtype: 'int16', locations: GRID(2) }));
    const b = await openRawBinary(path, {});
    expect(b.sampling_frequency).toBe(25000);
    b.close();
    const c = await openRawBinary(path, { sampling_frequency: 10000, channel_ids: ['a', 'b'], gain_to_uv: [1, 2] });
    expect([c.sampling_frequency, c.channel_ids, c.source_info?.gain_to_uv]).toEqual([10000, ['a', 'b'], [1, 2]]);
    expect(Array.from(c.getTraces(0, 1))).toEqual([samples('int16', 1, 2)[0], samples('int16', 1, 2)[1] * 2]);
    c.close();
  });

  it('per-channel gains / offsets apply per stored channel', async () => {
    const path = join(dir(), 'pc.dat');
    writeBinary(path, 'int16', [1, 1, 1, -2, -2, -2], 3);
    const rec = await openRawBinary(path, {
      sampling_frequency: 1, num_channels: 3, dtype: 'int16', gain_to_uv: [1, 10, 100], offset_to_uv: [0, 5, -5], locations: GRID(3),
    });
    expect(Array.from(rec.getTraces(0, 2))).toEqual([1, 15, 95, -2, -15, -205]);
    rec.close();
  });

  it('time_axis 1 (channel-major) and a header (file_offset_bytes) read the same µV as the plain file, window by window', async () => {
    const d = dir();
    const values = samples('int16', 5000, 5);
    const base = { sampling_frequency: 1000, num_channels: 5, dtype: 'int16' as const, gain_to_uv: 0.5, locations: GRID(5) };
    writeBinary(join(d, 'plain.dat'), 'int16', values, 5);
    writeBinary(join(d, 'cm.dat'), 'int16', values, 5, { time_axis: 1, header: 100 });
    const plain = await openRawBinary(join(d, 'plain.dat'), base);
    const cm = await openRawBinary(join(d, 'cm.dat'), { ...base, time_axis: 1, file_offset_bytes: 100 });
    try {
      expect(cm.num_frames).toBe(5000);
      for (const [s, e, sel] of [[0, 5000, undefined], [1234, 1300, undefined], [4999, 5000, [4, 1]], [10, 4000, [2]]] as const) {
        expect(Array.from(cm.getTraces(s, e, sel))).toEqual(Array.from(plain.getTraces(s, e, sel)));
      }
      expect(cm.getTraces(0, 1)[0]).toBe(values[0] * 0.5);
    } finally {
      plain.close();
      cm.close();
    }
  });

  it('probeinterface JSON: keeps wired channels sorted by device channel index, like set_probe', async () => {
    const d = dir();
    const path = join(d, 'rec.dat');
    const values = samples('int16', 100, 4);
    writeBinary(path, 'int16', values, 4);
    // Contact k sits at (0, 10k) and is wired to channel dci[k]; stored channel 1 is not wired.
    writeFileSync(join(d, 'probe.json'), JSON.stringify({
      specification: 'probeinterface', version: '0.2.24',
      probes: [{ ndim: 2, si_units: 'um', contact_positions: [[0, 0], [0, 10], [0, 20], [0, 30]],
        contact_ids: ['e0', 'e1', 'e2', 'e3'], device_channel_indices: [3, -1, 0, 2] }],
    }));
    writeFileSync(join(d, 'rec.json'), JSON.stringify({
      sampling_frequency: 1000, num_channels: 4, dtype: 'int16', channel_ids: ['A', 'B', 'C', 'D'], probe_path: 'probe.json',
    }));
    const rec = await openRawBinary(path, {});
    try {
      expect(rec.num_channels).toBe(3);
      expect(rec.channel_ids).toEqual(['A', 'C', 'D']);
      expect(rec.locations).toEqual([[0, 20], [0, 30], [0, 0]]);
      expect(rec.source_info?.details).toMatchObject({ unwired_channels: 1, locations_from: 'probeinterface', probe_path: join(d, 'probe.json') });
      const t = rec.getTraces(0, 100);
      for (let f = 0; f < 100; f++) [0, 2, 3].forEach((c, j) => expect(t[f * 3 + j]).toBe(values[f * 4 + c]));
    } finally {
      rec.close();
    }
  });

  it('probeinterface JSON without wiring maps contact i to channel i; a simple geometry file gives locations and ids', async () => {
    const d = dir();
    const path = join(d, 'rec.dat');
    writeBinary(path, 'int16', samples('int16', 10, 2), 2);
    writeFileSync(join(d, 'p.json'), JSON.stringify({ probes: [{ contact_positions: [[1, 2], [3, 4]] }] }));
    writeFileSync(join(d, 'g.json'), JSON.stringify({ locations: [[5, 6], [7, 8]], channel_ids: ['x', 'y'] }));
    const base = { sampling_frequency: 1000, num_channels: 2, dtype: 'int16' as const };
    const a = await openRawBinary(path, { ...base, probe_path: join(d, 'p.json') });
    expect([a.channel_ids, a.locations]).toEqual([['0', '1'], [[1, 2], [3, 4]]]);
    a.close();
    const b = await openRawBinary(path, { ...base, probe_path: join(d, 'g.json') });
    expect([b.channel_ids, b.locations, b.source_info?.details.locations_from]).toEqual([['x', 'y'], [[5, 6], [7, 8]], 'geometry file']);
    b.close();
  });

  it('streams windows of an 8 GB (sparse) file, so it never loads the file whole', async () => {
    const path = join(dir(), 'big.dat');
    const nch = 64;
    const frames = 2 ** 26; // 64 Mi frames × 64 ch × 2 B = 8 GiB
    const fd = openSync(path, 'w');
    try {
      const tail = Int16Array.from({ length: 10 * nch }, (_, i) => i - 300);
      writeSync(fd, Buffer.from(tail.buffer), 0, tail.byteLength, (frames - 10) * nch * 2);
    } finally {
      closeSync(fd);
    }
    const rec = await openRawBinary(path, { sampling_frequency: 20000, num_channels: nch, dtype: 'int16', locations: GRID(nch) });
    try {
      expect(rec.num_frames).toBe(frames);
      expect(Array.from(rec.getTraces(frames / 2, frames / 2 + 3, [5]))).toEqual([0, 0, 0]);
      const end = rec.getTraces(frames - 10, frames);
      expect(end[0]).toBe(-300);
      expect(end[end.length - 1]).toBe(10 * nch - 1 - 300);
    } finally {
      rec.close();
      rmSync(path);
    }
  });

  describe('refusals', () => {
    it('missing file → RecordingNotFoundError; a directory → InvalidRecordingError', async () => {
      await expect(openRawBinary(join(tmp.dir, 'nope.dat'), {})).rejects.toBeInstanceOf(RecordingNotFoundError);
      const d = dir();
      await expectInvalid(openRawBinary(d, {}), d, /not a regular file/);
    });

    it('names every missing parameter, the file and the sidecar it looked for', async () => {
      const path = join(dir(), 'bare.dat');
      writeBinary(path, 'int16', [1, 2], 2);
      const e = await expectInvalid(openRawBinary(path, {}), path,
        /missing sampling_frequency, num_channels, dtype, locations \(or probe_path\)/, 'sampling_frequency');
      expect(e.message).toContain(`${path}.json`);
      expect(e.message).toMatch(/no sidecar found/);
      // A partial sidecar: only what it lacks is named, and the sidecar is mentioned.
      writeFileSync(`${path}.json`, JSON.stringify({ num_channels: 2, locations: GRID(2) }));
      const p = await expectInvalid(openRawBinary(path, {}), path, /missing sampling_frequency, dtype: /, 'sampling_frequency');
      expect(p.message).toContain(`sidecar ${path}.json does not set them either`);
    });

    it('a file size that is not a whole number of frames after the offset', async () => {
      const path = join(dir(), 'odd.dat');
      writeFileSync(path, Buffer.alloc(2 * 3 * 10 + 2));
      const base = { sampling_frequency: 1, num_channels: 3, dtype: 'int16' as const, locations: GRID(3) };
      await expectInvalid(openRawBinary(path, base), path, /62 data bytes .* is not a multiple of the frame size 6/, 'size');
      // The same bytes with a 2-byte header are fine.
      const ok = await openRawBinary(path, { ...base, file_offset_bytes: 2 });
      expect(ok.num_frames).toBe(10);
      ok.close();
      await expectInvalid(openRawBinary(path, { ...base, file_offset_bytes: 100 }), path, /beyond the end of the file/, 'file_offset_bytes');
      const empty = join(dir(), 'empty.dat');
      writeFileSync(empty, '');
      await expectInvalid(openRawBinary(empty, base), empty, /0 samples/, 'size');
    });

    it('unsupported dtype, from the caller or the sidecar', async () => {
      const path = join(dir(), 'x.dat');
      writeBinary(path, 'int16', [1, 2], 2);
      const base = { sampling_frequency: 1, num_channels: 2, locations: GRID(2) };
      await expectInvalid(openRawBinary(path, { ...base, dtype: 'int64' as RawBinaryDtype }), path,
        /parameters: dtype must be one of int16, uint16, int32, float32, float64, int8, uint8/, 'dtype');
      writeFileSync(`${path}.json`, JSON.stringify({ dtype: '<i2' }));
      await expectInvalid(openRawBinary(path, base), path, new RegExp(`sidecar ${path}.json: dtype must be one of`), 'dtype');
    });

    it('a sidecar with bad JSON names the sidecar and the JSON error', async () => {
      const path = join(dir(), 'bad.dat');
      writeBinary(path, 'int16', [1, 2], 2);
      writeFileSync(`${path}.json`, '{"sampling_frequency": 30000,, }');
      const e = await expectInvalid(openRawBinary(path, {}), path, new RegExp(`sidecar ${path}\\.json is not valid JSON: .*(Unexpected|Expected)`));
      expect(e.attributes.field).toBe(`${path}.json`);
      writeFileSync(`${path}.json`, '[1, 2]');
      await expectInvalid(openRawBinary(path, {}), path, /must hold a JSON object/);
    });

    it("unknown sidecar keys (SpikeInterface's gain_to_uV spelling) and per-channel arrays of the wrong length", async () => {
      const path = join(dir(), 'k.dat');
      writeBinary(path, 'int16', [1, 2], 2);
      writeFileSync(`${path}.json`, JSON.stringify({ sampling_frequency: 1, num_channels: 2, dtype: 'int16', gain_to_uV: 0.195 }));
      await expectInvalid(openRawBinary(path, { locations: GRID(2) }), path, /unknown key\(s\) gain_to_uV; allowed keys: .*gain_to_uv/,
        'gain_to_uV');
      rmSync(`${path}.json`);
      // A probe file named like the data's stem is read as its sidecar: the message says so.
      writeFileSync(join(dirname(path), 'k.json'), JSON.stringify({ probes: [{ contact_positions: [[0, 0], [0, 1]] }] }));
      await expectInvalid(openRawBinary(path, {}), path, /unknown key\(s\) probes \(it looks like a probe file: rename it/);
      rmSync(join(dirname(path), 'k.json'));
      const base = { sampling_frequency: 1, num_channels: 2, dtype: 'int16' as const };
      await expectInvalid(openRawBinary(path, { ...base, locations: GRID(2), gain_to_uv: [1, 2, 3] }), path,
        /gain_to_uv has 3 entries but num_channels is 2/, 'gain_to_uv');
      await expectInvalid(openRawBinary(path, { ...base, locations: GRID(3) }), path, /locations has 3 entries/, 'locations');
      await expectInvalid(openRawBinary(path, { ...base, locations: GRID(2), channel_ids: ['a', 'a'] }), path, /'a' appears more than once/);
    });

    it('probe files that do not fit the channels', async () => {
      const d = dir();
      const path = join(d, 'p.dat');
      writeBinary(path, 'int16', [1, 2], 2);
      const base = { sampling_frequency: 1, num_channels: 2, dtype: 'int16' as const };
      const probe = (name: string, body: unknown): string => {
        writeFileSync(join(d, name), JSON.stringify(body));
        return join(d, name);
      };
      await expectInvalid(openRawBinary(path, { ...base, probe_path: probe('a.json', { probes: [{ contact_positions: [[0, 0], [0, 1]],
        device_channel_indices: [0, 2] }] }) }), path, /device channel index 2 is out of range for 2 channels/, 'probe_path');
      await expectInvalid(openRawBinary(path, { ...base, probe_path: probe('b.json', { probes: [{ contact_positions: [[0, 0], [0, 1]],
        device_channel_indices: [1, 1] }] }) }), path, /index 1 is wired to two contacts/);
      await expectInvalid(openRawBinary(path, { ...base, probe_path: probe('c.json', { probes: [{ contact_positions: [[0, 0]] }] }) }), path,
        /no device_channel_indices and the contacts \(1\) do not map one to one onto the 2 channels/);
      await expectInvalid(openRawBinary(path, { ...base, probe_path: probe('d.json', { positions: [] }) }), path,
        /neither probeinterface JSON/);
      await expect(openRawBinary(path, { ...base, probe_path: join(d, 'missing.json') })).rejects.toBeInstanceOf(RecordingNotFoundError);
    });
  });
});
