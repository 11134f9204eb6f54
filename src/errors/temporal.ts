/**
 * Classified errors → Temporal ApplicationFailure: `type` = class name, `details` =
 * [attributes], non-retryable for biological and environment failures and for every
 * resource failure except those the workflow retries with reduced parameters itself.
 */
import { ApplicationFailure } from '@temporalio/common';
import { familyOf } from './families';
import { SpikeSortingClassifiedError } from './taxonomy';

export interface FailureDetails {
  readonly family: string | null;
  readonly attributes: Record<string, unknown>;
}

function attributesOf(err: Error): Record<string, unknown> {
  if (err instanceof SpikeSortingClassifiedError) return { ...err.attributes };
  const extra = err as Error & { problems?: unknown; file?: unknown; path?: unknown };
  const out: Record<string, unknown> = {};
  if (extra.problems !== undefined) out.problems = extra.problems;
  if (extra.file !== undefined) out.file = extra.file;
  if (extra.path !== undefined) out.path = extra.path;
  return out;
}

/**
 * Unclassified errors stay retryable (a crashed worker or a transient I/O fault deserves a
 * second attempt); classified ones carry their policy.
 */
export function toApplicationFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof Error)) return ApplicationFailure.create({ message: String(err), type: 'Error' });
  const type = err instanceof SpikeSortingClassifiedError ? err.constructor.name : err.name;
  const family = err instanceof SpikeSortingClassifiedError ? err.family : familyOf(type);
  if (family === null) return err;
  const details: FailureDetails = { family, attributes: attributesOf(err) };
  return ApplicationFailure.create({
    message: err.message,
    type,
    nonRetryable: true,
    details: [details],
    cause: err.cause instanceof Error ? err.cause : undefined,
  });
}
