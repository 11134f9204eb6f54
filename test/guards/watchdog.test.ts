import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskExhaustionError, HostMemoryWatchdogError } from '../../src/errors';
import type { SpikeSortingClassifiedError } from '../../src/errors';
import { StageWatchdog, diskFreeGb, hostRamUsedPct } from '../../src/guards/watchdog';

const base = {
  host_ram_watchdog: true, host_ram_warn_pct: 85, host_ram_abort_pct: 92, host_ram_poll_interval_s: 0.1,
  disk_watchdog: true, disk_warn_free_gb: 5, disk_abort_free_gb: 1, disk_poll_interval_s: 0.1,
};

test('real readings: RAM percent and free disk at the nearest existing ancestor', async () => {
  const pct = await hostRamUsedPct();
  expect(pct).not.toBeNull();
  expect(pct as number).toBeGreaterThan(0);
  expect(pct as number).toBeLessThan(100);
  const dir = mkdtempSync(join(tmpdir(), 'wd-'));
  expect(diskFreeGb(join(dir, 'not', 'yet', 'made'))).toBeCloseTo(diskFreeGb(dir) as number, 0);
});

test('peaks are recorded and nothing trips under normal thresholds', async () => {
  const trips: SpikeSortingClassifiedError[] = [];
  const wd = new StageWatchdog(base, tmpdir(), (e) => trips.push(e));
  await wd.pollOnce();
  const s = wd.snapshot();
  expect(s.peak_host_ram_pct).not.toBeNull();
  expect(s.min_disk_free_gb).not.toBeNull();
  expect(trips).toEqual([]);
});

test('host RAM above the abort threshold trips once with HostMemoryWatchdogError', async () => {
  const trips: SpikeSortingClassifiedError[] = [];
  const wd = new StageWatchdog({ ...base, host_ram_warn_pct: 0.001, host_ram_abort_pct: 0.002 }, tmpdir(), (e) => trips.push(e));
  wd.start();
  await new Promise((r) => setTimeout(r, 600));
  wd.stop();
  expect(trips).toHaveLength(1);
  expect(trips[0]).toBeInstanceOf(HostMemoryWatchdogError);
  expect(wd.snapshot().tripped).toBe('host_memory');
});

test('free disk under the abort threshold trips with DiskExhaustionError naming the folder', async () => {
  const trips: SpikeSortingClassifiedError[] = [];
  const dir = tmpdir();
  const wd = new StageWatchdog({ ...base, host_ram_watchdog: false, disk_warn_free_gb: 1e9, disk_abort_free_gb: 1e8 }, dir, (e) => trips.push(e));
  await wd.pollOnce();
  expect(trips[0]).toBeInstanceOf(DiskExhaustionError);
  expect(trips[0].message).toContain(dir);
});
