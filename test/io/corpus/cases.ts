/**
 * The malformed-input corpus: files a lab will eventually feed the pipeline (cut-off copies,
 * wrong files, damaged layouts, bad samples, inconsistent sessions, bad ranges), each with
 * the classified error and the words a user needs to see. Built on demand in a temp folder
 * by h5py, pynwb and plain byte writes, so the corpus is reproducible from this file.
 */
import { copyFileSync, mkdirSync, openSync, closeSync, ftruncateSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordingConfig } from '../../../src/config';
import { writeMaxwellH5, type MaxwellWellToWrite } from '../../../src/io/maxwell_writer';
import { runPythonCode } from '../python';

export type ErrorClass = 'InvalidRecordingError' | 'RecordingNotFoundError' | 'RecordingAccessError' | 'HDF5PluginMissingError' | 'ConfigValidationError';

export interface CorpusCase {
  id: string;
  /** What is wrong, in a user's words. */
  what: string;
  /** Writes the input under `dir`; returns the path to sort and config overrides. */
  build: (dir: string) => Promise<{ path: string; recording?: Partial<RecordingConfig> }>;
  error: ErrorClass;
  /** Must appear in the message besides the file's path. */
  message: RegExp;
  /** The case needs a process without root's permission bypass. */
  unprivileged?: boolean;
}

const FS = 20000;

function well(overrides: Partial<MaxwellWellToWrite> = {}): MaxwellWellToWrite {
  return {
    well: 'well000', sampling_frequency: FS, lsb: 6.3e-6, num_frames: 2 * FS,
    mapping: [0, 1, 2, 3].map((ch) => ({ channel: ch, electrode: 100 + ch, x: 17.5 * ch, y: 0 })),
    fill: (s, e, out) => {
      const n = e - s;
      for (let i = 0; i < out.length; i++) out[i] = 512 + ((s + (i % n)) % 7);
    },
    ...overrides,
  };
}

async function maxwell(path: string, wells: MaxwellWellToWrite[] = [well()]): Promise<string> {
  await writeMaxwellH5(path, wells);
  return path;
}

/** h5py edit of a valid file (delete or replace a dataset). */
function h5edit(path: string, code: string): void {
  runPythonCode(`import sys, h5py, numpy as np\nf = h5py.File(sys.argv[1], 'r+')\n${code}\nf.close()\n`, [path]);
}

const REC = 'wells/well000/rec0000';

