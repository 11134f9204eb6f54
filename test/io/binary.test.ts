import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordingError, RecordingNotFoundError } from '../../src/errors';
import { encodeInt16, openInt16Binary, toInt16, writeInt16Binary } from '../../src/io/binary';
import { memoryRecording } from '../../src/io/memory';
import { Prng } from '../../src/io/prng';
import { makeTempDir } from './python';

const META = {
  sampling_frequency: 1000, num_channels: 3, channel_ids: ['a', 'b', 'c'],
  locations: [[0, 0], [0, 17.5], [0, 35]] as [number, number][], electrodes: [1, 2, 3],
};

describe('int16 binaries for sorters', () => {
  const tmp = makeTempDir('binary');
  afterAll(() => tmp.cleanup());
  const rng = new Prng(9);
  const traces = Float32Array.from({ length: 2300 * 3 }, () => 300 * rng.normal());
  const rec = memoryRecording(traces, { sampling_frequency: 1000, num_channels: 3 });

  it('truncates toward zero and saturates (spec §6 #23: [1.7, −1.7] → [1, −1])', () => {
    expect(Array.from(new Int16Array(new Uint8Array(encodeInt16(Float32Array.from([1.7, -1.7]))).buffer))).toEqual([1, -1]);
    expect([0.99, -0.99, 40000, -40000, Number.NaN, 32767.9, -32768.5].map(toInt16)).toEqual([0, 0, 32767, -32768, 0, 32767, -32768]);
  });

  it('writes little-endian frame-major int16 and reads it back lazily', async () => {
    const path = join(tmp.dir, 'rec.dat');
    const res = await writeInt16Binary(rec, path, { chunk_frames: 1000 });
    expect(res).toMatchObject({ bytes: 2300 * 3 * 2, num_frames: 2300, num_channels: 3, started_at_chunk: 0 });
    const buf = readFileSync(path);
    expect(buf.length).toBe(2300 * 3 * 2);
    expect(buf.readInt16LE(2 * (5 * 3 + 1))).toBe(Math.trunc(traces[5 * 3 + 1]));

    const back = openInt16Binary(path, { ...META, gain_to_uv: 1 });
    expect(back.num_frames).toBe(2300);
    expect(Array.from(back.getTraces(1000, 1002))).toEqual(Array.from(traces.subarray(3000, 3006), Math.trunc));
    expect(() => back.getTraces(0, 2301)).toThrow(RangeError);
    back.close();
    const scaled = openInt16Binary(path, { ...META, gain_to_uv: 0.5 });
    expect(scaled.getTraces(7, 8)[2]).toBe(Math.trunc(traces[7 * 3 + 2]) * 0.5);
    scaled.close();
  });

  it('resuming from a chunk rewrites the tail and gives a byte-identical file', async () => {
    const full = join(tmp.dir, 'full.dat');
    const resumed = join(tmp.dir, 'resumed.dat');
    await writeInt16Binary(rec, full, { chunk_frames: 500 });
    // Simulate a crash during chunk 3: chunks 0–2 complete, a partial chunk 3 and garbage after.
    const good = readFileSync(full).subarray(0, 3 * 500 * 3 * 2);
    writeFileSync(resumed, Buffer.concat([good, Buffer.alloc(1234, 0xff)]));
    const progress: number[] = [];
    const res = await writeInt16Binary(rec, resumed, { chunk_frames: 500, start_chunk: 3, onProgress: (p) => progress.push(p.chunk) });
    expect(res.started_at_chunk).toBe(3);
    expect(progress).toEqual([3, 4]);
    expect(readFileSync(resumed).equals(readFileSync(full))).toBe(true);

    // Complete file with junk appended, resumed at the end: cut back to the exact size.
    writeFileSync(resumed, Buffer.concat([readFileSync(full), Buffer.alloc(5000, 1)]));
    expect((await writeInt16Binary(rec, resumed, { chunk_frames: 500, start_chunk: 5 })).started_at_chunk).toBe(5);
    expect(readFileSync(resumed).equals(readFileSync(full))).toBe(true);

    // Asked to resume past what the file holds: falls back to the last complete chunk.
    writeFileSync(resumed, good.subarray(0, 500 * 3 * 2 + 10));
    expect((await writeInt16Binary(rec, resumed, { chunk_frames: 500, start_chunk: 4 })).started_at_chunk).toBe(1);
    expect(readFileSync(resumed).equals(readFileSync(full))).toBe(true);
  });

  it('a bad resume point is rejected before the existing file is touched', async () => {
    const path = join(tmp.dir, 'keep.dat');
    writeFileSync(path, Buffer.alloc(600, 3));
    await expect(writeInt16Binary(rec, path, { chunk_frames: 100, start_chunk: -1 })).rejects.toThrow(/start_chunk must be an integer in \[0, 23\], got -1/);
    await expect(writeInt16Binary(rec, path, { chunk_frames: 100, start_chunk: 1.5 })).rejects.toThrow(RangeError);
    expect(readFileSync(path).equals(Buffer.alloc(600, 3))).toBe(true);
  });

  it('rejects missing files and sizes that are not whole frames', () => {
    const missing = join(tmp.dir, 'missing.dat');
    expect(() => openInt16Binary(missing, META)).toThrow(RecordingNotFoundError);
    const odd = join(tmp.dir, 'odd.dat');
    writeFileSync(odd, Buffer.alloc(3 * 2 * 10 + 2));
    expect(statSync(odd).size).toBe(62);
    let err: unknown;
    try { openInt16Binary(odd, META); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidRecordingError);
    expect((err as Error).message).toContain(odd);
    expect((err as Error).message).toMatch(/62 bytes is not a multiple of 6/);
  });
});
