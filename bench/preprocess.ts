/**
 * bench/preprocess: the load stage's hot path (Maxwell read → band-pass → int16 write) on one
 * generated MaxOne file, in one run, against
 *   - SpikeInterface 0.104: read_maxwell → bandpass_filter → write_binary_recording (int16,
 *     1 s chunks, n_jobs = threads), from the project venv;
 *   - a plain copy of the same file (read + write of the same bytes: the I/O floor);
 *   - reading alone through our Maxwell reader: the stored samples the writer's calling thread
 *     reads, and frame-major µV (getTraces) for comparison;
 * and our peak RSS on a recording 4× longer. Every measurement runs in its own child process
 * (clean peak RSS, no JIT or heap carried over) and ends with the output flushed to disk,
 * as ours does. The input is flushed to disk and read once first, so every contender reads
 * it from the page cache and no writeback of it lands inside a measurement. Prints one JSON
 * line. Usage (after `npm run build`):
 *   node dist/bench/preprocess.js [--channels 512] [--seconds 60] [--long-seconds 240] [--threads 2] [--reps 1]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, fdatasyncSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bandpassMarginFrames, readFilterInput } from '../src/dsp/bandpass';
import { openMaxwell } from '../src/io/maxwell';
import { writeSyntheticMaxOne } from '../src/io/synthetic';
import { writeFilteredInt16Binary } from '../src/preprocess/write_filtered';

const FREQ = { freq_min: 300, freq_max: 6000 };
const REPO = resolve(__dirname, '../..');
const VENV_PYTHON = join(REPO, '.venv/bin/python');
const SI_SCRIPT = join(REPO, 'scripts/python/si_preprocess.py');

interface Measure { seconds: number; max_rss_mb: number }

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

// ---- child processes: one measurement each, JSON on stdout ----

async function childOurs(input: string, output: string, threads: number): Promise<Measure> {
  const t0 = process.hrtime.bigint();
  const source = await openMaxwell(input, {});
  try {
    const res = await writeFilteredInt16Binary(source, output, { ...FREQ, threads });
    if (res.in_thread_reason !== null) throw new Error(`filtered in-thread: ${res.in_thread_reason}`);
  } finally {
    source.close();
  }
  return { seconds: seconds(t0), max_rss_mb: maxRssMb() };
}

async function childCopy(input: string, output: string): Promise<Measure> {
  const t0 = process.hrtime.bigint();
  await pipeline(createReadStream(input, { highWaterMark: 4 << 20 }), createWriteStream(output));
  const fd = openSync(output, 'r+');
  fdatasyncSync(fd);
  closeSync(fd);
  return { seconds: seconds(t0), max_rss_mb: maxRssMb() };
}

/**
 * Reading with margins, as the writer's calling thread does (stored samples into a recycled
 * block, see readFilterInput), and nothing else; `frames`: frame-major µV through getTraces,
 * what any other consumer of the reader gets.
 */
async function childRead(input: string, layout: 'stored' | 'frames'): Promise<Measure> {
  const t0 = process.hrtime.bigint();
  const rec = await openMaxwell(input, {});
  const margin = bandpassMarginFrames(FREQ.freq_min, rec.sampling_frequency);
  const chunk = Math.round(rec.sampling_frequency);
  const block = new ArrayBuffer((chunk + 2 * margin) * rec.num_channels * 2);
  for (let s = 0; s < rec.num_frames; s += chunk) {
    const start = Math.max(0, s - margin);
    const end = Math.min(rec.num_frames, s + chunk + margin);
    if (layout === 'stored') readFilterInput(rec, start, end, undefined, block);
    else rec.getTraces(start, end);
  }
  rec.close();
  return { seconds: seconds(t0), max_rss_mb: maxRssMb() };
}

async function child(mode: string, args: string[]): Promise<Measure> {
  if (mode === 'ours') return childOurs(args[0], args[1], Number(args[2]));
  if (mode === 'copy') return childCopy(args[0], args[1]);
  if (mode === 'read') return childRead(args[0], 'stored');
  if (mode === 'read-frames') return childRead(args[0], 'frames');
  throw new Error(`unknown child mode ${mode}`);
}

