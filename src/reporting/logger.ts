/**
 * Per-recording JSON log (pino) in the results folder, shared by every activity of that
 * recording, appended across attempts and processes so a resumed sort keeps one history.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from 'pino';

const loggers = new Map<string, { logger: Logger; dest: pino.DestinationStream & { flushSync?: () => void; end?: () => void } }>();

export function recordingLogPath(resultsFolder: string): string {
  return join(resultsFolder, 'sorting.log');
}

export function recordingLogger(resultsFolder: string, bindings: Record<string, unknown> = {}): Logger {
  const path = recordingLogPath(resultsFolder);
  let entry = loggers.get(path);
  if (entry === undefined) {
    mkdirSync(dirname(path), { recursive: true });
    const dest = pino.destination({ dest: path, append: true, sync: true });
    const level = process.env.SPIKELAB_LOG_LEVEL ?? 'info';
    // A worker in a terminal also shows the lines, readable; the file always gets JSON.
    const logger = process.env.SPIKELAB_LOG_PRETTY === '1'
      ? pino({ level, base: { pid: process.pid } }, pino.multistream([
        { level, stream: dest },
        { level, stream: pretty({ colorize: true, destination: 2, sync: true, ignore: 'pid,hostname' }) },
      ]))
      : pino({ level, base: { pid: process.pid } }, dest);
    entry = { logger, dest };
    loggers.set(path, entry);
  }
  return Object.keys(bindings).length > 0 ? entry.logger.child(bindings) : entry.logger;
}

/** Close the file so the tee policy can delete or compress it. */
export function closeRecordingLogger(resultsFolder: string): void {
  const path = recordingLogPath(resultsFolder);
  const entry = loggers.get(path);
  if (entry === undefined) return;
  loggers.delete(path);
  try { entry.dest.flushSync?.(); } catch { /* already closed */ }
  try { entry.dest.end?.(); } catch { /* already closed */ }
}
