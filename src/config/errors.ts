/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** Field path (`recording.freq_max`), flat key, CLI flag or `(root)`. */
  field: string;
  /** The value received (`undefined` when the field is missing). */
  value: unknown;
  /** What was expected, in words. */
  expected: string;
  /** Full sentence replacing the default `field: expected …, got …` line. */
  message?: string;
}

const MAX_VALUE_CHARS = 80;

/** Short, unambiguous rendering of a received value for messages. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return '(function)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

export function formatProblem(p: ConfigProblem): string {
  return p.message ?? `${p.field}: expected ${p.expected}, got ${formatValue(p.value)}`;
}

/**
 * Raised for an invalid configuration: unknown keys, wrong types, values out
 * of range, unreadable config files. Lists every problem found, not just the
 * first.
 */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  readonly problems: ConfigProblem[];
  readonly file?: string;

  constructor(problems: ConfigProblem[], options: { file?: string } = {}) {
    const where = options.file !== undefined ? ` in ${options.file}` : '';
    const n = problems.length;
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    super(
      n === 1
        ? `Invalid configuration${where}: ${formatProblem(problems[0] as ConfigProblem)}`
        : `Invalid configuration${where} (${n} problems):\n${lines.join('\n')}`,
    );
    this.problems = problems;
    if (options.file !== undefined) this.file = options.file;
  }
}

/** Throws a ConfigValidationError when `problems` is non-empty. */
export function throwIfProblems(problems: ConfigProblem[], options: { file?: string } = {}): void {
  if (problems.length > 0) throw new ConfigValidationError(problems, options);
}
