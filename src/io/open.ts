/**
 * One entry point from a path to a Recording (pipeline spec §3.1): a directory is the
 * concatenation of its recordings, `.h5` is Maxwell, `.nwb` is NWB, `.dat`/`.bin` is raw
 * binary (layout from options or a sidecar JSON; the reference refuses these). Every refusal is an InvalidRecordingError / RecordingNotFoundError naming the path.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { InvalidRecordingError, RecordingAccessError, RecordingNotFoundError } from '../errors';
import { type ConcatenatedRecording, concatenateRecordings } from './concat';
import { listRecordingFiles } from './directory';
import { listMaxwellStreams, openMaxwell } from './maxwell';
import { listNwbStreams, openNwb } from './nwb';
import { type RawBinaryParams, openRawBinary } from './raw_binary';
import type { Recording } from './recording';

export interface OpenRecordingOptions {
  /** Maxwell well (`well000`…) or NWB ElectricalSeries name; null → the file's only one. */
  stream_id?: string | null;
  /** Maxwell recording group (`rec0000`…); null → the file's only one. */
  rec_name?: string | null;
  /** Scalar stored-unit → µV scale for all channels; null → the file's per-channel values. */
  gain_to_uv?: number | null;
  offset_to_uv?: number | null;
  /** Raw binary layout; what is missing comes from the sidecar `<file>.json` / `<stem>.json`. */
  binary?: Partial<RawBinaryParams>;
}

export type RecordingKind = 'maxwell' | 'nwb' | 'binary' | 'directory';

/** Which reader a path goes to, or null when no reader takes it. */
export function recordingKind(path: string): RecordingKind | null {
  if (existsSync(path) && statSync(path).isDirectory()) return 'directory';
  const lower = path.toLowerCase();
  if (lower.endsWith('.h5')) return 'maxwell';
  if (lower.endsWith('.nwb')) return 'nwb';
  if (lower.endsWith('.dat') || lower.endsWith('.bin')) return 'binary';
  return null;
}

export async function openRecording(path: string, opts: OpenRecordingOptions = {}): Promise<Recording> {
  const kind = recordingKind(path);
  if (kind === null) {
    if (!existsSync(path)) throw new RecordingNotFoundError(`Recording not found: ${path}`, { path });
    throw new InvalidRecordingError(
      `Recording ${path} is not in .h5, .nwb, .dat or .bin format (or a directory of .raw.h5 / .nwb files)`,
      { path, field: 'path', expected: '.raw.h5, .nwb, .dat, .bin or a directory' },
    );
  }
  if (kind !== 'directory') assertReadable(path);
  switch (kind) {
    case 'directory':
      return openDirectory(path, opts);
    case 'maxwell':
      return openMaxwell(path, { stream_id: opts.stream_id, rec_name: opts.rec_name, gain_to_uv: opts.gain_to_uv, offset_to_uv: opts.offset_to_uv });
    case 'nwb':
      return openNwb(path, { stream_id: opts.stream_id, gain_to_uv: opts.gain_to_uv, offset_to_uv: opts.offset_to_uv });
    case 'binary':
      return openRawBinary(path, binaryParams(opts));
  }
}

/** The config's scalar scaling wins over the sidecar's, as it does over any file's own. */
function binaryParams(opts: OpenRecordingOptions): Partial<RawBinaryParams> {
  const out: Partial<RawBinaryParams> = { ...opts.binary };
  if (opts.gain_to_uv != null) out.gain_to_uv = opts.gain_to_uv;
  if (opts.offset_to_uv != null) out.offset_to_uv = opts.offset_to_uv;
  return out;
}

/** Missing and unreadable files fail here, classified, before any reader sees a raw OS error. */
function assertReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? null;
    if (code === 'ENOENT') throw new RecordingNotFoundError(`Recording not found: ${path}`, { path });
    throw new RecordingAccessError(`${path}: cannot read the recording (${code ?? String(err)}); check its permissions and mount`, { path, code }, { cause: err });
  }
}

/** Opens every file of a session directory and joins them; a failure closes what was opened. */
async function openDirectory(dir: string, opts: OpenRecordingOptions): Promise<ConcatenatedRecording> {
  const parts: Recording[] = [];
  try {
    for (const file of listRecordingFiles(dir)) parts.push(await openRecording(file, opts));
  } catch (err) {
    for (const p of parts) p.close();
    throw err;
  }
  return concatenateRecordings(parts, dir);
}

export function isConcatenated(rec: Recording): rec is ConcatenatedRecording {
  return Array.isArray((rec as Partial<ConcatenatedRecording>).chunks);
}

/**
 * Streams a recording offers (Maxwell wells, NWB ElectricalSeries); for a directory, those of
 * its first file (a session shares its layout). Null for formats without streams.
 */
export async function listRecordingStreams(path: string): Promise<{ file: string; streams: string[] } | null> {
  const kind = recordingKind(path);
  if (kind === 'directory') return listRecordingStreams(listRecordingFiles(path)[0]);
  if (kind === 'maxwell') return { file: path, streams: await listMaxwellStreams(path) };
  if (kind === 'nwb') return { file: path, streams: await listNwbStreams(path) };
  return null;
}
