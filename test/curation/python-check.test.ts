/**
 * Curation against an independent Python implementation (fixtures/curation_reference.py):
 * the same history from the same inputs, the history file byte-identical to Python's
 * `json.dumps(indent=2)`, the cache key from Python's `json.dumps(sort_keys=True)`, and
 * float spelling equal to `repr`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKeyText } from '../../src/curation/cache-key';
import { criteriaFromConfig } from '../../src/curation/criteria';
import { curate } from '../../src/curation/curate';
import { criteriaToPy } from '../../src/curation/history';
import { dumpsPython, parsePythonJson, pyFloat, pyFloatRepr } from '../../src/util/pythonJson';
import { createRng } from '../../src/util/rng';
import { HAVE_PYTHON, runPython, tempDir } from '../waveforms/helpers';
import { DEFAULTS, FS, input, scenario16 } from './helpers';
import type { CurationInput } from '../../src/curation/apply';
import type { CurationParams } from '../../src/curation/criteria';

const SCRIPT = join(__dirname, 'fixtures', 'curation_reference.py');

const FLOATS = [5.0, 1.0, 0.05, 0.01, 1.5, 1e-5, 1.5e-5, 0.0001, 0.00012345, 1e16, 1e15, 123456789012345680, 123.456, -0.0, -2.5,
  1 / 3, 2 / 3, 1e-7, 1.7976931348623157e308, 5e-324, 0.1 + 0.2, 1e22, 12345.678e10, 9007199254740993, 0.016666666666666666];

function randomUnits(seed: number): CurationInput {
  const r = createRng(seed);
  const units = Array.from({ length: 40 }, (_, i) => {
    const n = 20 + r.nextInt(80);
    const t = new Float64Array(n);
    let s = r.nextInt(1000);
    for (let k = 0; k < n; k++) {
      s += r.nextFloat() < 0.03 ? 1 + r.nextInt(30) : 40 + r.nextInt(4000);
      t[k] = s;
    }
    const stdNorm = r.nextFloat() < 0.1 ? Infinity : r.nextFloat() * 1.4;
    return { unit_id: 3 * i + r.nextInt(3), spike_train_samples: t, snr: r.nextFloat() * 12, std_norm: stdNorm };
  });
  return { fs_Hz: FS, length_ms: 120_000, units };
}

(HAVE_PYTHON ? describe : describe.skip)('curation vs independent Python', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => { tmp = tempDir('curpy'); });
  afterAll(() => tmp.cleanup());

  function check(name: string, data: CurationInput, params: CurationParams): void {
    const folder = join(tmp.dir, name);
    const result = curate(data, params, folder);
    const spec = {
      fs: pyFloat(data.fs_Hz),
      length_ms: pyFloat(data.length_ms),
      criteria: criteriaToPy(criteriaFromConfig(params)),
      units: data.units.map((u) => ({
        unit_id: u.unit_id ?? null,
        train_samples: Array.from(u.spike_train_samples),
        snr: u.snr === null || u.snr === undefined ? null : pyFloat(u.snr),
        std_norm: u.std_norm === null || u.std_norm === undefined ? null : pyFloat(u.std_norm),
      })),
      floats: FLOATS.map(pyFloat),
    };
    const specPath = join(tmp.dir, `${name}.json`);
    writeFileSync(specPath, dumpsPython(spec));
    const out = parsePythonJson(runPython(SCRIPT, [specPath, join(folder, 'curation_history.json')])) as {
      expected: { curated_final: number[]; __cache_key__: string }; key_text: string; ts_text_is_python_formatting: boolean; ts_history_equals_expected: boolean; reprs: string[];
    };
    expect(out.ts_text_is_python_formatting).toBe(true);
    expect(out.ts_history_equals_expected).toBe(true);
    expect(result.curated_ids).toEqual(out.expected.curated_final);
    expect(result.history.__cache_key__).toBe(out.expected.__cache_key__);
    expect(cacheKeyText(criteriaFromConfig(params), data.units.map((u) => u.unit_id ?? 0))).toBe(out.key_text);
    expect(FLOATS.map(pyFloatRepr)).toEqual(out.reprs);
  }

  test('§7 #16 with defaults', () => check('s16', scenario16(), DEFAULTS));
  test('random units, defaults', () => check('rand1', randomUnits(1), DEFAULTS));
  test('random units, hill method and other thresholds', () => check('rand2', randomUnits(2), { ...DEFAULTS, isi_violation_method: 'hill', isi_viol_max: 0.2, snr_min: 3.5, std_norm_max: 0.7, fr_min: 0.3 }));
  test('random units, second group only', () => check('rand3', randomUnits(3), { ...DEFAULTS, curate_first: false }));
  test('empty input', () => check('empty', input([]), DEFAULTS));
});
