/**
 * Runs one corpus input the way the load stage does (config → open → select → filter →
 * int16 binary) and reports the error it ends with, as plain data.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { override, presetConfig, validateAgainstRecording } from '../../../src/config';
import type { RecordingConfig } from '../../../src/config';
import { bandpassRecording } from '../../../src/dsp/bandpass';
import { writeInt16Binary } from '../../../src/io/binary';
import { loadRecording } from '../../../src/io/load';

export interface CaseOutcome {
  name: string;
  message: string;
  attributes: Record<string, unknown>;
}

function outcomeOf(err: unknown): CaseOutcome {
  const e = err as Error & { attributes?: Record<string, unknown> };
  return { name: e?.name ?? typeof err, message: e?.message ?? String(err), attributes: e?.attributes ?? {} };
}

export async function runLoadPath(path: string, recording: Partial<RecordingConfig>, outDir: string): Promise<CaseOutcome | null> {
  try {
    const config = override(presetConfig('KILOSORT4'), recording as Record<string, unknown>);
    const { source, selected } = await loadRecording(path, config.recording);
    try {
      validateAgainstRecording(config, source.sampling_frequency);
      const filtered = bandpassRecording(selected, config.recording.freq_min, config.recording.freq_max);
      await writeInt16Binary(filtered, join(outDir, 'out.dat'));
    } finally {
      source.close();
    }
    return null;
  } catch (err) {
    return outcomeOf(err);
  }
}

/**
 * The same, in a child process running as `nobody` (root reads files whatever their mode, so
 * permission errors only show without privileges). Uses the built dist/ code.
 */
export function runLoadPathUnprivileged(path: string, recording: Partial<RecordingConfig>, outDir: string): CaseOutcome | null {
  const dist = resolve(__dirname, '../../../dist/src');
  if (!existsSync(join(dist, 'io/load.js'))) throw new Error(`${dist} is missing: run 'npm run build' first`);
  for (let d = dirname(path); d !== '/' && d.startsWith('/tmp/'); d = dirname(d)) chmodSync(d, 0o755);
  chmodSync(outDir, 0o777);
  const script = `
const { override, presetConfig } = require(${JSON.stringify(join(dist, 'config/index.js'))});
const { loadRecording } = require(${JSON.stringify(join(dist, 'io/load.js'))});
(async () => {
  try {
    const config = override(presetConfig('KILOSORT4'), ${JSON.stringify(recording)});
    const { source } = await loadRecording(${JSON.stringify(path)}, config.recording);
    source.close();
    console.log(JSON.stringify(null));
  } catch (e) {
    console.log(JSON.stringify({ name: e.name, message: e.message, attributes: e.attributes || {} }));
  }
})();`;
  const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
  if (r.status !== 0) throw new Error(`unprivileged run crashed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as CaseOutcome | null;
}
