/**
 * Streaming waveform extraction over all units (waveforms_curation §1, pipeline §4.8),
 * writing the reference's folder layout plus what a later activity needs to reload the
 * result (`store.ts`).
 *
 * Decisions (see the report / docs/reference-differences.md):
 * - traces are read as given: the recording is already µV (no second gain).
 * - recentring is keyed by (unit, index in the train), only the sampled spikes move, and
 *   the recentred trains are stored in `spike_trains/`; the sorter's spike_times.npy is
 *   never rewritten and no spike_times_kilosort.npy backup is made.
 * - zero units → an empty, successful result.
 * - the chunked parallel path (`streaming = false`) is not implemented; it behaves as
 *   streaming with the waveform files always written.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Sorting } from '../backends/types';
import type { Recording } from '../io/recording';
import { npyHeader } from '../io/npy';
import { writeFileAtomic } from '../util/fsx';
import { OutOfMemoryError } from './errors';
import { extractUnit } from './extract-unit';
import { waveformLayout, type WaveformLayout } from './layout';
import { encodeBool, encodeInt64, encodeSampledIndex } from './npy-files';
import { extractionWindow, type ExtractionWindow, type WaveformParams } from './params';
import { peakInfo, type PeakInfo } from './peak-channel';
import { readUnitCheckpoint, writeManifest, writeUnitCheckpoint } from './store';
import { TemplateFile } from './template-file';
import type { ExtractOptions, UnitWaveforms, WaveformResult } from './types';
import { unitTemplateSource } from './unit-template-source';

/** The reference refuses template caches this sparse (ids far above the unit count). */
const DENSITY_FACTOR = 100;

function yieldToEventLoop(): Promise<void> {
  // Extraction is synchronous I/O and arithmetic; yielding between units lets the
  // activity's heartbeats go out and its cancellation reach `signal`.
  return new Promise((r) => setImmediate(r));
}

function densityGuard(ids: readonly number[], win: ExtractionWindow, channels: number): void {
  if (ids.length === 0) return;
  const maxId = Math.max(...ids);
  if (maxId > DENSITY_FACTOR * ids.length) {
    const gb = ((maxId + 1) * win.nsamples * channels * 4) / 1024 ** 3;
    throw new OutOfMemoryError(
      `template cache for unit ids up to ${maxId} (${ids.length} units) would need ${gb.toFixed(2)} GB ` +
        `((max id + 1) × ${win.nsamples} samples × ${channels} channels × 4 bytes); unit ids are too sparse`,
      { size_gb: gb, max_unit_id: maxId, n_units: ids.length },
    );
  }
}

function prepareFolders(layout: WaveformLayout, fresh: boolean): void {
  if (fresh) rmSync(layout.root, { recursive: true, force: true });
  for (const dir of [layout.root, layout.channelsMaxDir, layout.waveformsDir, layout.templatesDir, layout.trainsDir, layout.checkpointsDir]) {
    mkdirSync(dir, { recursive: true });
  }
  // A resumed run is not complete until it writes the marker again.
  rmSync(layout.manifest, { force: true });
}

/**
 * Identity of an extraction's inputs. Checkpoints are reused only under the same key: a
 * resume after the sorting, the recording or a parameter changed must start over.
 */
/** Identity of the extraction's inputs (not their location: a moved folder may resume, and equal inputs give equal files). */
function resumeKey(rec: Recording, sorting: Sorting, params: WaveformParams): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ fs: rec.sampling_frequency, frames: rec.num_frames, channels: rec.num_channels, params, ids: sorting.unit_ids, map: sorting.channel_map ? Array.from(sorting.channel_map) : null }));
  for (const t of sorting.spike_trains) h.update(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  const tpl = sorting.templates;
  if (tpl !== null) {
    h.update(JSON.stringify(tpl.shape));
    h.update(new Uint8Array(tpl.data.buffer, tpl.data.byteOffset, tpl.data.byteLength));
  }
  return h.digest('hex');
}

