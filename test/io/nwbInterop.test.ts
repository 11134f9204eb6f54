/**
 * The NWB reader against SpikeInterface 0.104.9 (`read_nwb_recording`, the reference loader
 * of pipeline spec §3.1) on the same pynwb-written files: channel ids, locations, groups,
 * brain areas, sampling rate, gains / offsets and µV traces must match bit for bit.
 */
import { join } from 'node:path';
import { type NwbRecording, openNwb } from '../../src/io/nwb';
import { makeTempDir, readFloat32File, runPythonScript } from './python';
import { firstDifference } from './assertions';

interface SiInfo {
  channel_ids: string[];
  locations: [number, number][] | null;
  sampling_frequency: number;
  num_frames: number;
  num_channels: number;
  dtype: string;
  gain_to_uv: number[];
  offset_to_uv: number[];
  properties: { group?: string[]; brain_area?: string[] };
  streams: string[];
  error_type?: string;
  error?: string;
}


describe('NWB interop with SpikeInterface', () => {
  const tmp = makeTempDir('nwb-si');
  const file = (v: string): string => join(tmp.dir, `${v}.nwb`);
  let outCount = 0;
  beforeAll(() => {
    runPythonScript('make_nwb_fixture.py', [tmp.dir, 'rate', 'permuted', 'multi', 'timestamps', 'gzip', 'float32', 'channel_name']);
  }, 60_000);
  afterAll(() => tmp.cleanup());

  /** SpikeInterface's view of `path` and, for a window, its µV traces. */
  function si(path: string, opts: { stream?: string; start?: number; end?: number; channels?: number[] } = {}): { info: SiInfo; traces: Float32Array | null } {
    const out = join(tmp.dir, `si-${outCount++}.f32`);
    const args: (string | number)[] = ['--format', 'nwb', path];
    if (opts.stream !== undefined) args.push('--stream', opts.stream);
    const window = opts.start !== undefined;
    if (window) args.push('--out', out, '--start', opts.start ?? 0, '--end', opts.end ?? 0);
    if (opts.channels) args.push('--channels', opts.channels.join(','));
    const info = JSON.parse(runPythonScript('si_read_nwb_binary.py', args)) as SiInfo;
    return { info, traces: window && info.error === undefined ? readFloat32File(out) : null };
  }

  function expectSameMetadata(rec: NwbRecording, info: SiInfo): void {
    expect(info.error).toBeUndefined();
    expect(rec.channel_ids).toEqual(info.channel_ids);
    expect(rec.sampling_frequency).toBe(info.sampling_frequency);
    expect(rec.num_frames).toBe(info.num_frames);
    expect(rec.num_channels).toBe(info.num_channels);
    expect(rec.source_info.dtype).toBe(info.dtype);
    expect(rec.source_info.gain_to_uv).toEqual(info.gain_to_uv);
    expect(rec.source_info.offset_to_uv).toEqual(info.offset_to_uv);
    expect(rec.channel_groups).toEqual(info.properties.group ?? null);
    expect(rec.brain_areas).toEqual(info.properties.brain_area ?? null);
    if (info.locations !== null) expect(rec.locations).toEqual(info.locations);
  }

  async function compare(variant: string, windows: [number, number, number[]?][], stream?: string): Promise<void> {
    const rec = await openNwb(file(variant), { stream_id: stream ?? null });
    try {
      for (const [s, e, channels] of windows) {
        const { info, traces } = si(file(variant), { stream, start: s, end: e, channels });
        expectSameMetadata(rec, info);
        expect(firstDifference(rec.getTraces(s, e, channels), traces as Float32Array)).toBeNull();
      }
    } finally {
      rec.close();
    }
  }

  it('int16 with rate, channel_conversion and offset: metadata and all µV identical (rate.nwb)', async () => {
    await compare('rate', [[0, 20000], [1234, 5678, [5, 0, 3]]]);
  }, 60_000);

  it('gzip-compressed chunked data (gzip.nwb)', async () => {
    await compare('gzip', [[999, 7321]]);
  }, 60_000);

  it('float32 data with float32 attributes: same float32 gains / offsets (float32.nwb)', async () => {
    await compare('float32', [[0, 20000]]);
  }, 60_000);

  it('int32 data beyond float32 precision, channel_name ids, electrodes offset column (channel_name.nwb)', async () => {
    await compare('channel_name', [[0, 20000]]);
  }, 60_000);

  it('rate estimated from timestamps is the same double (timestamps.nwb)', async () => {
    await compare('timestamps', [[4990, 5010]]);
  }, 60_000);

  it('x/y-only tables: SpikeInterface has no locations, we fall back to x/y', async () => {
    const { info } = si(file('float32'));
    expect(info.locations).toBeNull();
    const rec = await openNwb(file('float32'), {});
    expect(rec.source_info.details.locations_from).toBe('x/y');
    rec.close();
  }, 60_000);

  it("multi-stream: every SpikeInterface electrical_series_path opens here and reads the same; neither guesses", async () => {
    const { info } = si(file('multi'));
    expect(info.error).toMatch(/Multiple ElectricalSeries/);
    await expect(openNwb(file('multi'), {})).rejects.toThrow(/choose one with stream_id/);
    expect(info.streams).toEqual([
      'acquisition/ElectricalSeriesAP', 'acquisition/ElectricalSeriesB', 'processing/ecephys/LFP/ElectricalSeriesLFP',
    ]);
    for (const stream of info.streams) await compare('multi', [[0, 1000]], stream);
  }, 120_000);

  it('unsorted electrode regions: SpikeInterface 0.104.9 fails (h5py fancy indexing), we read them', async () => {
    const { info } = si(file('permuted'));
    expect(info.error_type).toBe('TypeError');
    expect(info.error).toMatch(/increasing order/);
    const rec = await openNwb(file('permuted'), {});
    expect(rec.channel_ids).toEqual(['9', '2', '5', '0', '11', '7', '3', '1']);
    rec.close();
  }, 60_000);
});
