import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bandpassRecording } from '../../src/dsp/bandpass';
import { writeInt16Binary } from '../../src/io/binary';
import { openMaxwell } from '../../src/io/maxwell';
import { memoryRecording } from '../../src/io/memory';
import { Prng } from '../../src/io/prng';
import type { Recording } from '../../src/io/recording';
import { selectRecording } from '../../src/io/selection';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { builtWorkerScript } from '../../src/preprocess/filter_worker_path';
import { livePoolWorkers } from '../../src/preprocess/worker_pool';
import { writeFilteredInt16Binary } from '../../src/preprocess/write_filtered';
import { frameSlice } from '../../src/io/slice';
import { makeTempDir } from '../io/python';

const FS = 20000;
const NCH = 21; // not a multiple of the kernel's 8 lanes
const FRAMES = 52345;
const CHUNK = 4000; // 14 chunks, the last one short
const BAND = { freq_min: 300, freq_max: 6000 };

function source(): Recording {
  const rng = new Prng(17);
  const x = new Float32Array(FRAMES * NCH);
  for (let i = 0; i < x.length; i++) x[i] = 30 * rng.normal() + 500 + (i % NCH);
  // Spikes large enough to saturate int16 after filtering.
  for (let i = 0; i < x.length; i += 4099) x[i] -= 90000;
  return memoryRecording(x, { sampling_frequency: FS, num_channels: NCH });
}

/** `rec` whose getTraces runs `hook` first for requests that cover `frame`. */
function tamper(rec: Recording, frame: number, hook: (traces: Float32Array) => Float32Array): Recording {
  return {
    ...rec,
    getTraces(s: number, e: number, ch?: readonly number[]): Float32Array {
      const t = rec.getTraces(s, e, ch);
      return s <= frame && frame < e ? hook(t) : t;
    },
  };
}

