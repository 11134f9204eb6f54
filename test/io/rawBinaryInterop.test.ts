/**
 * The raw binary reader against SpikeInterface 0.104.9's read_binary (+ set_probegroup with
 * a probeinterface-written probe) on the same files: channel ids, locations, fs, frames and
 * float32 µV must be identical bit for bit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RawBinaryDtype, type RawBinaryParams, openRawBinary } from '../../src/io/raw_binary';
import { makeTempDir, readFloat32File, runPythonCode, runPythonScript } from './python';
import { firstDifference } from './assertions';

interface SiInfo {
  channel_ids: string[];
  locations: [number, number][] | null;
  sampling_frequency: number;
  num_frames: number;
  num_channels: number;
  error?: string;
}

const ARRAYS = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  float32: Float32Array, float64: Float64Array,
} as const;

/** Pseudo-random samples over most of `dtype`'s range, `header` bytes of junk first. */
function writeFile(path: string, dtype: RawBinaryDtype, count: number, header = 0): void {
  const arr = new ARRAYS[dtype](count);
  let x = 12345;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const u = x / 2 ** 32;
    if (dtype === 'float32' || dtype === 'float64') arr[i] = (u - 0.5) * 2e4;
    else if (dtype === 'int32') arr[i] = Math.floor((u - 0.5) * 4e9);
    else if (dtype === 'uint8' || dtype === 'uint16') arr[i] = Math.floor(u * (dtype === 'uint8' ? 256 : 65536));
    else arr[i] = Math.floor((u - 0.5) * (dtype === 'int8' ? 256 : 65536));
  }
  writeFileSync(path, Buffer.concat([Buffer.alloc(header, 7), Buffer.from(arr.buffer)]));
}