function readResumeKey(layout: WaveformLayout): string | null {
  try {
    return readFileSync(layout.resumeKey, 'utf8');
  } catch {
    return null;
  }
}

function writeParameters(layout: WaveformLayout, rec: Recording, params: WaveformParams, win: ExtractionWindow): void {
  const body = {
    recording_path: resolve(rec.source_path),
    sampling_frequency: rec.sampling_frequency,
    ms_before: params.ms_before,
    ms_after: params.ms_after,
    peak_ind: win.peak_ind,
    pos_peak_thresh: params.pos_peak_thresh,
    max_waveforms_per_unit: params.max_waveforms_per_unit,
    dtype: 'float32',
    n_jobs: params.n_jobs ?? null,
    total_memory: params.total_memory ?? null,
    save_waveform_files: params.save_waveform_files,
  };
  writeFileAtomic(layout.parameters, JSON.stringify(body));
}

/** Arrays indexed by unit id; rows of ids that are not units hold false / 0. */
function writeChannelsMax(layout: WaveformLayout, ids: readonly number[], peaks: readonly PeakInfo[], rows: number): void {
  const pos = new Array<boolean>(rows).fill(false);
  const ks = new Array<number>(rows).fill(0);
  const all = new Array<number>(rows).fill(0);
  ids.forEach((id, i) => {
    pos[id] = peaks[i].use_pos_peak;
    ks[id] = peaks[i].chan_max_kilosort;
    all[id] = peaks[i].chan_max_all;
  });
  writeFileAtomic(layout.usePosPeak, encodeBool(pos));
  writeFileAtomic(layout.chansMaxKilosort, encodeInt64(ks));
  writeFileAtomic(layout.chansMaxAll, encodeInt64(all));
}

interface TemplateFiles {
  readonly average: TemplateFile;
  readonly std: TemplateFile;
}

function reopenTemplates(layout: WaveformLayout, rows: number, win: ExtractionWindow, C: number): TemplateFiles | null {
  const average = TemplateFile.reopen(layout.templatesAverage, rows, win.nsamples, C);
  const std = TemplateFile.reopen(layout.templatesStd, rows, win.nsamples, C);
  if (average !== null && std !== null) return { average, std };
  average?.close();
  std?.close();
  return null;
}

function createTemplates(layout: WaveformLayout, rows: number, win: ExtractionWindow, C: number): TemplateFiles {
  return {
    average: TemplateFile.create(layout.templatesAverage, rows, win.nsamples, C),
    std: TemplateFile.create(layout.templatesStd, rows, win.nsamples, C),
  };
}

interface UnitJob {
  readonly id: number;
  readonly train: ArrayLike<number>;
  readonly peak: PeakInfo & { readonly from_sorter: boolean };
  readonly win: ExtractionWindow;
  readonly params: WaveformParams;
  readonly writeFiles: boolean;
}

