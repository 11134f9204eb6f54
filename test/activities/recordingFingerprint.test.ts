/**
 * The recording fingerprint decides whether earlier artefacts still describe the input: it
 * must change when anything that changes the traces changes (a session's file list, a raw
 * binary's sidecar) and stay put otherwise.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingFingerprint } from '../../src/activities/recordingContext';
import { RecordingNotFoundError } from '../../src/errors';
import { makeTempDir } from '../io/python';

describe('recordingFingerprint', () => {
  const tmp = makeTempDir('fingerprint');
  afterAll(() => tmp.cleanup());

  it('a raw binary: changes when its sidecar changes, not when nothing does', () => {
    const bin = join(tmp.dir, 'r.bin');
    writeFileSync(bin, Buffer.alloc(4096, 1));
    const bare = recordingFingerprint(bin);
    writeFileSync(`${bin}.json`, JSON.stringify({ sampling_frequency: 20000, num_channels: 4, dtype: 'int16' }));
    const withSidecar = recordingFingerprint(bin);
    expect(withSidecar).not.toBe(bare);
    expect(recordingFingerprint(bin)).toBe(withSidecar);
    writeFileSync(`${bin}.json`, JSON.stringify({ sampling_frequency: 20000, num_channels: 2, dtype: 'int16' }));
    expect(recordingFingerprint(bin)).not.toBe(withSidecar);
  });

  it('a session directory: changes when a file is added or renamed (order), ignores other files', () => {
    const dir = join(tmp.dir, 'session');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.nwb'), 'first');
    const one = recordingFingerprint(dir);
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    expect(recordingFingerprint(dir)).toBe(one);
    writeFileSync(join(dir, 'b.nwb'), 'second');
    const two = recordingFingerprint(dir);
    expect(two).not.toBe(one);
    renameSync(join(dir, 'a.nwb'), join(dir, 'c.nwb'));
    expect(recordingFingerprint(dir)).not.toBe(two);
  });

  it('a missing path is RecordingNotFoundError', () => {
    expect(() => recordingFingerprint(join(tmp.dir, 'nope.nwb'))).toThrow(RecordingNotFoundError);
  });
});