describe('raw binary interop with SpikeInterface read_binary', () => {
  const tmp = makeTempDir('rawbin-si');
  let n = 0;
  afterAll(() => tmp.cleanup());

  /** Our params → read_binary's keyword arguments (its spellings: gain_to_uV, file_offset). */
  function siKwargs(p: Partial<RawBinaryParams>): Record<string, unknown> {
    const kw: Record<string, unknown> = {
      sampling_frequency: p.sampling_frequency, num_channels: p.num_channels, dtype: p.dtype,
      time_axis: p.time_axis ?? 0, file_offset: p.file_offset_bytes ?? 0,
    };
    // SpikeInterface scales only when both gain and offset are set (a gain alone is ignored for
    // float data and refused for integers); ours defaults the offset to 0 (spec §3.3), so say so.
    if (p.gain_to_uv !== undefined) {
      kw.gain_to_uV = p.gain_to_uv;
      kw.offset_to_uV = p.offset_to_uv ?? 0;
    }
    if (p.channel_ids !== undefined) kw.channel_ids = p.channel_ids;
    return kw;
  }

  function si(path: string, p: Partial<RawBinaryParams>, window: [number, number, number[]?], probe?: string): { info: SiInfo; traces: Float32Array } {
    const out = join(tmp.dir, `si-${n++}.f32`);
    const args: (string | number)[] = ['--format', 'binary', path, '--params', JSON.stringify(siKwargs(p)), '--out', out,
      '--start', window[0], '--end', window[1]];
    if (window[2]) args.push('--channels', window[2].join(','));
    if (probe) args.push('--probe', probe);
    const info = JSON.parse(runPythonScript('si_read_nwb_binary.py', args)) as SiInfo;
    expect(info.error).toBeUndefined();
    return { info, traces: readFloat32File(out) };
  }

  async function compare(name: string, dtype: RawBinaryDtype, frames: number, p: Partial<RawBinaryParams>,
    windows: [number, number, number[]?][], header = 0): Promise<void> {
    const path = join(tmp.dir, `${name}.dat`);
    const nch = p.num_channels as number;
    writeFile(path, dtype, frames * nch, header);
    const params: Partial<RawBinaryParams> = { dtype, locations: Array.from({ length: nch }, (_, i) => [0, 10 * i]), ...p };
    const rec = await openRawBinary(path, params);
    try {
      for (const w of windows) {
        const { info, traces } = si(path, params, w);
        expect(rec.channel_ids).toEqual(info.channel_ids);
        expect([rec.sampling_frequency, rec.num_frames, rec.num_channels]).toEqual([info.sampling_frequency, info.num_frames, info.num_channels]);
        expect(firstDifference(rec.getTraces(w[0], w[1], w[2]), traces)).toBeNull();
      }
    } finally {
      rec.close();
    }
  }

  it('int16, scalar gain / offset, frame-major: full read, a window, a channel selection', async () => {
    await compare('i16', 'int16', 3000, { sampling_frequency: 30000, num_channels: 7, gain_to_uv: 0.195, offset_to_uv: -12.3 },
      [[0, 3000], [1111, 2222, [6, 0, 3]]]);
  }, 60_000);

  it('int32 beyond float32 precision with per-channel gains / offsets and channel ids', async () => {
    await compare('i32', 'int32', 2000, {
      sampling_frequency: 20000, num_channels: 3, gain_to_uv: [0.1, 0.0003, 7.7], offset_to_uv: [1.5, -2.25, 1e3],
      channel_ids: ['a', 'b', 'c'],
    }, [[0, 2000]]);
  }, 60_000);

  it('uint16 with the usual unsigned offset, after a 37-byte header', async () => {
    await compare('u16', 'uint16', 2500, {
      sampling_frequency: 20000, num_channels: 4, gain_to_uv: 6.294, offset_to_uv: -32768 * 6.294, file_offset_bytes: 37,
    }, [[0, 2500], [17, 99]], 37);
  }, 60_000);

  it('float64 unscaled and scaled, float32 / int8 / uint8 with gains and offsets', async () => {
    await compare('f64', 'float64', 1000, { sampling_frequency: 1000, num_channels: 3 }, [[0, 1000]]);
    await compare('f64s', 'float64', 1000, { sampling_frequency: 1000, num_channels: 3, gain_to_uv: 0.3, offset_to_uv: 2 }, [[0, 1000]]);
    await compare('f32', 'float32', 1000, { sampling_frequency: 1000, num_channels: 3, gain_to_uv: 1.1 }, [[0, 1000]]);
    await compare('i8', 'int8', 1000, { sampling_frequency: 1000, num_channels: 5, gain_to_uv: 0.37, offset_to_uv: 3 }, [[0, 1000]]);
    await compare('u8', 'uint8', 1000, { sampling_frequency: 1000, num_channels: 2, gain_to_uv: 2.5, offset_to_uv: -320 }, [[0, 1000]]);
  }, 120_000);

  it('time_axis 1, full read (SpikeInterface 0.104.9 only reads channel-major files right from frame 0 to the end)', async () => {
    await compare('cm', 'int16', 1500, { sampling_frequency: 1000, num_channels: 6, gain_to_uv: 0.5, time_axis: 1 }, [[0, 1500]]);
  }, 60_000);

  it('a probe written by probeinterface: same wired channels, order, ids and locations as set_probegroup', async () => {
    const path = join(tmp.dir, 'probe.dat');
    // Not `probe.json`: next to `probe.dat` that name is the data file's sidecar.
    const probe = join(tmp.dir, 'wiring.json');
    writeFile(path, 'int16', 800 * 6);
    runPythonCode(`
import sys
import numpy as np
from probeinterface import Probe, ProbeGroup, write_probeinterface
g = ProbeGroup()
p = Probe(ndim=2, si_units="um")
p.set_contacts(positions=np.array([[0, 0], [0, 20], [16, 40], [16, 60], [32, 80]], float), shapes="circle", shape_params={"radius": 5})
p.set_contact_ids(["c0", "c1", "c2", "c3", "c4"])
p.set_device_channel_indices([4, 0, -1, 5, 2])
g.add_probe(p)
write_probeinterface(sys.argv[1], g)
`, [probe]);
    const params: Partial<RawBinaryParams> = {
      sampling_frequency: 25000, num_channels: 6, dtype: 'int16', gain_to_uv: 0.195, channel_ids: ['A', 'B', 'C', 'D', 'E', 'F'],
      probe_path: probe,
    };
    const rec = await openRawBinary(path, params);
    try {
      const { info, traces } = si(path, params, [0, 800], probe);
      expect(rec.channel_ids).toEqual(['A', 'C', 'E', 'F']);
      expect(rec.channel_ids).toEqual(info.channel_ids);
      expect(rec.locations).toEqual(info.locations);
      expect(firstDifference(rec.getTraces(0, 800), traces)).toBeNull();
    } finally {
      rec.close();
    }
  }, 60_000);
});
