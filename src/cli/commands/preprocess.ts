/**
 * `spikelab preprocess FILE --out DIR`: the sorter's int16 µV binary and its JSON sidecar
 * (src/preprocess/preprocess_file.ts), with a progress line on stderr. Maps bad values to usage errors
 * that name the flag.
 */
import { defaultConfig, flagNameOf } from '../../config';
import type { ChunkProgress } from '../../dsp/chunks';
import {
  PreprocessOutputExistsError, PreprocessParamError, type PreprocessRequest, type PreprocessResult, preprocessToInt16,
} from '../../preprocess/preprocess_file';
import { InvalidRecordingError } from '../../errors';
import { CliUsageError } from '../configArgs';
import { commandOverrides, numberFlag, rangesFlag, streamChoiceError, stringFlag } from './recordingFlags';

export interface PreprocessCliOptions {
  out: string;
  recName?: string;
  overwrite?: boolean;
  json?: boolean;
}

export const PREPROCESS_CONFIG_FLAGS = [
  'stream_id', 'freq_min', 'freq_max', 'start_time_s', 'end_time_s', 'first_n_mins', 'rec_chunks', 'rec_chunks_s', 'mea_y_max',
  'gain_to_uv', 'offset_to_uv',
] as const;

export async function preprocessCommand(file: string, opts: PreprocessCliOptions, overrides: Record<string, unknown>): Promise<number> {
  const flags = commandOverrides('preprocess', overrides, PREPROCESS_CONFIG_FLAGS);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = new WriteProgress('band-pass + write');
  const defaults = defaultConfig().recording;
  const req: PreprocessRequest = {
    path: file,
    out_dir: opts.out,
    stream_id: stringFlag(flags, 'stream_id'),
    rec_name: opts.recName ?? null,
    gain_to_uv: numberFlag(flags, 'gain_to_uv'),
    offset_to_uv: numberFlag(flags, 'offset_to_uv'),
    freq_min: numberFlag(flags, 'freq_min') ?? defaults.freq_min,
    freq_max: numberFlag(flags, 'freq_max') ?? defaults.freq_max,
    start_time_s: numberFlag(flags, 'start_time_s'),
    end_time_s: numberFlag(flags, 'end_time_s'),
    first_n_mins: numberFlag(flags, 'first_n_mins'),
    rec_chunks: rangesFlag(flags, 'rec_chunks'),
    rec_chunks_s: rangesFlag(flags, 'rec_chunks_s'),
    mea_y_max: numberFlag(flags, 'mea_y_max'),
    overwrite: opts.overwrite === true,
    signal: abort.signal,
    onProgress: (p) => progress.update(p),
  };
  let result: PreprocessResult;
  try {
    result = await preprocessToInt16(req);
  } catch (err) {
    if (abort.signal.aborted) {
      process.stderr.write('\ninterrupted: the partial binary was removed\n');
      return 130;
    }
    throw usageError(err, flags);
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.finish();
  }
  for (const n of result.notes) process.stderr.write(`note: ${n}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const seconds = result.num_frames / result.sampling_frequency;
    const ranges = result.source_ranges.map(([s, e]) => `[${s}, ${e})`).join(' + ');
    process.stdout.write(
      `wrote ${result.binary}\n  ${result.num_frames} frames × ${result.num_channels} channels (${seconds.toFixed(3)} s at ${result.sampling_frequency} Hz, ` +
        `source frames ${ranges}), int16 µV, ${result.bytes} bytes\n` +
        `sidecar ${result.sidecar}\n`,
    );
  }
  return 0;
}

/** Bad values, existing outputs and unknown streams are the user's to fix: exit code 2, naming the flag. */
function usageError(err: unknown, given: Record<string, unknown>): unknown {
  if (err instanceof PreprocessParamError) {
    const value = err.field in given ? `${String(err.value)}` : `${String(err.value)} (default)`;
    return new CliUsageError(`${flagNameOf(err.field)} ${value}: ${err.reason}`);
  }
  if (err instanceof PreprocessOutputExistsError) {
    return new CliUsageError(`output already exists: ${err.paths.join(', ')}; pass --overwrite to replace it`);
  }
  if (err instanceof InvalidRecordingError) {
    // The selection names the config field(s) it refused (`start_time_s/end_time_s`, `rec_chunks`).
    const fields = String(err.attributes.field ?? '').split('/');
    if (fields.every((f) => (PREPROCESS_CONFIG_FLAGS as readonly string[]).includes(f))) {
      return new CliUsageError(`${fields.map(flagNameOf).join('/')}: ${err.message}`);
    }
  }
  return streamChoiceError(err);
}

/**
 * One progress line on stderr: redrawn in place on a terminal; elsewhere (logs, pipes) a
 * line per 10 % so the log stays short.
 */
export class WriteProgress {
  private readonly started = Date.now();
  private lastBucket = -1;
  private drawn = false;

  constructor(private readonly label: string, private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: ChunkProgress): void {
    const f = Math.max(0, Math.min(1, p.fraction_done));
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = f > 0 ? (elapsed * (1 - f)) / f : Number.NaN;
    const width = 24;
    const full = Math.round(f * width);
    const line = `${this.label} ${'█'.repeat(full)}${'░'.repeat(width - full)} ${Math.floor(f * 100)}%  ` +
      `chunk ${p.chunk + 1}/${p.n_chunks}  ${duration(elapsed)} elapsed${f < 1 ? `, ETA ${Number.isFinite(eta) ? duration(eta) : '?'}` : ''}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const bucket = Math.floor(f * 10);
    if (bucket !== this.lastBucket) {
      this.out.write(`${line}\n`);
      this.lastBucket = bucket;
    }
  }

  /** Ends the in-place line so later output starts on its own line. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

function duration(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