// ---- the parent: generate, warm, measure, compare ----

function runChild(mode: string, ...args: (string | number)[]): Measure {
  const out = execFileSync(process.execPath, [__filename, '--child', mode, ...args.map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as Measure;
}

function runSpikeInterface(input: string, output: string, threads: number): Measure {
  const out = execFileSync(VENV_PYTHON, [SI_SCRIPT, 'bench', input, output, threads, FREQ.freq_min, FREQ.freq_max].map(String), {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { seconds: number; max_rss_mb: number };
  return { seconds: r.seconds, max_rss_mb: r.max_rss_mb };
}

/**
 * Writes a generated input to disk: left dirty, the kernel would write it back (30 s after
 * generation) in the middle of whichever measurement runs then.
 */
function flush(path: string): void {
  const fd = openSync(path, 'r+');
  try { fdatasyncSync(fd); } finally { closeSync(fd); }
}

/** Reads the whole file once so that every contender starts from the same (warm) page cache. */
function warm(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  try { while (readSync(fd, buf, 0, buf.length, null) > 0); } finally { closeSync(fd); }
}

function best(reps: number, run: () => Measure): Measure {
  let b: Measure | null = null;
  for (let i = 0; i < reps; i++) {
    const m = run();
    if (b === null || m.seconds < b.seconds) b = m;
  }
  return b as Measure;
}

async function main(): Promise<void> {
  const channels = arg('channels', 512);
  const secs = arg('seconds', 60);
  const longSecs = arg('long-seconds', 240);
  const threads = arg('threads', 2);
  const reps = arg('reps', 1);
  const dir = mkdtempSync(join(tmpdir(), 'bench-preprocess-'));
  const rec = join(dir, 'bench.raw.h5');
  const longRec = join(dir, 'long.raw.h5');
  const load0 = loadavg()[0];
  try {
    process.stderr.write(`generating ${channels} ch × ${secs} s and × ${longSecs} s…\n`);
    await writeSyntheticMaxOne(rec, { num_channels: channels, duration_s: secs, n_units: 20, seed: 3 });
    const mb = statSync(rec).size / 1e6;
    flush(rec);
    warm(rec);
    const out = join(dir, 'out.dat');
    const copy = best(reps, () => runChild('copy', rec, out));
    const read = best(reps, () => runChild('read', rec));
    const readFrames = best(reps, () => runChild('read-frames', rec));
    const ours = best(reps, () => runChild('ours', rec, out, threads));
    const si = best(reps, () => runSpikeInterface(rec, out, threads));
    rmSync(out, { force: true });
    await writeSyntheticMaxOne(longRec, { num_channels: channels, duration_s: longSecs, n_units: 20, seed: 4 });
    flush(longRec);
    warm(longRec);
    const oursLong = runChild('ours', longRec, out, threads);
    const r = (x: number): number => +x.toFixed(2);
    process.stdout.write(`${JSON.stringify({
      channels, seconds: secs, file_mb: Math.round(mb), threads,
      copy_s: r(copy.seconds), read_only_s: r(read.seconds), read_frames_s: r(readFrames.seconds), ours_s: r(ours.seconds), si_s: r(si.seconds),
      ours_mb_s: r(mb / ours.seconds), si_mb_s: r(mb / si.seconds),
      si_over_ours: r(si.seconds / ours.seconds), ours_over_copy: r(ours.seconds / copy.seconds),
      realtime_factor: r(secs / ours.seconds),
      peak_rss_mb: { ours: Math.round(ours.max_rss_mb), [`ours_${longSecs}s`]: Math.round(oursLong.max_rss_mb), si: Math.round(si.max_rss_mb) },
      [`ours_${longSecs}s_s`]: r(oursLong.seconds),
      loadavg_1min: { start: r(load0), end: r(loadavg()[0]) },
    })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) {
  child(process.argv[childAt + 1], process.argv.slice(childAt + 2))
    .then((m) => { process.stdout.write(`${JSON.stringify(m)}\n`); })
    .catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
} else {
  main().catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
}