describe('writeFilteredInt16Binary (worker threads)', () => {
  const tmp = makeTempDir('write-filtered');
  afterAll(() => tmp.cleanup());
  const rec = source();
  const reference = join(tmp.dir, 'reference.dat');

  beforeAll(async () => {
    await writeInt16Binary(bandpassRecording(rec, BAND.freq_min, BAND.freq_max), reference, { chunk_frames: CHUNK });
  });

  it('writes the same bytes as writeInt16Binary(bandpassRecording(…)) with 2 workers and in-thread', async () => {
    const progress: number[] = [];
    const par = join(tmp.dir, 'parallel.dat');
    const res = await writeFilteredInt16Binary(rec, par, { ...BAND, chunk_frames: CHUNK, threads: 2, onProgress: (p) => progress.push(p.chunk) });
    // Workers really ran: a missing or stale build would have fallen back with a reason.
    expect(res.in_thread_reason).toBeNull();
    expect(res).toMatchObject({ threads: 2, num_frames: FRAMES, num_channels: NCH, bytes: FRAMES * NCH * 2, started_at_chunk: 0 });
    expect(progress).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(readFileSync(par).equals(readFileSync(reference))).toBe(true);

    const single = join(tmp.dir, 'single.dat');
    const res0 = await writeFilteredInt16Binary(rec, single, { ...BAND, chunk_frames: CHUNK, threads: 0 });
    expect(res0).toMatchObject({ threads: 0, in_thread_reason: null });
    expect(readFileSync(single).equals(readFileSync(reference))).toBe(true);
    expect(livePoolWorkers()).toBe(0);
  }, 60000);

  it('resumes from a middle chunk (after a crash left a partial chunk and garbage) with identical bytes', async () => {
    const full = readFileSync(reference);
    const chunkBytes = CHUNK * NCH * 2;
    const resumed = join(tmp.dir, 'resumed.dat');
    writeFileSync(resumed, Buffer.concat([full.subarray(0, 6 * chunkBytes + 777), Buffer.alloc(3000, 0x7f)]));
    const progress: number[] = [];
    const res = await writeFilteredInt16Binary(rec, resumed, { ...BAND, chunk_frames: CHUNK, threads: 2, start_chunk: 6, onProgress: (p) => progress.push(p.chunk) });
    expect(res.started_at_chunk).toBe(6);
    expect(progress[0]).toBe(6);
    expect(readFileSync(resumed).equals(full)).toBe(true);

    // Asked to resume past what the file holds: restarts from its last complete chunk.
    writeFileSync(resumed, full.subarray(0, 2 * chunkBytes + 5));
    expect((await writeFilteredInt16Binary(rec, resumed, { ...BAND, chunk_frames: CHUNK, threads: 2, start_chunk: 9 })).started_at_chunk).toBe(2);
    expect(readFileSync(resumed).equals(full)).toBe(true);
  }, 60000);

  it('an abort stops the write with the signal reason and terminates the workers', async () => {
    const ac = new AbortController();
    const reason = new Error('cancelled by test');
    const seen: number[] = [];
    const run = writeFilteredInt16Binary(rec, join(tmp.dir, 'aborted.dat'), {
      ...BAND, chunk_frames: CHUNK, threads: 2, signal: ac.signal,
      onProgress: (p) => { seen.push(p.chunk); if (p.chunk === 2) ac.abort(reason); },
    });
    await expect(run).rejects.toBe(reason);
    expect(seen).toEqual([0, 1, 2]);
    expect(livePoolWorkers()).toBe(0);
  }, 60000);

  it('a source that throws on one chunk fails the write with that error and leaves no worker running', async () => {
    const boom = new Error('disk read failed at chunk 5');
    const bad = tamper(rec, 5 * CHUNK + 10, () => { throw boom; });
    await expect(writeFilteredInt16Binary(bad, join(tmp.dir, 'throws.dat'), { ...BAND, chunk_frames: CHUNK, threads: 2 })).rejects.toBe(boom);
    expect(livePoolWorkers()).toBe(0);
  }, 60000);

  it('an error inside a worker (a malformed block) surfaces as the error and leaves no worker running', async () => {
    const bad = tamper(rec, 3 * CHUNK + 10, (t) => t.slice(0, t.length - 1));
    await expect(writeFilteredInt16Binary(bad, join(tmp.dir, 'worker-error.dat'), { ...BAND, chunk_frames: CHUNK, threads: 2 }))
      .rejects.toThrow(/samples do not divide into 21 channels/);
    expect(livePoolWorkers()).toBe(0);
  }, 60000);

  it('rejects bad parameters before touching the output file', async () => {
    const out = join(tmp.dir, 'never.dat');
    await expect(writeFilteredInt16Binary(rec, out, { ...BAND, threads: -1 })).rejects.toThrow(/threads must be a non-negative integer/);
    await expect(writeFilteredInt16Binary(rec, out, { freq_min: 300, freq_max: 12000 })).rejects.toThrow(/Nyquist/);
    await expect(writeFilteredInt16Binary(rec, out, { ...BAND, start_chunk: -1 })).rejects.toThrow(/start_chunk/);
    expect(existsSync(out)).toBe(false);
  });
});

/** `rec` with getTraces only: the generic frame-major path every source supports. */
function frameMajorOnly(rec: Recording): Recording {
  return {
    source_path: rec.source_path, sampling_frequency: rec.sampling_frequency, num_channels: rec.num_channels, num_frames: rec.num_frames,
    channel_ids: rec.channel_ids, locations: rec.locations, electrodes: rec.electrodes, source_info: rec.source_info,
    getTraces: (s, e, ch) => rec.getTraces(s, e, ch),
    close: () => rec.close(),
  };
}

