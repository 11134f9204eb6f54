import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PRESETS, configFromJson, defaultConfig, loadConfigFile, toPythonJson } from '../../src/config';
import { catchConfigError, problemFor } from './helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spikelab-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfigFile', () => {
  test('nested (partial sections)', () => {
    const path = writeJson('nested.json', JSON.stringify({ sorter: { sorter_name: 'kilosort4' }, curation: { snr_min: 3 } }));
    const c = loadConfigFile(path);
    expect(c.sorter.sorter_name).toBe('kilosort4');
    expect(c.curation.snr_min).toBe(3);
    expect(c.curation.fr_min).toBe(0.05);
  });

  test('flat keys, aliases included', () => {
    const path = writeJson('flat.json', JSON.stringify({ snr_min: 4, waveforms_ms_before: 2.5, rt_sort_probe: 'neuropixels' }));
    const c = loadConfigFile(path);
    expect([c.curation.snr_min, c.waveform.ms_before, c.rt_sort.probe]).toEqual([4, 2.5, 'neuropixels']);
  });

  test('mixed nested + flat', () => {
    const path = writeJson('mixed.json', JSON.stringify({ sorter: { sorter_name: 'rt_sort' }, rt_sort_device: 'cpu', fr_min: null }));
    const c = loadConfigFile(path);
    expect([c.sorter.sorter_name, c.rt_sort.device, c.curation.fr_min]).toEqual(['rt_sort', 'cpu', null]);
  });

  test('a config_used.json written with toPythonJson (+ _runtime) loads back unchanged', () => {
    const original = defaultConfig();
    original.recording.rec_chunks_s = [[0, 1.5]];
    const text = toPythonJson(original, { extra: { _runtime: { docker_image: null, docker_image_digest: null } } });
    expect(loadConfigFile(writeJson('config_used.json', text))).toEqual(original);
  });

  test('base config (e.g. a preset) is applied under the file and not mutated', () => {
    const path = writeJson('over-np.json', JSON.stringify({ rt_sort_params: { min_coc_n: 20 } }));
    const c = loadConfigFile(path, { base: PRESETS.RT_SORT_NEUROPIXELS });
    expect(c.rt_sort.params).toMatchObject({ stringent_thresh: 0.175, min_coc_n: 20 });
    expect(PRESETS.RT_SORT_NEUROPIXELS.rt_sort.params).not.toHaveProperty('min_coc_n');
  });

  test('bad JSON: error names the file and the position', () => {
    const path = writeJson('bad.json', '{\n  "snr_min": 3,\n}\n');
    const err = catchConfigError(() => loadConfigFile(path));
    expect(err.file).toBe(path);
    expect(err.message).toContain(path);
    expect(err.message).toContain('not valid JSON');
    expect(err.message).toMatch(/line 3, column 1/);
  });

  test('missing file names the file', () => {
    const path = join(dir, 'nope.json');
    const err = catchConfigError(() => loadConfigFile(path));
    expect(err.file).toBe(path);
    expect(err.message).toContain(path);
  });

  test('unknown nested key → suggestion; error names the file', () => {
    const path = writeJson('unknown-nested.json', JSON.stringify({ curation: { snr_mni: 3 } }));
    const err = catchConfigError(() => loadConfigFile(path));
    expect(err.file).toBe(path);
    expect(err.message).toContain(`in ${path}`);
    expect(err.message).toContain("Unknown field 'curation.snr_mni'. Did you mean 'curation.snr_min'?");
  });

  test('unknown top-level keys: flat-key and section suggestions', () => {
    const path = writeJson('unknown-top.json', JSON.stringify({ bogus_param: 1, curaton: {}, sorter_name: 'kilosort4' }));
    const err = catchConfigError(() => loadConfigFile(path));
    expect(err.problems).toHaveLength(3);
    expect(err.message).toContain("Unknown parameter 'bogus_param'");
    expect(err.message).toContain("Did you mean the section 'curation'?");
    expect(err.message).toContain("{\"sorter\": {\"sorter_name\": …}}");
  });

  test('values are validated, naming the file', () => {
    const path = writeJson('invalid.json', JSON.stringify({ recording: { freq_min: 50 } }));
    const err = catchConfigError(() => loadConfigFile(path));
    expect(err.file).toBe(path);
    expect(problemFor(err, 'recording.freq_min').value).toBe(50);
    expect(() => loadConfigFile(path, { validate: false })).not.toThrow();
  });

  test('a field set both nested and flat is rejected', () => {
    const path = writeJson('twice.json', JSON.stringify({ curation: { snr_min: 3 }, snr_min: 4 }));
    expect(catchConfigError(() => loadConfigFile(path)).message).toContain(
      "curation.snr_min is set twice: as 'curation.snr_min' and as 'snr_min'",
    );
  });

  test('root must be an object; sections must be objects', () => {
    expect(catchConfigError(() => configFromJson([1, 2])).problems[0]?.field).toBe('(root)');
    expect(problemFor(catchConfigError(() => configFromJson({ curation: 5 })), 'curation').expected).toContain('an object');
  });
});
