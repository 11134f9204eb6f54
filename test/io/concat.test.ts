import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordingError, RecordingNotFoundError } from '../../src/errors';
import { concatenateRecordings } from '../../src/io/concat';
import { listRecordingFiles, naturalCompare } from '../../src/io/directory';
import { memoryRecording } from '../../src/io/memory';
import { isConcatenated, openRecording } from '../../src/io/open';
import type { Recording } from '../../src/io/recording';
import { selectRecording } from '../../src/io/selection';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { makeTempDir } from './python';

/** Frame-major traces whose value encodes (recording tag, frame, channel). */
function tagged(tag: number, frames: number, nch: number, fs = 1000, path = `/rec${tag}.raw.h5`): Recording {
  const t = new Float32Array(frames * nch);
  for (let f = 0; f < frames; f++) for (let c = 0; c < nch; c++) t[f * nch + c] = tag * 1e6 + f * 10 + c;
  return memoryRecording(t, { sampling_frequency: fs, num_channels: nch, source_path: path });
}

function closeCounting(rec: Recording): { rec: Recording; closed: () => number } {
  let n = 0;
  return { rec: { ...rec, getTraces: rec.getTraces.bind(rec), close: () => { n++; } }, closed: () => n };
}

describe('concatenateRecordings (spec §3.5, §2.8)', () => {
  it('joins frames in order, reads across part borders, selects channels', () => {
    const joined = concatenateRecordings([tagged(1, 30, 3), tagged(2, 20, 3), tagged(3, 5, 3)], '/session');
    expect(joined.num_frames).toBe(55);
    expect(joined.chunks).toEqual([
      { name: 'rec1.raw.h5', start_frame: 0, end_frame: 30 },
      { name: 'rec2.raw.h5', start_frame: 30, end_frame: 50 },
      { name: 'rec3.raw.h5', start_frame: 50, end_frame: 55 },
    ]);
    const t = joined.getTraces(28, 52);
    expect(t[0]).toBe(1e6 + 28 * 10);
    expect(t[2 * 3 + 1]).toBe(2e6 + 0 * 10 + 1);
    expect(t[23 * 3 + 2]).toBe(3e6 + 1 * 10 + 2);
    const sel = joined.getTraces(29, 31, [2, 0]);
    expect(Array.from(sel)).toEqual([1e6 + 290 + 2, 1e6 + 290, 2e6 + 2, 2e6]);
  });

  it('refuses a channel-count or sampling-rate mismatch naming both files, and closes every part', () => {
    const a = closeCounting(tagged(1, 10, 3));
    const b = closeCounting(tagged(2, 10, 4));
    const err = (() => { try { concatenateRecordings([a.rec, b.rec], '/s'); return null; } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(InvalidRecordingError);
    expect((err as Error).message).toBe('Cannot concatenate: /rec2.raw.h5 has 4 channels but /rec1.raw.h5 has 3.');
    expect(a.closed()).toBe(1);
    expect(b.closed()).toBe(1);
    expect(() => concatenateRecordings([tagged(1, 10, 3, 1000), tagged(2, 10, 3, 2000)], '/s'))
      .toThrow('Cannot concatenate: /rec2.raw.h5 has sampling frequency 2000 Hz but /rec1.raw.h5 has 1000 Hz.');
  });

  it('warns (does not fail) when channel ids or locations differ', () => {
    const b = memoryRecording(new Float32Array(20), { sampling_frequency: 1000, num_channels: 2, channel_ids: ['7', '8'], locations: [[0, 0], [1, 1]], source_path: '/b' });
    const a = memoryRecording(new Float32Array(20), { sampling_frequency: 1000, num_channels: 2, source_path: '/a' });
    const j = concatenateRecordings([a, b], '/s');
    expect(j.warnings).toHaveLength(2);
    expect(j.warnings[0]).toMatch(/\/b has different channel ids than \/a/);
    expect(j.channel_ids).toEqual(['0', '1']);
  });
});

describe('selectRecording (spec §3.6)', () => {
  const rec = tagged(1, 10000, 2, 1000, '/x/r.raw.h5');

  it('joins rec_chunks in order with cumulative chunk boundaries (quirk fix)', () => {
    const { recording, chunks } = selectRecording(rec, { rec_chunks: [[5000, 6000], [1000, 1500]] });
    expect(recording.num_frames).toBe(1500);
    expect(chunks).toEqual([
      { name: 'r.raw.h5[5000:6000]', start_frame: 0, end_frame: 1000 },
      { name: 'r.raw.h5[1000:1500]', start_frame: 1000, end_frame: 1500 },
    ]);
    expect(recording.getTraces(999, 1001)[0]).toBe(1e6 + 5999 * 10);
    expect(recording.getTraces(999, 1001)[2]).toBe(1e6 + 1000 * 10);
    expect(selectRecording(rec, { rec_chunks: [[5000, 6000], [1000, 1500]] }).source_ranges).toEqual([[5000, 6000], [1000, 1500]]);
  });

  it('reports the input frames it kept: a time range by round-half-even, else the first_n_mins cut or everything', () => {
    expect(selectRecording(rec, { start_time_s: 0.0025, end_time_s: 0.0105 }).source_ranges).toEqual([[2, 10]]);
    expect(selectRecording(rec, { first_n_mins: 0.1 }).source_ranges).toEqual([[0, 6000]]);
    expect(selectRecording(rec, {}).source_ranges).toEqual([[0, 10000]]);
    expect(selectRecording(rec, { rec_chunks_s: [[0.0025, 1]] }).source_ranges).toEqual([[2, 1000]]);
  });

  it('rec_chunks_s: frames by round-half-even, each entry validated before any cut', () => {
    const { recording, chunks } = selectRecording(rec, { rec_chunks_s: [[0.0025, 1], [2, 3]] });
    expect(chunks.map((c) => c.end_frame - c.start_frame)).toEqual([998, 1000]);
    expect(recording.getTraces(0, 1)[0]).toBe(1e6 + 2 * 10);
    expect(() => selectRecording(rec, { rec_chunks_s: [[0, 1], [3, 2]] })).toThrow(/Invalid chunk in rec_chunks_s: entry 1 is \[3, 2\]/);
    expect(() => selectRecording(rec, { rec_chunks_s: [[-1, 1]] })).toThrow(InvalidRecordingError);
  });

  it('a range past the end (after first_n_mins) is an InvalidRecordingError naming the field', () => {
    let err: unknown = null;
    try { selectRecording(rec, { rec_chunks: [[9000, 12000]] }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidRecordingError);
    expect((err as InvalidRecordingError).attributes.field).toBe('rec_chunks');
    expect((err as Error).message).toMatch(/ends past the recording's 10000 frames/);
  });

  it('refuses frame and time ranges together', () => {
    expect(() => selectRecording(rec, { rec_chunks: [[0, 10]], start_time_s: 1 })).toThrow(/Cannot combine frame-based 'rec_chunks'/);
    expect(() => selectRecording(rec, { rec_chunks_s: [[0, 1]], end_time_s: 2 })).toThrow(/Cannot combine 'rec_chunks_s'/);
  });

  it('keeps concatenation chunks unless a time range replaces them; first_n_mins clips them', () => {
    const joined = concatenateRecordings([tagged(1, 60000, 1), tagged(2, 60000, 1)], '/s');
    expect(selectRecording(joined, {}, joined.chunks).chunks).toHaveLength(2);
    expect(selectRecording(joined, { start_time_s: 1 }, joined.chunks).chunks).toEqual([]);
    const cut = selectRecording(joined, { first_n_mins: 1.5 }, joined.chunks);
    expect(cut.chunks.map((c) => [c.start_frame, c.end_frame])).toEqual([[0, 60000], [60000, 90000]]);
    expect(selectRecording(joined, { first_n_mins: 0.5 }, joined.chunks).chunks).toEqual([]);
  });

  it('mea_y_max flips y: -1 mirrors about the top channel, v gives v - y', () => {
    const r = memoryRecording(new Float32Array(6), { sampling_frequency: 1000, num_channels: 3, locations: [[0, 10], [5, 30], [9, 20]] });
    expect(selectRecording(r, { mea_y_max: -1 }).recording.locations).toEqual([[0, 20], [5, 0], [9, 10]]);
    expect(selectRecording(r, { mea_y_max: 0 }).recording.locations).toEqual([[0, -10], [5, -30], [9, -20]]);
  });
});

describe('session directories', () => {
  const tmp = makeTempDir('concat');
  afterAll(() => tmp.cleanup());

  it('natural order: rec2 before rec10', () => {
    expect(['rec10.raw.h5', 'rec2.raw.h5', 'rec1.raw.h5', 'a.raw.h5'].sort(naturalCompare))
      .toEqual(['a.raw.h5', 'rec1.raw.h5', 'rec2.raw.h5', 'rec10.raw.h5']);
  });

  it('opens a directory of Maxwell files as one recording with per-file chunks', async () => {
    const dir = join(tmp.dir, 'session');
    mkdirSync(dir);
    await writeSyntheticMaxOne(join(dir, 'rec10.raw.h5'), { num_channels: 4, duration_s: 1, seed: 2 });
    await writeSyntheticMaxOne(join(dir, 'rec2.raw.h5'), { num_channels: 4, duration_s: 2, seed: 1 });
    writeFileSync(join(dir, 'notes.txt'), 'not a recording');
    const rec = await openRecording(dir);
    try {
      expect(isConcatenated(rec)).toBe(true);
      if (!isConcatenated(rec)) return;
      expect(rec.chunks).toEqual([
        { name: 'rec2.raw.h5', start_frame: 0, end_frame: 40000 },
        { name: 'rec10.raw.h5', start_frame: 40000, end_frame: 60000 },
      ]);
      const first = await openRecording(join(dir, 'rec10.raw.h5'));
      try {
        expect(Array.from(rec.getTraces(40000, 40010))).toEqual(Array.from(first.getTraces(0, 10)));
      } finally {
        first.close();
      }
    } finally {
      rec.close();
    }
  });

  it('a mismatched file in a directory fails naming both files', async () => {
    const dir = join(tmp.dir, 'mismatch');
    mkdirSync(dir);
    await writeSyntheticMaxOne(join(dir, 'a.raw.h5'), { num_channels: 4, duration_s: 1, seed: 2 });
    await writeSyntheticMaxOne(join(dir, 'b.raw.h5'), { num_channels: 8, duration_s: 1, seed: 2 });
    await expect(openRecording(dir)).rejects.toThrow(`Cannot concatenate: ${join(dir, 'b.raw.h5')} has 8 channels but ${join(dir, 'a.raw.h5')} has 4.`);
  });

  it('a mix of .raw.h5 and .nwb, or no recording at all, is refused before loading', () => {
    const mixed = join(tmp.dir, 'mixed');
    mkdirSync(mixed);
    writeFileSync(join(mixed, 'a.raw.h5'), 'x');
    writeFileSync(join(mixed, 'b.nwb'), 'x');
    expect(() => listRecordingFiles(mixed)).toThrow(/Cannot concatenate: .*mixed contains a mix of file types \(\.raw\.h5, \.nwb\)/);
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect(() => listRecordingFiles(empty)).toThrow(RecordingNotFoundError);
    expect(() => listRecordingFiles(empty)).toThrow(/No recording files found in .*empty: expected at least one \.raw\.h5 or \.nwb file\./);
  });

  it('an unreadable directory is an InvalidRecordingError naming it', () => {
    if (process.getuid?.() === 0) return; // root reads anything: permission bits cannot be tested
    const dir = join(tmp.dir, 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o000);
    try {
      expect(() => listRecordingFiles(dir)).toThrow(/locked: cannot list the recording directory \(EACCES\)/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
