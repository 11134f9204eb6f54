import { join } from 'node:path';
import { defaultFolders, recordingLayout, recordingStem, stageManifestPath } from '../../src/pipeline/layout';

test('stem removes only the final suffix', () => {
  expect(recordingStem('/d/a.raw.h5')).toBe('a.raw');
  expect(recordingStem('/d/my.s1.h5')).toBe('my.s1');
  expect(recordingStem('/d/plain')).toBe('plain');
});

test('default folders are per recording and carry no timestamp (shared-folder quirk fixed)', () => {
  const a = defaultFolders('/data/day1/a.raw.h5', 'kilosort4');
  const b = defaultFolders('/data/day1/b.raw.h5', 'kilosort4');
  expect(a).toEqual({ inter: '/data/day1/inter_kilosort4_a.raw', results: '/data/day1/sorted_kilosort4_a.raw' });
  expect(b.results).not.toBe(a.results);
  expect(defaultFolders('/data/day1/a.raw.h5', 'kilosort4')).toEqual(a);
});

test('results == inter is redirected once, for every writer', () => {
  const l = recordingLayout('/d/a.raw.h5', 'kilosort4', '/d/x', '/d/x');
  expect(l.results).toBe(join('/d/x', 'results'));
  expect(l.recording_report.startsWith(l.results)).toBe(true);
  expect(l.config_used.startsWith(l.results)).toBe(true);
  expect(stageManifestPath(l, 'compile').startsWith(l.results)).toBe(true);
  expect(stageManifestPath(l, 'sort').startsWith('/d/x/.')).toBe(true);
});

test('the seed\'s intermediate layout', () => {
  const l = recordingLayout('/d/my.session1.h5', 'kilosort4', '/i', '/r');
  expect(l.binary).toBe('/i/my.session1_scaled_filtered.dat');
  expect(l.sorter_output).toBe('/i/kilosort4_results');
  expect(l.waveforms).toBe('/i/waveforms');
  expect([l.curation_initial, l.curation_first, l.curation_second]).toEqual(['/i/curation/initial', '/i/curation/first', '/i/curation/second']);
});
