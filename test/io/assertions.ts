/** Assertions the reader tests share. */
import { InvalidRecordingError } from '../../src/errors';

/** `p` rejects with an InvalidRecordingError naming `path` (message and attribute), matching `pattern`, for `field` when given. */
export async function expectInvalid(p: Promise<unknown>, path: string, pattern: RegExp, field?: string): Promise<InvalidRecordingError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidRecordingError);
  const e = err as InvalidRecordingError;
  expect(e.message).toContain(path);
  expect(e.message).toMatch(pattern);
  expect(e.attributes.path).toBe(path);
  if (field !== undefined) expect(e.attributes.field).toBe(field);
  return e;
}

/** First index where two float32 arrays differ bitwise (null when identical), with both values. */
export function firstDifference(ours: Float32Array, ref: Float32Array): { index: number; ours: number; ref: number } | null {
  if (ours.length !== ref.length) return { index: -1, ours: ours.length, ref: ref.length };
  const a = new Uint32Array(ours.buffer, ours.byteOffset, ours.length);
  const b = new Uint32Array(ref.buffer, ref.byteOffset, ref.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return { index: i, ours: ours[i], ref: ref[i] };
  return null;
}
