/**
 * `spikelab preprocess` output is itself a recording our raw-binary reader opens through its
 * sidecar (same channels, locations, µV), and a cut-off copy of it is caught by the sidecar's
 * frame count.
 */
import { closeSync, ftruncateSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordingError } from '../../src/errors';
import { openRecording } from '../../src/io/open';
import { preprocessToInt16 } from '../../src/preprocess/preprocess_file';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { makeTempDir } from './python';

describe('preprocess output as an input', () => {
  const tmp = makeTempDir('pp-roundtrip');
  afterAll(() => tmp.cleanup());

  it('reopens with the source channels, and its int16 µV as traces', async () => {
    const src = join(tmp.dir, 'rec.raw.h5');
    await writeSyntheticMaxOne(src, { num_channels: 8, duration_s: 3, seed: 5 });
    const res = await preprocessToInt16({ path: src, out_dir: tmp.dir, freq_min: 300, freq_max: 6000, start_time_s: 0.5 });
    const source = await openRecording(src);
    const out = await openRecording(res.binary);
    try {
      expect(out.source_info?.format).toBe('binary');
      expect(out.num_frames).toBe(50000);
      expect(out.channel_ids).toEqual(source.channel_ids);
      expect(out.locations).toEqual(source.locations);
      const t = out.getTraces(1000, 1010);
      for (const v of t) expect(Number.isInteger(v)).toBe(true);
      expect(t.some((v) => v !== 0)).toBe(true);
    } finally {
      out.close();
      source.close();
    }
    const fd = openSync(res.binary, 'r+');
    ftruncateSync(fd, statSync(res.binary).size - 8 * 2 * 100);
    closeSync(fd);
    const err = await openRecording(res.binary).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRecordingError);
    expect((err as Error).message).toMatch(/holds 49900 frames but its sidecar .*records 50000/);
  });
});
