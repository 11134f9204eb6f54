/**
 * Progress of a running sort as the terminal shows it: one bar per stage from the workflow's
 * progress query, the running stage's fraction and watchdog readings from its heartbeat.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery } from '../workflows/queries';
import type { HeartbeatDetails, SortProgress, StageName } from '../workflows/types';

const STAGE_LABELS: Record<StageName, string> = {
  load: 'load', sort: 'sort', extract: 'extract', curate_first: 'curate-first', curate_second: 'curate-second', compile: 'compile',
};

export interface ProgressSnapshot {
  readonly progress: SortProgress | null;
  readonly heartbeat: HeartbeatDetails | null;
  readonly activity_attempt: number | null;
}

export async function snapshotOf(handle: WorkflowHandle): Promise<ProgressSnapshot> {
  let progress: SortProgress | null = null;
  try {
    progress = await handle.query(progressQuery);
  } catch {
    // Not started yet, or already closed.
  }
  let heartbeat: HeartbeatDetails | null = null;
  let attempt: number | null = null;
  try {
    const desc = await handle.describe();
    const pending = desc.raw.pendingActivities ?? [];
    const first = pending[0];
    const payload = first?.heartbeatDetails?.payloads?.[0];
    if (payload) heartbeat = defaultPayloadConverter.fromPayload<HeartbeatDetails>(payload);
    attempt = first?.attempt ?? null;
  } catch {
    // describe can fail while the server restarts: show what we have.
  }
  return { progress, heartbeat, activity_attempt: attempt };
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

export function renderProgress(s: ProgressSnapshot): string[] {
  if (s.progress === null) return ['  waiting for a worker…'];
  const lines: string[] = [];
  for (const [stage, p] of Object.entries(s.progress.stages) as [StageName, SortProgress['stages'][StageName]][]) {
    let fraction = p.state === 'done' || p.state === 'reused' ? 1 : 0;
    let extra: string = p.state;
    if (p.state === 'running') {
      const hb = s.heartbeat !== null && s.heartbeat.stage === stage ? s.heartbeat : null;
      fraction = hb?.fraction_done ?? 0;
      const parts = [`${Math.round(fraction * 100)}%`];
      if (hb?.chunk !== null && hb?.chunk !== undefined && hb.n_chunks) parts.push(`chunk ${hb.chunk}/${hb.n_chunks}`);
      if (hb?.watchdog.host_ram_used_pct != null) parts.push(`RAM ${hb.watchdog.host_ram_used_pct.toFixed(0)}%`);
      if (hb?.watchdog.disk_free_gb != null) parts.push(`disk ${hb.watchdog.disk_free_gb.toFixed(0)} GB free`);
      if ((s.activity_attempt ?? 1) > 1) parts.push(`attempt ${s.activity_attempt}`);
      if (hb?.message) parts.push(hb.message);
      extra = parts.join('  ');
    } else if (p.wall_time_s !== null && p.state !== 'pending') {
      extra = `${p.state} ${p.wall_time_s.toFixed(1)} s`;
    }
    lines.push(`  ${STAGE_LABELS[stage].padEnd(14)} ${bar(fraction)} ${extra}`);
  }
  return lines;
}

/** Redraws in place on a TTY; elsewhere prints a line when something changes. */
export class ProgressPrinter {
  private lastLines: string[] = [];
  private lastKey = '';

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  show(title: string, lines: string[]): void {
    const all = [title, ...lines];
    if (this.out.isTTY) {
      if (this.lastLines.length > 0) this.out.write(`\x1b[${this.lastLines.length}A`);
      for (const l of all) this.out.write(`\x1b[2K${l}\n`);
      this.lastLines = all;
      return;
    }
    // Coarse key (stage states and 10 % steps) so logs are not flooded.
    const key = all.map((l) => l.replace(/(\d+)%/g, (_, n: string) => `${Math.floor(Number(n) / 10) * 10}%`).replace(/RAM.*$/, '')).join('|');
    if (key !== this.lastKey) {
      this.out.write(`${all.join('\n')}\n`);
      this.lastKey = key;
    }
  }
}
