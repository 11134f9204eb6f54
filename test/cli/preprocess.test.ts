/**
 * `spikelab preprocess` on a real Maxwell file, run through the CLI entry point. The binary
 * is read back with NumPy and compared with an independent SciPy pipeline (h5py read, µV,
 * sosfiltfilt over the whole range, truncation to int16), and byte for byte with our own
 * band-pass path; the sidecar must describe the file; outputs are never clobbered without
 * --overwrite; and bad values exit 2 naming the flag, leaving nothing behind.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './runCli';
import { bandpassRecording } from '../../src/dsp/bandpass';
import { forEachChunk } from '../../src/dsp/chunks';
import { encodeInt16 } from '../../src/io/binary';
import { openMaxwell } from '../../src/io/maxwell';
import { type PreprocessSidecar, preprocessToInt16 } from '../../src/preprocess/preprocess_file';
import { sliceRecording } from '../../src/io/slice';
import { writeSyntheticMaxOne } from '../../src/io/synthetic';
import { makeTempDir, runPythonCode } from '../io/python';


const FS = 20000;
const NCH = 16;

/**
 * Independent reference: h5py → µV float32 (file lsb, or the gain given as 6th argument) →
 * SciPy sosfiltfilt of the whole range → int16 (trunc); prints how far our file is from it.
 */
const SCIPY_REFERENCE = `
import json, sys
import h5py, numpy as np
from scipy import signal
h5, dat, sidecar, start_s, end_s = sys.argv[1:6]
gain_override = float(sys.argv[6]) if len(sys.argv) > 6 else None
meta = json.load(open(sidecar))
ours = np.fromfile(dat, dtype="<i2").reshape(-1, meta["num_channels"])
fs = 20000.0
s0, s1 = round(float(start_s) * fs), round(float(end_s) * fs)
with h5py.File(h5, "r") as f:
    base = "wells/well000/rec0000/"
    raw = f[base + "groups/routed/raw"][:, s0:s1]
    uv_per_bit = gain_override if gain_override is not None else float(f[base + "settings/lsb"][0]) * 1e6
uv = (raw.T.astype(np.float64) * uv_per_bit).astype(np.float32)
sos = signal.butter(5, [300, 6000], btype="band", fs=fs, output="sos")
ref = np.clip(np.trunc(signal.sosfiltfilt(sos, uv, axis=0)), -32768, 32767).astype(np.int32)
d = np.abs(ours.astype(np.int32) - ref)
print(json.dumps(dict(shape=list(ours.shape), s0=s0, s1=s1, max_diff=int(d.max()), frac_within_1=float((d <= 1).mean()),
                      frac_equal=float((d == 0).mean()), ref_rms=float(np.sqrt((ref.astype(np.float64) ** 2).mean())))))
`;

