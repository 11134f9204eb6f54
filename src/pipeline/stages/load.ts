/**
 * Load stage: open the recording (Maxwell, NWB, raw binary, or a directory of them), select
 * the frames to sort, band-pass them (zero-phase, chunk margins) and stream them to the
 * sorter's int16 µV binary. Resumable by chunk.
 */
import { basename } from 'node:path';
import { validateAgainstRecording } from '../../config';
import { InvalidRecordingError } from '../../errors/taxonomy';
import { loadRecording } from '../../io/load';
import { writeFilteredInt16Binary } from '../../preprocess/write_filtered';
import type { StageContext } from '../../activities/stageRunner';
import { writeRecordingMeta } from './recordingMeta';
import type { RecordingMeta } from './recordingMeta';

/** Shorter than this cannot be filtered with margins, sorted or have its noise estimated. */
const MIN_DURATION_S = 1;

export async function runLoadStage(ctx: StageContext): Promise<{ outputs: string[]; summary: Record<string, unknown> }> {
  const { layout, config } = ctx;
  const rc = config.recording;
  const { source, selected: sliced, chunks, source_ranges: sourceRanges, warnings } = await loadRecording(layout.rec_path, rc);
  try {
    for (const w of warnings) ctx.log.warn(w);
    validateAgainstRecording(config, source.sampling_frequency);
    const duration = sliced.num_frames / sliced.sampling_frequency;
    if (duration < MIN_DURATION_S) {
      throw new InvalidRecordingError(
        `${layout.rec_path}: recording is too short to sort: ${sliced.num_frames} frames (${duration.toFixed(3)} s at ${sliced.sampling_frequency} Hz) after slicing; need at least ${MIN_DURATION_S} s`,
        { path: layout.rec_path, field: 'num_frames', expected: `≥ ${MIN_DURATION_S} s of samples` },
      );
    }
    const started = Date.now();
    const written = await writeFilteredInt16Binary(sliced, layout.binary, {
      freq_min: rc.freq_min,
      freq_max: rc.freq_max,
      start_chunk: ctx.resumeChunk ?? 0,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ fraction_done: p.fraction_done, chunk: p.chunk + 1, n_chunks: p.n_chunks }),
    });
    if (written.in_thread_reason !== null) ctx.log.warn(`band-pass ran on the activity's own thread: ${written.in_thread_reason}`);
    const meta: RecordingMeta = {
      source_path: layout.rec_path,
      stream_id: rc.stream_id,
      sampling_frequency: sliced.sampling_frequency,
      num_channels: sliced.num_channels,
      num_frames: sliced.num_frames,
      source_start_frame: sourceRanges[0][0],
      source_num_frames: source.num_frames,
      channel_ids: sliced.channel_ids,
      locations: sliced.locations,
      electrodes: sliced.electrodes,
      freq_min: rc.freq_min,
      freq_max: rc.freq_max,
      binary: basename(layout.binary),
      dtype: 'int16',
      chunks,
    };
    writeRecordingMeta(layout.recording_meta, meta);
    const seconds = (Date.now() - started) / 1000;
    return {
      outputs: [layout.binary, layout.recording_meta],
      summary: {
        num_channels: meta.num_channels, num_frames: meta.num_frames, sampling_frequency: meta.sampling_frequency,
        duration_s: duration, n_rec_chunks: chunks.length, filter_threads: written.threads, resumed_from_chunk: ctx.resumeChunk ?? 0, write_seconds: seconds,
      },
    };
  } finally {
    source.close();
  }
}
