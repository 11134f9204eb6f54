/**
 * JSON in Python's dialect, written and read. Why: the curation history and its cache key
 * are defined by Python's `json` output (waveforms_curation §3.5–§3.6): floats spelled by
 * `repr` (`5.0`, `1e-05`), `Infinity` / `NaN` as bare tokens, `", "` / `": "` separators,
 * ASCII escapes. JSON.stringify differs on all of these, and would turn ∞ into null.
 *
 * Value model: a plain `number` is written as a Python int when it is an integer and as a
 * float otherwise; wrap it in `PyFloat` to force float spelling (60 → `60.0`).
 */

export class PyFloat {
  constructor(readonly value: number) {}
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

export type PyJsonValue = null | boolean | string | number | PyFloat | readonly PyJsonValue[] | { readonly [key: string]: PyJsonValue };

/** Python's `repr(float)`: shortest round-trip digits, fixed for 1e-4 ≤ |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest digits that round-trip.
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intLen = exp + 1;
      if (digits.length <= intLen) return `${sign}${digits}${'0'.repeat(intLen - digits.length)}.0`;
      return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
}

/** A float as Python's json module writes it (non-finite values as JS-style tokens). */
export function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatRepr(x);
}

/** `ensure_ascii=True`: everything outside printable ASCII becomes \uXXXX (UTF-16 units). */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export interface DumpOptions {
  /** Spaces per level (Python `indent`); absent → one line with `", "` / `": "`. */
  readonly indent?: number;
  readonly sortKeys?: boolean;
}

function isPlainObject(v: PyJsonValue): v is { readonly [key: string]: PyJsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

export function dumpsPython(value: PyJsonValue, opts: DumpOptions = {}): string {
  const write = (v: PyJsonValue, depth: number): string => {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return jsonString(v);
    if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : jsonFloat(v);
    if (v instanceof PyFloat) return jsonFloat(v.value);
    const open = Array.isArray(v) ? '[' : '{';
    const close = Array.isArray(v) ? ']' : '}';
    let items: string[];
    if (Array.isArray(v)) {
      items = (v as readonly PyJsonValue[]).map((x) => write(x, depth + 1));
    } else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (opts.sortKeys) keys.sort();
      items = keys.map((k) => `${jsonString(k)}: ${write(v[k], depth + 1)}`);
    } else {
      throw new TypeError('unsupported value in dumpsPython');
    }
    if (items.length === 0) return open + close;
    if (opts.indent === undefined) return open + items.join(', ') + close;
    const pad = '\n' + ' '.repeat(opts.indent * (depth + 1));
    return open + pad + items.join(',' + pad) + '\n' + ' '.repeat(opts.indent * depth) + close;
  };
  return write(value, 0);
}

export class PythonJsonSyntaxError extends Error {
  constructor(detail: string, pos: number) {
    super(`invalid JSON at offset ${pos}: ${detail}`);
    this.name = 'PythonJsonSyntaxError';
  }
}

/** JSON.parse plus the NaN / Infinity / -Infinity tokens Python writes. */
export function parsePythonJson(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const lit = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new PythonJsonSyntaxError('expected a key', i);
        const key = str();
        ws();
        if (text[i] !== ':') throw new PythonJsonSyntaxError("expected ':'", i);
        i++;
        obj[key] = value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        throw new PythonJsonSyntaxError("expected ',' or '}'", i);
      }
    }
    if (ch === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        throw new PythonJsonSyntaxError("expected ',' or ']'", i);
      }
    }
    if (ch === '"') return str();
    if (lit('true')) return true;
    if (lit('false')) return false;
    if (lit('null')) return null;
    if (lit('NaN')) return NaN;
    if (lit('Infinity')) return Infinity;
    if (lit('-Infinity')) return -Infinity;
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m === null) throw new PythonJsonSyntaxError('unexpected character', i);
    i += m[0].length;
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) throw new PythonJsonSyntaxError('unterminated string', start);
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const out = value();
  ws();
  if (i !== text.length) throw new PythonJsonSyntaxError('trailing data', i);
  return out;
}
