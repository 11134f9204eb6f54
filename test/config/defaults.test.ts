import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  CONFIG_SCHEMA,
  DEFAULT_CONFIG,
  FIELD_PATHS,
  SECTION_NAMES,
  defaultConfig,
  dumpsPython,
  pythonFloatRepr,
  sectionFields,
  toPythonJson,
  validateConfig,
} from '../../src/config';
import { FIXTURES, pythonText, readFixture } from './helpers';

const fixture = readFixture();

describe('defaults (spec §1.4, normative)', () => {
  test('defaultConfig() equals the fixture defaults exactly', () => {
    expect(defaultConfig()).toEqual(fixture.defaults);
  });

  test('sections and fields are in §1.4 order (136 fields)', () => {
    expect(SECTION_NAMES).toEqual(Object.keys(fixture.defaults));
    for (const s of SECTION_NAMES) {
      expect(sectionFields(s)).toEqual(Object.keys(fixture.defaults[s] as object));
      expect(Object.keys(defaultConfig()[s])).toEqual(Object.keys(fixture.defaults[s] as object));
    }
    expect(FIELD_PATHS).toHaveLength(136);
  });

  test('int vs float: toPythonJson(defaults) is the text Python json.dumps(indent=2) prints', () => {
    expect(toPythonJson(defaultConfig())).toBe(pythonText('defaults.json'));
  });

  test('every numeric default has an int or float field type', () => {
    const wrong: string[] = [];
    for (const s of SECTION_NAMES) {
      for (const [field, value] of Object.entries(fixture.defaults[s] as object)) {
        const type = (CONFIG_SCHEMA[s] as Record<string, { type: string }>)[field]?.type;
        if (typeof value === 'number' && type !== 'int' && type !== 'float') wrong.push(`${s}.${field}`);
      }
    }
    expect(wrong).toEqual([]);
    // The Python text above is the arbiter of which one; spot checks:
    const text = pythonText('defaults.json');
    expect(text).toContain('"ms_before": 2.0,');
    expect(text).toContain('"freq_min": 300,');
    expect(text).toContain('"canary_first_n_s": 0.0,');
  });

  test('each call returns a fresh deep copy', () => {
    const a = defaultConfig();
    const b = defaultConfig();
    expect(a).not.toBe(b);
    a.recording.rec_chunks.push([0, 10]);
    a.figures.scatter_recording_colors[0] = '#123456';
    a.curation.snr_min = 1;
    expect(defaultConfig()).toEqual(fixture.defaults);
    expect(b).toEqual(fixture.defaults);
  });

  test('DEFAULT_CONFIG is frozen', () => {
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONFIG.figures.scatter_recording_colors)).toBe(true);
  });

  test('the defaults pass validation', () => {
    expect(() => validateConfig(defaultConfig())).not.toThrow();
  });
});

describe('Python spelling helpers', () => {
  test('pythonFloatRepr matches Python repr() on edge cases and 300 random doubles', () => {
    const { values, reprs } = JSON.parse(readFileSync(join(FIXTURES, 'python', 'float_repr.json'), 'utf8')) as {
      values: number[];
      reprs: string[];
    };
    expect(values.length).toBeGreaterThan(300);
    const mismatches = values
      .map((v, i) => [pythonFloatRepr(v), reprs[i]] as const)
      .filter(([got, want]) => got !== want);
    expect(mismatches).toEqual([]);
  });

  test('strings are escaped like json.dumps(ensure_ascii=True)', () => {
    const { values, dumps } = JSON.parse(readFileSync(join(FIXTURES, 'python', 'strings.json'), 'utf8')) as {
      values: string[];
      dumps: string[];
    };
    expect(values.map((v) => dumpsPython(v))).toEqual(dumps);
  });

  test('non-finite floats and nested collections', () => {
    expect(pythonFloatRepr(NaN)).toBe('NaN');
    expect(pythonFloatRepr(-Infinity)).toBe('-Infinity');
    expect(dumpsPython({ a: [], b: {}, c: [[1, 2]] })).toBe(
      '{\n  "a": [],\n  "b": {},\n  "c": [\n    [\n      1,\n      2\n    ]\n  ]\n}',
    );
  });

  test('float ranges print as floats, int ranges as ints; extra keys are appended', () => {
    const c = defaultConfig();
    c.recording.rec_chunks = [[0, 20000]];
    c.recording.rec_chunks_s = [[0, 1.5]];
    c.rt_sort.recording_window_ms = [0, 60000];
    const text = toPythonJson(c, { extra: { _runtime: { docker_image: null, docker_image_digest: null } } });
    expect(text).toContain('"rec_chunks": [\n      [\n        0,\n        20000\n      ]\n    ]');
    expect(text).toContain('"rec_chunks_s": [\n      [\n        0.0,\n        1.5\n      ]\n    ]');
    expect(text).toContain('"recording_window_ms": [\n      0.0,\n      60000.0\n    ]');
    expect(text.endsWith('"_runtime": {\n    "docker_image": null,\n    "docker_image_digest": null\n  }\n}')).toBe(true);
  });
});
