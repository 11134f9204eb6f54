/**
 * Host-RAM and disk watchdogs that run beside a stage (guards spec §4.2, §4.4, simplified to
 * what a Temporal activity needs): poll, remember peaks, and on an abort threshold call the
 * trip callback once (the stage aborts its work and raises the classified error).
 */
import { statfsSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import si from 'systeminformation';
import { DiskExhaustionError, HostMemoryWatchdogError } from '../errors/taxonomy';
import type { SpikeSortingClassifiedError } from '../errors/taxonomy';
import type { WatchdogState } from '../workflows/types';

export interface WatchdogSettings {
  host_ram_watchdog: boolean;
  host_ram_warn_pct: number;
  host_ram_abort_pct: number;
  host_ram_poll_interval_s: number;
  disk_watchdog: boolean;
  disk_warn_free_gb: number;
  disk_abort_free_gb: number;
  disk_poll_interval_s: number;
}

const GB = 1024 ** 3;

/** Free space at the nearest existing ancestor of `folder`, in GiB (null when unreadable). */
export function diskFreeGb(folder: string): number | null {
  let p = folder;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) return null;
    p = up;
  }
  try {
    const st = statfsSync(p);
    return (st.bavail * st.bsize) / GB;
  } catch {
    return null;
  }
}

export async function hostRamUsedPct(): Promise<number | null> {
  try {
    const m = await si.mem();
    if (!(m.total > 0)) return null;
    // "available" counts reclaimable cache as free, as the kernel does for allocations.
    return (100 * (m.total - m.available)) / m.total;
  } catch {
    return null;
  }
}

export class StageWatchdog {
  private readonly state: WatchdogState = {
    host_ram_used_pct: null, disk_free_gb: null, peak_host_ram_pct: null, min_disk_free_gb: null, tripped: null,
  };
  private timers: NodeJS.Timeout[] = [];
  private tripError: SpikeSortingClassifiedError | null = null;

  constructor(
    private readonly settings: WatchdogSettings,
    private readonly folder: string,
    private readonly onTrip: (err: SpikeSortingClassifiedError) => void,
    private readonly onWarn: (message: string) => void = () => undefined,
  ) {}

  snapshot(): WatchdogState {
    return { ...this.state };
  }

  get error(): SpikeSortingClassifiedError | null {
    return this.tripError;
  }

  async pollOnce(): Promise<void> {
    await Promise.all([this.pollRam(), Promise.resolve(this.pollDisk())]);
  }

  start(): this {
    // First poll deferred by one interval, so a trip can never fire before start() returns.
    const s = this.settings;
    if (s.host_ram_watchdog) this.timers.push(setInterval(() => void this.pollRam(), Math.max(0.1, s.host_ram_poll_interval_s) * 1000));
    if (s.disk_watchdog) this.timers.push(setInterval(() => this.pollDisk(), Math.max(0.1, s.disk_poll_interval_s) * 1000));
    for (const t of this.timers) t.unref();
    return this;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private trip(err: SpikeSortingClassifiedError, label: string): void {
    if (this.tripError !== null) return;
    this.tripError = err;
    this.state.tripped = label;
    this.stop();
    this.onTrip(err);
  }

  private async pollRam(): Promise<void> {
    const pct = await hostRamUsedPct();
    if (pct === null) return;
    this.state.host_ram_used_pct = round2(pct);
    this.state.peak_host_ram_pct = round2(Math.max(this.state.peak_host_ram_pct ?? 0, pct));
    const s = this.settings;
    if (!s.host_ram_watchdog) return;
    if (pct >= s.host_ram_abort_pct) {
      this.trip(new HostMemoryWatchdogError(
        `host RAM use reached ${pct.toFixed(1)} % (abort threshold host_ram_abort_pct=${s.host_ram_abort_pct} %)`,
        { percent_at_trip: round2(pct), abort_pct: s.host_ram_abort_pct }), 'host_memory');
    } else if (pct >= s.host_ram_warn_pct) {
      this.onWarn(`host RAM use ${pct.toFixed(1)} % ≥ host_ram_warn_pct=${s.host_ram_warn_pct} %`);
    }
  }

  private pollDisk(): void {
    const free = diskFreeGb(this.folder);
    if (free === null) return;
    this.state.disk_free_gb = round2(free);
    this.state.min_disk_free_gb = round2(Math.min(this.state.min_disk_free_gb ?? Infinity, free));
    const s = this.settings;
    if (!s.disk_watchdog || s.disk_abort_free_gb <= 0) return;
    if (free <= s.disk_abort_free_gb) {
      this.trip(new DiskExhaustionError(
        `free space at ${this.folder} fell to ${free.toFixed(2)} GB (disk_abort_free_gb=${s.disk_abort_free_gb})`,
        { folder: this.folder, free_gb_at_trip: round2(free), abort_threshold_gb: s.disk_abort_free_gb }), 'disk');
    } else if (free <= s.disk_warn_free_gb) {
      this.onWarn(`free space at ${this.folder} is ${free.toFixed(2)} GB ≤ disk_warn_free_gb=${s.disk_warn_free_gb}`);
    }
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