export const MAXWELL_CASES: CorpusCase[] = [
  {
    id: 'missing-file', what: 'the path does not exist', error: 'RecordingNotFoundError', message: /not found/,
    build: async (dir) => ({ path: join(dir, 'missing.raw.h5') }),
  },
  {
    id: 'unsupported-extension', what: 'a .txt file', error: 'InvalidRecordingError', message: /not in \.h5, \.nwb, \.dat or \.bin format/,
    build: async (dir) => { const p = join(dir, 'notes.txt'); writeFileSync(p, 'hello'); return { path: p }; },
  },
  {
    id: 'garbage-bytes', what: 'random bytes named .raw.h5', error: 'InvalidRecordingError', message: /HDF5/,
    build: async (dir) => {
      const p = join(dir, 'garbage.raw.h5');
      const b = Buffer.alloc(64 * 1024);
      for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) >>> 24;
      writeFileSync(p, b);
      return { path: p };
    },
  },
  {
    id: 'truncated', what: 'a copy cut off at 40 % (interrupted transfer)', error: 'InvalidRecordingError', message: /truncated|damaged|could not read|failed/i,
    build: async (dir) => {
      const full = await maxwell(join(dir, 'full_for_truncation.raw.h5'));
      const p = join(dir, 'truncated.raw.h5');
      copyFileSync(full, p);
      const fd = openSync(p, 'r+');
      ftruncateSync(fd, Math.floor(statSync(p).size * 0.4));
      closeSync(fd);
      return { path: p };
    },
  },
  {
    id: 'empty-file', what: 'a zero-byte file', error: 'InvalidRecordingError', message: /empty|HDF5/,
    build: async (dir) => { const p = join(dir, 'empty.raw.h5'); writeFileSync(p, ''); return { path: p }; },
  },
  {
    id: 'missing-mapping', what: 'no settings/mapping', error: 'InvalidRecordingError', message: /mapping/,
    build: async (dir) => { const p = await maxwell(join(dir, 'nomapping.raw.h5')); h5edit(p, `del f['${REC}/settings/mapping']`); return { path: p }; },
  },
  {
    id: 'zero-routed', what: 'every mapping row unrouted (channel -1)', error: 'InvalidRecordingError', message: /0 routed channels|no routed/,
    build: async (dir) => ({
      path: await maxwell(join(dir, 'unrouted.raw.h5'), [well({
        mapping: [0, 1].map((i) => ({ channel: -1, electrode: i, x: i, y: 0 })), routed_channels: [],
      })]),
    }),
  },
  {
    id: 'mapping-row-mismatch', what: 'mapping rows do not match raw rows', error: 'InvalidRecordingError', message: /mapping|rows/,
    build: async (dir) => ({
      path: await maxwell(join(dir, 'rowmismatch.raw.h5'), [well({ routed_channels: [0, 1, 2, 3, 4], write_routed_channels: false })]),
    }),
  },
  {
    id: 'unknown-well', what: 'stream_id names a well the plate lacks', error: 'InvalidRecordingError', message: /well007.*not found.*well000/,
    build: async (dir) => ({ path: await maxwell(join(dir, 'onewell.raw.h5')), recording: { stream_id: 'well007' } }),
  },
  {
    id: 'empty-dataset', what: 'raw dataset with 0 samples', error: 'InvalidRecordingError', message: /0 samples|empty/,
    build: async (dir) => ({ path: await maxwell(join(dir, 'nosamples.raw.h5'), [well({ num_frames: 0 })]) }),
  },
  {
    id: 'wrong-dtype', what: 'raw samples stored as strings', error: 'InvalidRecordingError', message: /raw|integer|dtype/i,
    build: async (dir) => {
      const p = await maxwell(join(dir, 'strings.raw.h5'));
      h5edit(p, `del f['${REC}/groups/routed/raw']\nf['${REC}/groups/routed/raw'] = np.array([[b'ab'] * 10] * 4)`);
      return { path: p };
    },
  },
  {
    id: 'old-version', what: 'a Maxwell version older than any known layout', error: 'InvalidRecordingError', message: /version 20150101 is not supported/,
    build: async (dir) => {
      const p = await maxwell(join(dir, 'oldversion.raw.h5'));
      h5edit(p, "del f['version']\nf['version'] = np.array([b'20150101'])");
      return { path: p };
    },
  },
  {
    id: 'unavailable-filter', what: 'raw compressed with a filter no reader here has (vendor plugin)', error: 'HDF5PluginMissingError', message: /filter 32020/,
    build: async (dir) => {
      const p = join(dir, 'vendor_compressed.raw.h5');
      // A dataset declared with an unregistered optional filter: HDF5 stores it unfiltered,
      // but the pipeline must still refuse it up front, as it would a vendor-compressed file.
      runPythonCode(`import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'w')
f['version'] = np.array([b'20190530'])
g = f.create_group('wells/well000/rec0000')
g['settings/sampling'] = np.array([20000.0]); g['settings/lsb'] = np.array([6.3e-6])
m = np.zeros(2, dtype=[('channel','<i4'),('electrode','<i4'),('x','<f8'),('y','<f8')]); m['channel'] = [0, 1]
g['settings/mapping'] = m
g.create_dataset('groups/routed/raw', data=np.full((2, 40000), 512, np.uint16), chunks=(2, 4000), compression=32020, allow_unknown_filter=True)
g['groups/routed/channels'] = np.array([0, 1])
f['data_store/data0000/groups/routed/raw'] = h5py.SoftLink('/wells/well000/rec0000/groups/routed/raw')
f.close()
`, [p]);
      return { path: p };
    },
  },
  {
    id: 'start-after-end', what: 'start_time_s after end_time_s', error: 'InvalidRecordingError', message: /Invalid time range: start_time_s=1.5, end_time_s=0.5/,
    build: async (dir) => ({ path: await maxwell(join(dir, 'range.raw.h5')), recording: { start_time_s: 1.5, end_time_s: 0.5 } }),
  },
  {
    id: 'start-past-end', what: 'start_time_s beyond the recording', error: 'InvalidRecordingError', message: /Invalid time range/,
    build: async (dir) => ({ path: await maxwell(join(dir, 'range2.raw.h5')), recording: { start_time_s: 10 } }),
  },
  {
    id: 'chunk-past-end', what: 'rec_chunks beyond the last frame', error: 'InvalidRecordingError', message: /ends past the recording/,
    build: async (dir) => ({ path: await maxwell(join(dir, 'range3.raw.h5')), recording: { rec_chunks: [[0, 20000], [30000, 90000]] } }),
  },
  {
    id: 'concat-rate-mismatch', what: 'a session whose files differ in sampling rate', error: 'InvalidRecordingError', message: /Cannot concatenate: .*b\.raw\.h5 has sampling frequency 10000 Hz but .*a\.raw\.h5 has 20000 Hz/,
    build: async (dir) => {
      const d = join(dir, 'session_rates');
      mkdirSync(d, { recursive: true });
      await maxwell(join(d, 'a.raw.h5'));
      await maxwell(join(d, 'b.raw.h5'), [well({ sampling_frequency: 10000 })]);
      return { path: d };
    },
  },
  {
    id: 'concat-channel-mismatch', what: 'a session whose files differ in channel map', error: 'InvalidRecordingError', message: /Cannot concatenate: .*b\.raw\.h5 has 2 channels but .*a\.raw\.h5 has 4/,
    build: async (dir) => {
      const d = join(dir, 'session_channels');
      mkdirSync(d, { recursive: true });
      await maxwell(join(d, 'a.raw.h5'));
      await maxwell(join(d, 'b.raw.h5'), [well({ mapping: [0, 1].map((ch) => ({ channel: ch, electrode: ch, x: ch, y: 0 })) })]);
      return { path: d };
    },
  },
  {
    id: 'concat-mixed-types', what: 'a session mixing .raw.h5 and .nwb', error: 'InvalidRecordingError', message: /mix of file types/,
    build: async (dir) => {
      const d = join(dir, 'session_mixed');
      mkdirSync(d, { recursive: true });
      await maxwell(join(d, 'a.raw.h5'));
      writeFileSync(join(d, 'b.nwb'), '');
      return { path: d };
    },
  },
  {
    id: 'empty-directory', what: 'a directory without recordings', error: 'RecordingNotFoundError', message: /No recording files found/,
    build: async (dir) => { const d = join(dir, 'session_empty'); mkdirSync(d, { recursive: true }); return { path: d }; },
  },
  {
    id: 'unreadable', what: 'a file without read permission', error: 'RecordingAccessError', message: /cannot read the recording \(EACCES\)/, unprivileged: true,
    build: async (dir) => {
      const p = await maxwell(join(dir, 'locked.raw.h5'));
      chmodSync(p, 0o000);
      return { path: p };
    },
  },
];