/** Extracts one unit and makes it durable: files first, its checkpoint last. */
function extractAndStoreUnit(rec: Recording, layout: WaveformLayout, templates: TemplateFiles, job: UnitJob): UnitWaveforms {
  const { id, peak, win } = job;
  const ex = extractUnit(rec, { unitId: id, train: job.train, peak, window: win, maxWaveformsPerUnit: job.params.max_waveforms_per_unit, seed: job.params.random_seed });
  writeFileAtomic(layout.sampledIndex(id), encodeSampledIndex(ex.sampled_index));
  // Written even when all zeros: a reopened file may hold rows from an earlier attempt.
  templates.average.writeRow(id, ex.average);
  templates.std.writeRow(id, ex.std);
  const n = ex.waveform_rows.length;
  const wfPath = job.writeFiles && n > 0 ? layout.waveforms(id) : null;
  if (wfPath !== null) {
    writeFileAtomic(wfPath, [npyHeader('<f4', [n, win.nsamples, rec.num_channels]), Buffer.from(ex.waveforms.buffer, ex.waveforms.byteOffset, ex.waveforms.byteLength)]);
  } else {
    rmSync(layout.waveforms(id), { force: true });
  }
  const unit: UnitWaveforms = {
    unit_id: id,
    use_pos_peak: peak.use_pos_peak,
    chan_max_kilosort: peak.chan_max_kilosort,
    chan_max_all: peak.chan_max_all,
    half_window: peak.half_window,
    template_from_sorter: peak.from_sorter,
    n_spikes: ex.spike_train.length,
    n_waveforms: n,
    has_waveform_file: wfPath !== null,
    sampled_index: ex.sampled_index,
    waveform_rows: ex.waveform_rows,
    spike_train: ex.spike_train,
    waveforms_path: wfPath,
  };
  // Template rows must be durable before the checkpoint claims the unit is done.
  templates.average.sync();
  templates.std.sync();
  writeUnitCheckpoint(layout, unit);
  return unit;
}

export async function extractWaveforms(rec: Recording, sorting: Sorting, params: WaveformParams, folder: string, opts: ExtractOptions = {}): Promise<WaveformResult> {
  const fs = rec.sampling_frequency;
  const C = rec.num_channels;
  const win = extractionWindow(params.ms_before, params.ms_after, fs);
  const layout = waveformLayout(folder);
  const ids = sorting.unit_ids;
  densityGuard(ids, win, C);
  opts.signal?.throwIfAborted();

  const rows = ids.length === 0 ? 0 : Math.max(...ids) + 1;
  const key = resumeKey(rec, sorting, params);
  // Resume only onto the same inputs, and only with the finished units' template rows
  // intact; anything else starts from an empty folder.
  let templates = (opts.start_unit ?? 0) > 0 && readResumeKey(layout) === key ? reopenTemplates(layout, rows, win, C) : null;
  const startUnit = templates === null ? 0 : Math.min(opts.start_unit ?? 0, ids.length);
  prepareFolders(layout, templates === null);
  templates ??= createTemplates(layout, rows, win, C);
  writeFileAtomic(layout.resumeKey, key);

  const peaks = ids.map((id, i) => {
    const source = unitTemplateSource(rec, sorting, id, sorting.spike_trains[i], win);
    return { ...peakInfo(source.template, params.pos_peak_thresh, source.channel_map, C), from_sorter: source.from_sorter };
  });
  writeChannelsMax(layout, ids, peaks, rows);
  writeParameters(layout, rec, params, win);

  const writeFiles = params.save_waveform_files || params.streaming === false;
  const units: UnitWaveforms[] = [];
  try {
    for (let i = 0; i < ids.length; i++) {
      opts.signal?.throwIfAborted();
      const id = ids[i];
      const resumed = i < startUnit ? readUnitCheckpoint(layout, id) : null;
      if (resumed !== null) {
        units.push(resumed);
        opts.onProgress?.({ fraction_done: (i + 1) / ids.length, unit: i + 1, n_units: ids.length });
        continue;
      }
      const unit = extractAndStoreUnit(rec, layout, templates, { id, train: sorting.spike_trains[i], peak: peaks[i], win, params, writeFiles });
      units.push(unit);
      opts.onProgress?.({ fraction_done: (i + 1) / ids.length, unit: i + 1, n_units: ids.length });
      await yieldToEventLoop();
    }
  } finally {
    templates.average.close();
    templates.std.close();
  }
  if (ids.length === 0) opts.onProgress?.({ fraction_done: 1, unit: 0, n_units: 0 });

  const header = { recording_path: resolve(rec.source_path), sampling_frequency: fs, num_frames: rec.num_frames, num_channels: C, window: win };
  writeManifest(layout, header, units);
  return { folder, ...header, units, templates_average_path: layout.templatesAverage, templates_std_path: layout.templatesStd };
}
