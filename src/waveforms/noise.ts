/**
 * Per-channel noise level (waveforms_curation §2.1, pipeline §5.1): MAD / 0.6745 over 20
 * random 10 000-sample chunks of the filtered µV recording, or over the whole trace when
 * it is not longer than one chunk. Chunk starts come from our own generator seeded 0, so
 * the values are reproducible but not bit-identical to NumPy's draw.
 */
import type { Recording } from '../io/recording';
import { createRng } from '../util/rng';
import { madStdInPlace } from '../dsp/median';

export interface NoiseOptions {
  readonly seed?: number;
  readonly chunk_size?: number;
  readonly num_chunks?: number;
  /**
   * Budget for the per-channel sample buffers. 20 × 10 000 samples × 1018 channels in
   * float64 is 1.6 GB, so channels are processed in groups that fit, re-reading the
   * chunks once per group.
   */
  readonly max_buffer_bytes?: number;
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export class EmptyRecordingError extends Error {
  constructor() {
    super('Cannot estimate noise levels on an empty recording');
    this.name = 'EmptyRecordingError';
  }
}

const DEFAULTS = { seed: 0, chunk_size: 10_000, num_chunks: 20, max_buffer_bytes: 256 * 1024 * 1024 };

/** Chunk start frames, or null when the whole trace is used. Exposed for independent checks. */
export function noiseChunkStarts(numFrames: number, opts: Pick<NoiseOptions, 'seed' | 'chunk_size' | 'num_chunks'> = {}): number[] | null {
  const chunk = opts.chunk_size ?? DEFAULTS.chunk_size;
  if (numFrames <= chunk) return null;
  const rng = createRng(opts.seed ?? DEFAULTS.seed);
  return Array.from({ length: opts.num_chunks ?? DEFAULTS.num_chunks }, () => rng.nextInt(numFrames - chunk));
}

export async function estimateNoiseLevels(rec: Recording, opts: NoiseOptions = {}): Promise<Float64Array> {
  const N = rec.num_frames;
  const C = rec.num_channels;
  if (N === 0) throw new EmptyRecordingError();
  const chunk = opts.chunk_size ?? DEFAULTS.chunk_size;
  const starts = noiseChunkStarts(N, opts);
  if (starts === null) {
    opts.onWarning?.(`recording (${N} samples) is shorter than chunk_size (${chunk}); estimating noise on the whole trace`);
  }
  const reads: [number, number][] = starts === null ? [[0, N]] : starts.map((s) => [s, s + chunk]);
  const perChannel = reads.reduce((a, [s, e]) => a + (e - s), 0);
  const budget = opts.max_buffer_bytes ?? DEFAULTS.max_buffer_bytes;
  const group = Math.max(1, Math.min(C, Math.floor(budget / (8 * perChannel))));

  const out = new Float64Array(C);
  for (let c0 = 0; c0 < C; c0 += group) {
    const c1 = Math.min(C, c0 + group);
    const bufs = Array.from({ length: c1 - c0 }, () => new Float64Array(perChannel));
    let filled = 0;
    for (const [s, e] of reads) {
      opts.signal?.throwIfAborted();
      const traces = rec.getTraces(s, e);
      const frames = e - s;
      for (let c = c0; c < c1; c++) {
        const buf = bufs[c - c0];
        for (let f = 0; f < frames; f++) buf[filled + f] = traces[f * C + c];
      }
      filled += frames;
      // Long reads are synchronous; let heartbeats and cancellation through.
      await new Promise((r) => setImmediate(r));
    }
    for (let c = c0; c < c1; c++) out[c] = madStdInPlace(bufs[c - c0]);
  }
  return out;
}