describe('writeFilteredInt16Binary from channel-major sources (Maxwell stored samples, joined ranges)', () => {
  const tmp = makeTempDir('write-filtered-cm');
  afterAll(() => tmp.cleanup());
  const input = join(tmp.dir, 'in.raw.h5');
  const CM_CHUNK = 3000;
  let rec: Recording;
  let generic: Buffer;

  beforeAll(async () => {
    // 29 channels (not a multiple of 8), 1.6 s: 11 chunks, the last one short.
    await writeSyntheticMaxOne(input, { num_channels: 29, duration_s: 1.6, n_units: 4, seed: 5 });
    rec = await openMaxwell(input, { offset_to_uv: -7.5 });
    const ref = join(tmp.dir, 'generic.dat');
    await writeInt16Binary(bandpassRecording(frameMajorOnly(rec), BAND.freq_min, BAND.freq_max), ref, { chunk_frames: CM_CHUNK });
    generic = readFileSync(ref);
  }, 60000);
  afterAll(() => rec.close());

  it('the stored-sample path writes the bytes of the generic path, with workers and in-thread', async () => {
    expect(rec.getStoredChannelMajor).toBeDefined();
    for (const threads of [2, 1, 0]) {
      const out = join(tmp.dir, `stored-${threads}.dat`);
      const res = await writeFilteredInt16Binary(rec, out, { ...BAND, chunk_frames: CM_CHUNK, threads });
      expect(res.in_thread_reason).toBeNull();
      expect(readFileSync(out).equals(generic)).toBe(true);
    }
    expect(livePoolWorkers()).toBe(0);
  }, 60000);

  it('resumes from a middle chunk with identical bytes', async () => {
    const out = join(tmp.dir, 'stored-resumed.dat');
    const chunkBytes = CM_CHUNK * 29 * 2;
    writeFileSync(out, Buffer.concat([generic.subarray(0, 4 * chunkBytes + 99), Buffer.alloc(500, 0x55)]));
    const res = await writeFilteredInt16Binary(rec, out, { ...BAND, chunk_frames: CM_CHUNK, threads: 2, start_chunk: 4 });
    expect(res.started_at_chunk).toBe(4);
    expect(readFileSync(out).equals(generic)).toBe(true);
  }, 60000);

  it('channel-major µV (joined ranges) writes the bytes of the generic path', async () => {
    const n = rec.num_frames;
    const ranges: [number, number][] = [[0, 9000], [12000, n]];
    const joined = selectRecording(frameSlice(rec, 0, n), { rec_chunks: ranges }).recording;
    expect(joined.getTracesChannelMajor).toBeDefined();
    expect(joined.getStoredChannelMajor).toBeUndefined();
    const ref = join(tmp.dir, 'joined-generic.dat');
    await writeInt16Binary(bandpassRecording(frameMajorOnly(joined), BAND.freq_min, BAND.freq_max), ref, { chunk_frames: CM_CHUNK });
    const out = join(tmp.dir, 'joined.dat');
    await writeFilteredInt16Binary(joined, out, { ...BAND, chunk_frames: CM_CHUNK, threads: 2 });
    expect(readFileSync(out).equals(readFileSync(ref))).toBe(true);
  }, 60000);
});

describe('builtWorkerScript (running from TypeScript sources)', () => {
  const tmp = makeTempDir('worker-script');
  afterAll(() => tmp.cleanup());
  const root = tmp.dir;
  const put = (rel: string, mtimeS: number, text = ''): void => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    utimesSync(p, mtimeS, mtimeS);
  };

  it('uses dist only when it is built and every module the worker loads is no older than its source', () => {
    put('src/preprocess/filter_worker.ts', 1000);
    put('src/dsp/filter.ts', 1000);
    put('src/dsp/unrelated.ts', 5000);
    expect(builtWorkerScript(root)).toEqual({ unavailable: expect.stringMatching(/filter_worker\.js is not built/) });
    put('dist/src/preprocess/filter_worker.js', 2000, 'const f = require("../dsp/filter");\nrequire("node:fs");\n');
    expect(builtWorkerScript(root)).toEqual({ unavailable: expect.stringMatching(/dsp\/filter\.js is not built/) });
    put('dist/src/dsp/filter.js', 2000);
    // A newer source the worker does not load (another module in the same folder) does not matter.
    expect(builtWorkerScript(root)).toEqual({ path: join(root, 'dist/src/preprocess/filter_worker.js') });
    put('src/dsp/filter.ts', 3000);
    expect(builtWorkerScript(root)).toEqual({ unavailable: expect.stringMatching(/src\/dsp\/filter\.ts is newer than its build/) });
  });
});
