/**
 * spikelabPlugin(): adds the spikelab workflows and activities to any Temporal worker, a lab's
 * own included. Built on @temporalio/plugin's SimplePlugin (experimental in SDK 1.24, hence
 * the exact version pin in package.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimplePlugin } from '@temporalio/plugin';
import { createActivities } from './activities';
import type { ActivityDependencies } from './activities';
import { canonicalJson, sha256 } from './pipeline/manifest';

export const DEFAULT_TASK_QUEUE = 'spikelab';

export interface SpikelabPluginOptions extends Partial<ActivityDependencies> {
  /** Plugin name shown in worker logs (default 'spikelab-sorting'). */
  readonly name?: string;
}

export function spikelabWorkflowsPath(): string {
  return require.resolve('./workflows');
}

/**
 * SimplePlugin replaces a worker's workflowsPath; a lab worker that has its own workflows
 * gets one generated module re-exporting both sets, so neither is lost.
 */
function mergedWorkflowsPath(existing: string | undefined): string {
  const ours = spikelabWorkflowsPath();
  if (existing === undefined || existing === ours) return ours;
  const dir = join(tmpdir(), 'spikelab-workflow-modules');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `workflows-${sha256(canonicalJson([existing, ours])).slice(0, 16)}.ts`);
  writeFileSync(file, `export * from ${JSON.stringify(existing)};\nexport * from ${JSON.stringify(ours)};\n`);
  return file;
}

export function spikelabPlugin(options: SpikelabPluginOptions = {}): SimplePlugin {
  const { name, ...deps } = options;
  return new SimplePlugin({
    name: name ?? 'spikelab-sorting',
    workflowsPath: (existing) => mergedWorkflowsPath(existing),
    activities: createActivities(deps),
  });
}