describe('spikelab preprocess', () => {
  const tmp = makeTempDir('cli-preprocess');
  afterAll(() => tmp.cleanup());
  const rec = join(tmp.dir, 'session1.raw.h5');
  const out = join(tmp.dir, 'pre');
  const binary = join(out, 'session1.raw_scaled_filtered.dat');
  const sidecar = join(out, 'session1.raw_scaled_filtered.json');

  beforeAll(async () => {
    await writeSyntheticMaxOne(rec, { num_channels: NCH, duration_s: 6, n_units: 4, seed: 4 });
  }, 60000);

  it('writes the int16 µV binary and its sidecar for a time range, with progress on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['preprocess', rec, '--out', out, '--start-time-s', '1.25', '--end-time-s', '4.5']);
    expect(stderr).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${binary}`);
    expect(stdout).toContain('65000 frames × 16 channels');
    expect(stdout).toContain('source frames [25000, 90000)');
    expect(stdout).toContain(`sidecar ${sidecar}`);
    // Non-TTY progress: one line per 10 %, ending at 100 %.
    const lines = stderr.split('\n').filter((l) => l.startsWith('band-pass + write'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[lines.length - 1]).toMatch(/100%\s+chunk 4\/4/);
    expect(lines[0]).toMatch(/ETA/);
    expect(statSync(binary).size).toBe(65000 * NCH * 2);
    expect(readdirSync(out).sort()).toEqual(['session1.raw_scaled_filtered.dat', 'session1.raw_scaled_filtered.json']);
  }, 60000);

  it('the binary equals SciPy sosfiltfilt of the µV range truncated to int16, within 1 LSB', () => {
    const r = JSON.parse(runPythonCode(SCIPY_REFERENCE, [rec, binary, sidecar, '1.25', '4.5'])) as {
      shape: number[]; s0: number; s1: number; max_diff: number; frac_within_1: number; frac_equal: number; ref_rms: number;
    };
    process.stdout.write(`[preprocess vs scipy] ${JSON.stringify(r)}\n`);
    expect(r.shape).toEqual([65000, NCH]);
    expect([r.s0, r.s1]).toEqual([25000, 90000]);
    expect(r.ref_rms).toBeGreaterThan(3); // a real signal, not zeros on both sides
    // Chunked filtering with 5-period margins differs from one whole-range pass by far less than
    // 1 µV, so truncation can disagree by one code where a value sits next to an integer.
    expect(r.max_diff).toBeLessThanOrEqual(1);
    expect(r.frac_within_1).toBe(1);
    expect(r.frac_equal).toBeGreaterThan(0.999); // measured: 1 (bit-identical)
  });

  it('--gain-to-uv replaces the file\'s scaling: SciPy on raw × 2 µV agrees within 1 LSB', async () => {
    const dir = join(tmp.dir, 'gain2');
    const { code, stderr } = await runCli(['preprocess', rec, '--out', dir, '--gain-to-uv', '2', '--start-time-s', '1.25', '--end-time-s', '4.5']);
    expect(stderr).not.toMatch(/error/);
    expect(code).toBe(0);
    const r = JSON.parse(runPythonCode(SCIPY_REFERENCE, [
      rec, join(dir, 'session1.raw_scaled_filtered.dat'), join(dir, 'session1.raw_scaled_filtered.json'), '1.25', '4.5', '2',
    ])) as { max_diff: number; frac_equal: number; ref_rms: number };
    expect(r.ref_rms).toBeGreaterThan(1);
    expect(r.max_diff).toBeLessThanOrEqual(1);
    expect(r.frac_equal).toBeGreaterThan(0.999);
    const meta = JSON.parse(readFileSync(join(dir, 'session1.raw_scaled_filtered.json'), 'utf8')) as PreprocessSidecar;
    expect(meta.preprocessing.gain_to_uv_override).toBe(2);
    expect(meta.gain_to_uv).toBe(1);
  }, 60000);

  it('the binary equals our own band-pass path (1 s chunks) byte for byte', async () => {
    const source = await openMaxwell(rec, {});
    try {
      const filtered = bandpassRecording(sliceRecording(source, { start_time_s: 1.25, end_time_s: 4.5 }), 300, 6000);
      const file = readFileSync(binary);
      let mismatched = 0;
      await forEachChunk(filtered, {}, (traces, s) => {
        const expected = encodeInt16(traces);
        if (!expected.equals(file.subarray(s * NCH * 2, s * NCH * 2 + expected.length))) mismatched++;
      });
      expect(mismatched).toBe(0);
    } finally {
      source.close();
    }
  });

  it('the sidecar carries the raw-binary reader keys and how the file was made', async () => {
    const meta = JSON.parse(readFileSync(sidecar, 'utf8')) as PreprocessSidecar;
    const source = await openMaxwell(rec, {});
    try {
      expect(meta).toMatchObject({
        sampling_frequency: FS, num_channels: NCH, num_frames: 65000, dtype: 'int16', gain_to_uv: 1, offset_to_uv: 0,
        time_axis: 0, file_offset_bytes: 0, binary: 'session1.raw_scaled_filtered.dat',
      });
      expect(meta.channel_ids).toEqual(source.channel_ids);
      expect(meta.locations).toEqual(source.locations);
      expect(meta.electrodes).toEqual(source.electrodes);
      expect(meta.preprocessing).toMatchObject({
        source_path: rec, stream_id: 'well000', source_format: 'maxwell', source_num_frames: 6 * FS,
        source_ranges: [[25000, 90000]], chunks: [], start_time_s: 1.25, end_time_s: 4.5, first_n_mins: null, freq_min: 300, freq_max: 6000,
      });
    } finally {
      source.close();
    }
  });

  it('refuses to overwrite without --overwrite (exit 2, file untouched); replaces it with --overwrite', async () => {
    const before = readFileSync(binary);
    const mtime = statSync(binary).mtimeMs;
    const refused = await runCli(['preprocess', rec, '--out', out, '--first-n-mins', '0.05']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/output already exists: .*session1\.raw_scaled_filtered\.dat.*pass --overwrite to replace it/);
    expect(readFileSync(binary).equals(before)).toBe(true);
    expect(statSync(binary).mtimeMs).toBe(mtime);

    const replaced = await runCli(['preprocess', rec, '--out', out, '--first-n-mins', '0.05', '--overwrite', '--json']);
    expect(replaced.code).toBe(0);
    const result = JSON.parse(replaced.stdout) as { num_frames: number; source_ranges: number[][] };
    expect(result.num_frames).toBe(60000);
    expect(result.source_ranges).toEqual([[0, 60000]]);
    expect(statSync(binary).size).toBe(60000 * NCH * 2);
    const meta = JSON.parse(readFileSync(sidecar, 'utf8')) as PreprocessSidecar;
    expect(meta.num_frames).toBe(60000);
    expect(meta.preprocessing.first_n_mins).toBe(0.05);
    expect(readdirSync(out).filter((f) => f.includes('partial') || f.includes('.tmp-'))).toEqual([]);
  }, 60000);

  it('joined time ranges (--rec-chunks-s) are written in order with their boundaries in the sidecar', async () => {
    const dir = join(tmp.dir, 'joined');
    const { code, stderr } = await runCli(['preprocess', rec, '--out', dir, '--rec-chunks-s', '[[0.5, 1.5], [3, 5]]']);
    expect(stderr).not.toMatch(/error/);
    expect(code).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, 'session1.raw_scaled_filtered.json'), 'utf8')) as PreprocessSidecar;
    expect(meta.num_frames).toBe(60000);
    expect(meta.preprocessing.source_ranges).toEqual([[10000, 30000], [60000, 100000]]);
    expect(meta.preprocessing.chunks.map((c) => [c.start_frame, c.end_frame])).toEqual([[0, 20000], [20000, 60000]]);
    expect(statSync(join(dir, 'session1.raw_scaled_filtered.dat')).size).toBe(60000 * NCH * 2);
  }, 60000);

  describe('bad values exit 2 naming the flag and write nothing', () => {
    const cases: [string, string[], RegExp][] = [
      ['freq_max at Nyquist', ['--freq-max', '10000'], /--freq-max 10000: must be below the Nyquist frequency 10000 Hz .*session1\.raw\.h5.*20000 Hz/],
      ['freq_max below freq_min', ['--freq-min', '500', '--freq-max', '400'], /--freq-max 400: expected a number > freq_min \(500 Hz\)/],
      ['default freq_max below freq_min', ['--freq-min', '7000'], /--freq-max 6000 \(default\): expected a number > freq_min \(7000 Hz\)/],
      ['freq_min below the 100 Hz guard', ['--freq-min', '50'], /--freq-min: .*≥ 100.*50/],
      ['start after end', ['--start-time-s', '4', '--end-time-s', '2'], /--end-time-s 2: expected a time after start_time_s \(4 s\)/],
      ['start past the end of the file', ['--start-time-s', '100'], /--start-time-s\/--end-time-s: Invalid time range: .*duration 6 s/],
      ['range past the first_n_mins cut', ['--first-n-mins', '0.05', '--start-time-s', '1', '--end-time-s', '5'], /--end-time-s: .*first_n_mins/],
      ['negative first_n_mins', ['--first-n-mins', '-1'], /--first-n-mins/],
      ['a sort setting', ['--snr-min', '4'], /--snr-min is not an option of 'spikelab preprocess'/],
      ['an unknown stream', ['--stream-id', 'well003'], /--stream-id: .*well003.*well000/],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const dir = join(tmp.dir, `bad-${_name.replace(/\W+/g, '-')}`);
      const r = await runCli(['preprocess', rec, '--out', dir, ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    });

    it('--out is required', async () => {
      const r = await runCli(['preprocess', rec]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out/);
    });
  });

  it('an abort mid-write (Ctrl-C) leaves neither outputs nor a partial file', async () => {
    const dir = join(tmp.dir, 'aborted');
    const stop = new AbortController();
    const run = preprocessToInt16({ path: rec, out_dir: dir, freq_min: 300, freq_max: 6000, signal: stop.signal, onProgress: () => stop.abort() });
    await expect(run).rejects.toThrow(/abort/i);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing file is a classified error (exit 3) and writes nothing', async () => {
    const dir = join(tmp.dir, 'missing');
    const r = await runCli(['preprocess', join(tmp.dir, 'nope.raw.h5'), '--out', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error \(RecordingNotFoundError, environment\): .*nope\.raw\.h5/);
    expect(existsSync(dir)).toBe(false);
  });
});
