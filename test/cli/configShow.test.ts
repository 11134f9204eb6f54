/**
 * `spikelab config show --preset NAME --json` prints, for every preset, exactly the seed's
 * documented values (the spec's JSON block serialised by Python: test/config/fixtures).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './runCli';
import { PRESET_NAMES } from '../../src/config';


const fixtures = join(__dirname, '..', 'config', 'fixtures', 'python');

test.each([...PRESET_NAMES])('config show --preset %s --json equals the seed field by field', async (preset) => {
  const { code, stdout } = await runCli(['config', 'show', '--preset', preset, '--json']);
  expect(code).toBe(0);
  const expected = readFileSync(join(fixtures, 'presets', `${preset}.json`), 'utf8');
  // Same text (Python float spelling included) and the same values field by field.
  expect(JSON.parse(stdout)).toEqual(JSON.parse(expected));
  expect(stdout.trim()).toBe(expected.trim());
});

test('config show without a preset prints the defaults; flags override fields', async () => {
  const plain = await runCli(['config', 'show', '--json']);
  expect(plain.stdout.trim()).toBe(readFileSync(join(fixtures, 'defaults.json'), 'utf8').trim());
  const tuned = await runCli(['config', 'show', '--json', '--snr-min', '4', '--delete-inter', 'false']);
  const parsed = JSON.parse(tuned.stdout) as { curation: { snr_min: number }; execution: { delete_inter: boolean } };
  expect(parsed.curation.snr_min).toBe(4);
  expect(parsed.execution.delete_inter).toBe(false);
});

test('bad config input is refused with the field, the value and the expectation, exit code 2', async () => {
  const unknownPreset = await runCli(['config', 'show', '--preset', 'KILOSORT5']);
  expect(unknownPreset.code).toBe(2);
  expect(unknownPreset.stderr).toMatch(/KILOSORT5/);
  expect(unknownPreset.stderr).toMatch(/KILOSORT4/);

  const unknownKey = await runCli(['config', 'show', '--snr-mn', '4']);
  expect(unknownKey.code).toBe(2);
  expect(unknownKey.stderr).toMatch(/--snr-mn/);
  expect(unknownKey.stderr).toMatch(/did you mean --snr-min/);

  const badValue = await runCli(['config', 'show', '--freq-min', '50']);
  expect(badValue.code).toBe(2);
  expect(badValue.stderr).toMatch(/--freq-min/);
  expect(badValue.stderr).toMatch(/≥ 100/);
  expect(badValue.stderr).toMatch(/50/);
});
