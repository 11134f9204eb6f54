import { mkdtempSync, writeFileSync, utimesSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifest, manifestDigest, writeManifest, fileDigest } from '../../src/pipeline/manifest';

function setup(): { dir: string; out: string; mpath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  const out = join(dir, 'out.bin');
  writeFileSync(out, Buffer.from([1, 2, 3, 4]));
  return { dir, out, mpath: join(dir, '.sort.manifest.json') };
}

test('a manifest is valid for the same inputs, config and untouched outputs', () => {
  const { out, mpath } = setup();
  const m = writeManifest(mpath, 'sort', { load: 'abc' }, 'cfg1', [out], { n_units: 3 });
  const v = checkManifest(mpath, 'sort', { load: 'abc' }, 'cfg1');
  expect(v.valid).toBe(true);
  expect(v.valid && manifestDigest(v.manifest)).toBe(manifestDigest(m));
});

test('changed config, changed upstream, or a different stage invalidate it', () => {
  const { out, mpath } = setup();
  writeManifest(mpath, 'sort', { load: 'abc' }, 'cfg1', [out], {});
  expect(checkManifest(mpath, 'sort', { load: 'abc' }, 'cfg2')).toEqual({ valid: false, reason: 'config changed' });
  expect(checkManifest(mpath, 'sort', { load: 'xyz' }, 'cfg1')).toEqual({ valid: false, reason: 'inputs changed' });
  expect(checkManifest(mpath, 'extract', { load: 'abc' }, 'cfg1').valid).toBe(false);
});

test('a truncated, deleted or rewritten output invalidates it (crash-truncated files are never reused)', () => {
  const { out, mpath } = setup();
  writeManifest(mpath, 'load', {}, 'c', [out], {});
  writeFileSync(out, Buffer.from([1, 2]));
  expect(checkManifest(mpath, 'load', {}, 'c')).toEqual({ valid: false, reason: 'output out.bin changed size' });
  writeFileSync(out, Buffer.from([9, 9, 9, 9]));
  utimesSync(out, new Date(), new Date(Date.now() + 5000));
  expect(checkManifest(mpath, 'load', {}, 'c')).toEqual({ valid: false, reason: 'output out.bin changed' });
});

test('a touched but unchanged output is still valid (content decides, not mtime)', () => {
  const { out, mpath } = setup();
  writeManifest(mpath, 'load', {}, 'c', [out], {});
  utimesSync(out, new Date(), new Date(Date.now() + 5000));
  expect(checkManifest(mpath, 'load', {}, 'c').valid).toBe(true);
});

test('no manifest, or a damaged one, means run the stage', () => {
  const { mpath } = setup();
  expect(checkManifest(mpath, 'load', {}, 'c')).toEqual({ valid: false, reason: 'no manifest' });
  writeFileSync(mpath, '{ not json');
  expect(checkManifest(mpath, 'load', {}, 'c').valid).toBe(false);
});

test('the manifest is written atomically (no temp file left) and its digest ignores created_at', () => {
  const { dir, out, mpath } = setup();
  const a = writeManifest(mpath, 'load', {}, 'c', [out], {}, new Date(0));
  const b = writeManifest(mpath, 'load', {}, 'c', [out], {}, new Date(1e12));
  expect(manifestDigest(a)).toBe(manifestDigest(b));
  expect(JSON.parse(readFileSync(mpath, 'utf8')).created_at).toBe(new Date(1e12).toISOString());
  expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  expect(fileDigest(out)).toMatch(/^[0-9a-f]{64}$/);
  expect(dir).toBeTruthy();
});
