/**
 * bench/preprocess: the load stage's hot path (Maxwell read → band-pass → int16 write) against
 * a plain copy of the same bytes (the disk's limit), on one generated file, in one run.
 * Prints wall times, MB/s, the ratio and peak RSS. Usage:
 *   node dist/bench/preprocess.js [--channels 512] [--seconds 60]
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bandpassRecording } from '../src/dsp/bandpass';
import { writeInt16Binary } from '../src/io/binary';
import { openMaxwell } from '../src/io/maxwell';
import { writeSyntheticMaxOne } from '../src/io/synthetic';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const channels = arg('channels', 512);
  const seconds = arg('seconds', 60);
  const dir = mkdtempSync(join(tmpdir(), 'bench-preprocess-'));
  const rec = join(dir, 'bench.raw.h5');
  try {
    process.stderr.write(`generating ${channels} ch × ${seconds} s…\n`);
    await writeSyntheticMaxOne(rec, { num_channels: channels, duration_s: seconds, n_units: 20, seed: 3 });
    const bytes = statSync(rec).size;

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

    const t0 = process.hrtime.bigint();
    await pipeline(createReadStream(rec), createWriteStream(join(dir, 'copy.bin')));
    const copyS = Number(process.hrtime.bigint() - t0) / 1e9;

    const t1 = process.hrtime.bigint();
    const source = await openMaxwell(rec, {});
    await writeInt16Binary(bandpassRecording(source, 300, 6000), join(dir, 'filtered.dat'), {});
    source.close();
    const oursS = Number(process.hrtime.bigint() - t1) / 1e9;
    clearInterval(sampler);

    const mb = bytes / 1e6;
    const out = {
      channels, seconds, file_mb: Math.round(mb),
      copy_s: +copyS.toFixed(2), copy_mb_s: +(mb / copyS).toFixed(1),
      read_filter_write_s: +oursS.toFixed(2), read_filter_write_mb_s: +(mb / oursS).toFixed(1),
      ratio_vs_copy: +(oursS / copyS).toFixed(1),
      realtime_factor: +(seconds / oursS).toFixed(2),
      peak_rss_mb: Math.round(peakRss / 1e6),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
