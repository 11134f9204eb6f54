/**
 * RecordingResult files and the batch report (pipeline spec §5.2, guards spec §1.1):
 * `recording_report.json` with keys in field order, `sorting_report.md`, SortRunReport.
 */
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx';
import type { RecordingResult, StageReport } from '../workflows/types';

const FIELD_ORDER: readonly (keyof RecordingResult)[] = [
  'rec_name', 'rec_path', 'results_folder', 'status', 'wall_time_s', 'n_curated_units', 'error_class', 'error_message',
  'retries_used', 'log_path', 'peak_host_ram_pct', 'peak_gpu_used_pct', 'min_disk_free_gb',
];

export function orderedRecord(r: RecordingResult): RecordingResult {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) out[k] = r[k];
  return out as unknown as RecordingResult;
}

export function writeRecordingReport(path: string, r: RecordingResult): void {
  writeJsonAtomic(path, orderedRecord(r));
}

export class SortRunReport {
  readonly records: RecordingResult[] = [];

  add(r: RecordingResult): void {
    this.records.push(r);
  }

  get succeeded(): RecordingResult[] {
    return this.records.filter((r) => r.status === 'success');
  }

  get failed(): RecordingResult[] {
    return this.records.filter((r) => r.status !== 'success');
  }

  /** False for an empty batch. */
  get all_succeeded(): boolean {
    return this.records.length > 0 && this.failed.length === 0;
  }

  toDict(): { records: RecordingResult[]; n_total: number; n_succeeded: number; n_failed: number } {
    return { records: this.records.map(orderedRecord), n_total: this.records.length, n_succeeded: this.succeeded.length, n_failed: this.failed.length };
  }
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

/** A readable summary beside the JSON: status, error, and what each stage did. */
export function renderSortingReport(r: RecordingResult, stages: readonly StageReport[]): string {
  const lines = [`# Sorting report: ${r.rec_name}`, ''];
  lines.push('## Result', '', '| field | value |', '|---|---|');
  for (const k of FIELD_ORDER) lines.push(`| ${k} | ${fmt(r[k]).replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  lines.push('', '## Stages', '', '| stage | reused | wall time (s) | summary |', '|---|---|---|---|');
  for (const s of stages) {
    const summary = Object.entries(s.summary).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${fmt(v)}`).join(', ');
    lines.push(`| ${s.stage} | ${s.reused ? 'yes' : 'no'} | ${s.wall_time_s.toFixed(1)} | ${summary} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeSortingReport(path: string, r: RecordingResult, stages: readonly StageReport[]): void {
  writeFileAtomic(path, renderSortingReport(r, stages));
}
