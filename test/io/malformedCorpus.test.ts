/**
 * Every malformed input of the corpus ends in its classified error, naming the file and
 * what was wrong — never a crash, a hang or a silently wrong binary.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CORPUS } from './corpus';
import { runLoadPath, runLoadPathUnprivileged } from './corpus/runCase';
import { makeTempDir } from './python';

jest.setTimeout(120000);

describe('malformed-input corpus', () => {
  const tmp = makeTempDir('corpus');
  afterAll(() => tmp.cleanup());

  it('has at least 15 distinct cases', () => {
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    expect(CORPUS.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const dir = mkdtempSync(join(tmp.dir, `${c.id}-`));
    const { path, recording } = await c.build(dir);
    const out = mkdtempSync(join(tmpdir(), 'spikelab-corpus-out-'));
    const outcome = c.unprivileged && process.getuid?.() === 0
      ? runLoadPathUnprivileged(path, recording ?? {}, out)
      : await runLoadPath(path, recording ?? {}, out);
    expect(outcome).not.toBeNull();
    if (outcome === null) return;
    expect({ case: c.id, error: outcome.name }).toEqual({ case: c.id, error: c.error });
    expect(outcome.message).toMatch(c.message);
    if (c.error !== 'ConfigValidationError') expect(outcome.message).toContain(path);
  });
});
