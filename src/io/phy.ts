/**
 * Reading a sorter's Phy output folder into a `Sorting` (pipeline spec §4.7).
 *
 * Files: `spike_times.npy` and `spike_clusters.npy` (flattened; `spike_templates.npy` stands
 * in when the folder has no `spike_clusters.npy`), `params.py` (parsed, never executed),
 * every `*.tsv` / `*.csv` cluster table, and the optional `templates.npy` and
 * `channel_map.npy`. When the folder itself has no `spike_times.npy` but
 * `<folder>/sorter_output/` has one, that subfolder is read (SpikeInterface's layout).
 *
 * Choices where the spec is silent (pinned in test/io/phy.test.ts):
 * - Tables are read in name order (byte-wise), the first being the cluster table.
 * - Later tables are left-joined on the cluster id: no row of the first table is dropped,
 *   a missing value becomes null. A later table with neither `cluster_id` nor `id` is
 *   skipped (it cannot be joined); the first table without either is an error.
 * - Spike frames are not re-based by `start_frame`: a train keeps the recording's frames.
 * - `labels` holds the `KSLabel` value per unit when that column exists, else null.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Sorting, SorterTemplates } from '../backends/types';
import { npyToNumbers, readNpy, type NpyArray } from './npy';

/** A Phy folder could not be read. `file` is the offending file (or folder). */
export class PhyFolderError extends Error {
  constructor(
    message: string,
    readonly file: string,
    /** `not_found`: a required file is missing; `invalid`: a file has unusable content. */
    readonly kind: 'not_found' | 'invalid',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PhyFolderError';
  }
}

export interface ReadPhyOptions {
  /** Keep only rows whose `KSLabel` is `good` (when the tables have a `KSLabel` column). */
  keep_good_only?: boolean;
  /** Keep spikes at frames ≥ start_frame. */
  start_frame?: number;
  /** Keep spikes at frames < end_frame. */
  end_frame?: number;
}

// ---- params.py -------------------------------------------------------------------------

/** The values a Phy `params.py` may hold: Python literals (tuples and sets become arrays). */
export type PyLiteral = number | string | boolean | null | PyLiteral[] | { [key: string]: PyLiteral };

type Tok =
  | { t: 'name'; v: string; line: number }
  | { t: 'num'; v: number; line: number }
  | { t: 'str'; v: string; line: number }
  | { t: 'op'; v: string; line: number }
  | { t: 'nl'; line: number }
  | { t: 'end'; line: number };

function paramsError(path: string, line: number, detail: string): PhyFolderError {
  return new PhyFolderError(
    `${path}: line ${line}: ${detail} (params.py may only hold single-name assignments of Python literals; it is never executed)`,
    path,
    'invalid',
  );
}

const STRING_PREFIX = /^(?:[rRuU]|[bB][rR]?|[rR][bB])?(?='|")/;

function decodeEscapes(body: string, raw: boolean): string {
  if (raw) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        return String.fromCharCode(Number.parseInt(e, 8));
      case 'x': case 'u': case 'U':
        return e.length > 1 ? String.fromCodePoint(Number.parseInt(e.slice(1), 16)) : `\\${e}`;
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case '\n': return '';
      case '\\': case '\'': case '"': return e;
      default: return `\\${e}`;
    }
  });
}

function tokenize(text: string, path: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      if (depth === 0) toks.push({ t: 'nl', line });
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') { i++; continue; }
    if (c === '#') { while (i < n && text[i] !== '\n') i++; continue; }
    if (c === '\\' && text[i + 1] === '\n') { i += 2; line++; continue; }
    const prefix = STRING_PREFIX.exec(text.slice(i, i + 3));
    if (prefix !== null) {
      const pre = prefix[0];
      if (/[bB]/.test(pre)) throw paramsError(path, line, 'bytes literals are not supported');
      const raw = /[rR]/.test(pre);
      let j = i + pre.length;
      const q = text[j];
      const triple = text.slice(j, j + 3) === q.repeat(3);
      const close = triple ? q.repeat(3) : q;
      j += close.length;
      const startLine = line;
      let body = '';
      for (;;) {
        if (j >= n) throw paramsError(path, startLine, 'unterminated string');
        if (text[j] === '\\' && j + 1 < n) {
          if (text[j + 1] === '\n') line++;
          body += text.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (text.startsWith(close, j)) { j += close.length; break; }
        if (text[j] === '\n') {
          if (!triple) throw paramsError(path, startLine, 'unterminated string');
          line++;
        }
        body += text[j];
        j++;
      }
      toks.push({ t: 'str', v: decodeEscapes(body, raw), line: startLine });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)([jJ]?)/.exec(text.slice(i));
      const lit = m?.[0] ?? '';
      if (lit.length === 0) throw paramsError(path, line, `cannot read the number at '${text.slice(i, i + 10)}'`);
      if (m?.[1]) throw paramsError(path, line, `complex number '${lit}' is not supported`);
      const clean = lit.replace(/_/g, '');
      let v: number;
      if (/^0[xX]/.test(clean)) v = Number.parseInt(clean.slice(2), 16);
      else if (/^0[oO]/.test(clean)) v = Number.parseInt(clean.slice(2), 8);
      else if (/^0[bB]/.test(clean)) v = Number.parseInt(clean.slice(2), 2);
      else v = Number(clean);
      if (Number.isNaN(v)) throw paramsError(path, line, `cannot read the number '${lit}'`);
      toks.push({ t: 'num', v, line });
      i += lit.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      const name = m?.[0] ?? c;
      toks.push({ t: 'name', v: name, line });
      i += name.length;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    // Every other character is an operator token; the parser accepts only the literal ones.
    const two = text.slice(i, i + 2);
    const op = /^(\*\*|\/\/|==|!=|<=|>=|->|:=|<<|>>)$/.test(two) ? two : c;
    toks.push({ t: 'op', v: op, line });
    i += op.length;
  }
  toks.push({ t: 'nl', line });
  toks.push({ t: 'end', line });
  return toks;
}

function describeTok(tok: Tok): string {
  switch (tok.t) {
    case 'nl': return 'end of line';
    case 'end': return 'end of file';
    case 'str': return `string ${JSON.stringify(tok.v)}`;
    default: return `'${String(tok.v)}'`;
  }
}

class ParamsParser {
  private pos = 0;
  constructor(private readonly toks: Tok[], private readonly path: string) {}

  private peek(): Tok { return this.toks[this.pos]; }
  private next(): Tok { return this.toks[this.pos++]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private expectOp(v: string): void {
    const t = this.next();
    if (!(t.t === 'op' && t.v === v)) throw paramsError(this.path, t.line, `expected '${v}', found ${describeTok(t)}`);
  }

  parseFile(): Record<string, PyLiteral> {
    const out: Record<string, PyLiteral> = {};
    for (;;) {
      const t = this.peek();
      if (t.t === 'end') return out;
      if (t.t === 'nl' || (t.t === 'op' && t.v === ';')) { this.pos++; continue; }
      if (t.t !== 'name') throw paramsError(this.path, t.line, `expected an assignment 'name = literal', found ${describeTok(t)}`);
      this.pos++;
      const eq = this.next();
      if (!(eq.t === 'op' && eq.v === '=')) {
        throw paramsError(this.path, t.line, `'${t.v}' is not a single-name assignment (found ${describeTok(eq)} after the name)`);
      }
      const value = this.parseExpr();
      const after = this.peek();
      if (after.t === 'op' && after.v === '=') throw paramsError(this.path, after.line, 'chained assignments are not allowed');
      if (!(after.t === 'nl' || (after.t === 'op' && after.v === ';'))) {
        throw paramsError(this.path, after.line, `unexpected ${describeTok(after)} after the value of '${t.v}'`);
      }
      out[t.v.toLowerCase()] = value;
    }
  }

  /** An expression list: `1, 2` at statement level is a tuple. */
  private parseExpr(): PyLiteral {
    const first = this.parseAtom();
    if (!this.isOp(',')) return first;
    const items: PyLiteral[] = [first];
    while (this.isOp(',')) {
      this.pos++;
      const t = this.peek();
      if (t.t === 'nl' || (t.t === 'op' && (t.v === ';' || t.v === ')'))) break;
      items.push(this.parseAtom());
    }
    return items;
  }

  private parseSeq(close: string): PyLiteral[] {
    const items: PyLiteral[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseAtom());
      if (this.isOp(',')) { this.pos++; continue; }
      if (!this.isOp(close)) { const t = this.peek(); throw paramsError(this.path, t.line, `expected ',' or '${close}', found ${describeTok(t)}`); }
    }
    this.pos++;
    return items;
  }

  private parseAtom(): PyLiteral {
    const t = this.next();
    if (t.t === 'num') return t.v;
    if (t.t === 'str') {
      let s = t.v;
      while (this.peek().t === 'str') s += (this.next() as { v: string }).v; // implicit concatenation
      return s;
    }
    if (t.t === 'op') {
      if (t.v === '-' || t.v === '+') {
        const operand = this.next();
        if (operand.t !== 'num') throw paramsError(this.path, t.line, `unary '${t.v}' applies only to a number`);
        return t.v === '-' ? -operand.v : operand.v;
      }
      if (t.v === '(') {
        if (this.isOp(')')) { this.pos++; return []; }
        const first = this.parseAtom();
        if (this.isOp(')')) { this.pos++; return first; } // parenthesised value
        this.expectOp(',');
        const rest = this.parseSeq(')');
        return [first, ...rest];
      }
      if (t.v === '[') return this.parseSeq(']');
      if (t.v === '{') return this.parseBraces(t.line);
    }
    if (t.t === 'name') {
      if (t.v === 'True') return true;
      if (t.v === 'False') return false;
      if (t.v === 'None') return null;
      if (t.v === 'range' && this.isOp('(')) return this.parseRange(t.line);
      if (this.isOp('=')) throw paramsError(this.path, t.line, 'chained assignments are not allowed');
      if (this.isOp('(')) throw paramsError(this.path, t.line, `call of '${t.v}(…)' is not allowed`);
      throw paramsError(this.path, t.line, `name '${t.v}' is not a literal`);
    }
    throw paramsError(this.path, t.line, `expected a literal, found ${describeTok(t)}`);
  }

  private parseBraces(line: number): PyLiteral {
    if (this.isOp('}')) { this.pos++; return {}; }
    const first = this.parseAtom();
    if (this.isOp(':')) {
      const dict: Record<string, PyLiteral> = {};
      let key = first;
      for (;;) {
        this.expectOp(':');
        const value = this.parseAtom();
        if (key !== null && typeof key === 'object') throw paramsError(this.path, line, 'dict keys must be numbers, strings, booleans or None');
        dict[String(key)] = value;
        if (this.isOp(',')) this.pos++;
        if (this.isOp('}')) { this.pos++; return dict; }
        key = this.parseAtom();
      }
    }
    // A set: kept as an array, duplicates removed.
    const items: PyLiteral[] = [first];
    if (this.isOp(',')) { this.pos++; items.push(...this.parseSeq('}')); } else this.expectOp('}');
    return items.filter((v, i) => items.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
  }

  private parseRange(line: number): PyLiteral[] {
    this.expectOp('(');
    const args = this.parseSeq(')');
    if (args.length < 1 || args.length > 3 || !args.every((a) => typeof a === 'number' && Number.isInteger(a))) {
      throw paramsError(this.path, line, 'range() takes 1 to 3 integer literals');
    }
    const nums = args as number[];
    const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
    if (step === 0) throw paramsError(this.path, line, 'range() step must not be zero');
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (count > 10_000_000) throw paramsError(this.path, line, 'range() is too long');
    return Array.from({ length: count }, (_v, k) => start + k * step);
  }
}

/**
 * Parses Phy `params.py` text: single-name assignments of literals (numbers, strings,
 * tuples, lists, dicts, sets, booleans, None) or `range(<int literals>)` (→ list). Names are
 * lower-cased. Anything else (calls, expressions, imports) → `PhyFolderError` naming the file
 * and the line. The text is never executed.
 */
export function parsePhyParams(text: string, path = 'params.py'): Record<string, PyLiteral> {
  return new ParamsParser(tokenize(text, path), path).parseFile();
}

export function readPhyParams(path: string): Record<string, PyLiteral> {
  if (!existsSync(path)) throw new PhyFolderError(`Kilosort2 parameter file not found: ${path}`, path, 'not_found');
  return parsePhyParams(readFileSync(path, 'utf8'), path);
}

// ---- cluster tables --------------------------------------------------------------------

interface Table {
  file: string;
  columns: string[];
  rows: (string | null)[][];
}

function readTable(path: string, sep: string): Table {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) return { file: path, columns: [], rows: [] };
  const columns = lines[0].split(sep).map((c) => c.trim());
  const rows = lines.slice(1).map((l) => {
    const cells = l.split(sep);
    return columns.map((_c, k) => {
      const v = cells[k];
      return v === undefined || v.trim() === '' ? null : v.trim();
    });
  });
  return { file: path, columns, rows };
}

function idColumn(t: Table): number {
  const k = t.columns.indexOf('cluster_id');
  return k >= 0 ? k : t.columns.indexOf('id');
}

function coerceId(value: string | null, file: string): number {
  const numeric = value !== null && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value);
  const v = numeric ? Number(value) : NaN;
  if (!Number.isFinite(v) || !Number.isInteger(v)) {
    throw new PhyFolderError(
      `cluster_id column has non-integer values in ${file}: ${JSON.stringify(value)}`,
      file,
      'invalid',
    );
  }
  return v;
}

interface ClusterTable {
  ids: number[];
  columns: Map<string, (string | null)[]>;
}

function mergeTables(files: string[]): ClusterTable | null {
  if (files.length === 0) return null;
  const tables = files.map((f) => readTable(f, f.toLowerCase().endsWith('.csv') ? ',' : '\t'));
  const first = tables[0];
  const key = idColumn(first);
  if (key < 0) {
    throw new PhyFolderError(
      `Couldn't find cluster IDs in the TSV file. Expected a 'cluster_id' or 'id' column, found: [${first.columns.map((c) => `'${c}'`).join(', ')}] (${first.file})`,
      first.file,
      'invalid',
    );
  }
  const ids = first.rows.map((r) => coerceId(r[key], first.file));
  const columns = new Map<string, (string | null)[]>();
  first.columns.forEach((c, k) => { if (k !== key) columns.set(c, first.rows.map((r) => r[k])); });
  for (const t of tables.slice(1)) {
    const tk = idColumn(t);
    const last = t.columns[t.columns.length - 1];
    if (tk < 0 || last === undefined || columns.has(last) || t.columns.length < 2) continue;
    const byId = new Map<number, (string | null)[]>();
    for (const r of t.rows) byId.set(coerceId(r[tk], t.file), r);
    t.columns.forEach((c, k) => {
      if (k === tk || columns.has(c) || c === 'cluster_id' || c === 'id') return;
      columns.set(c, ids.map((id) => byId.get(id)?.[k] ?? null));
    });
  }
  return { ids, columns };
}

// ---- the folder ------------------------------------------------------------------------

function need(folder: string, name: string): string {
  const p = join(folder, name);
  if (!existsSync(p)) throw new PhyFolderError(`Phy output file not found: ${p}`, p, 'not_found');
  return p;
}

function readNpyNamed(path: string): NpyArray {
  try {
    return readNpy(path);
  } catch (err) {
    throw new PhyFolderError(`${path}: ${(err as Error).message}`, path, 'invalid', { cause: err });
  }
}

function toIntegers(arr: NpyArray): number[] {
  const values = npyToNumbers(arr);
  return arr.dtype === '<f4' || arr.dtype === '<f8' ? values.map((v) => Math.trunc(v)) : values;
}

/** The folder holding the Phy files: `folder`, or `folder/sorter_output` when only it has them. */
export function resolvePhyFolder(folder: string): string {
  if (existsSync(join(folder, 'spike_times.npy'))) return folder;
  const sub = join(folder, 'sorter_output');
  if (existsSync(join(sub, 'spike_times.npy'))) return sub;
  return folder;
}

/** round(ms · fs / 1000), as the spec's `ms_to_samples`. */
export function msToSamples(ms: number, fs: number): number {
  return Math.round((ms * fs) / 1000);
}

export function readPhyFolder(folderIn: string, opts: ReadPhyOptions = {}): Sorting {
  if (!existsSync(folderIn) || !statSync(folderIn).isDirectory()) {
    throw new PhyFolderError(`Phy output folder not found: ${folderIn}`, folderIn, 'not_found');
  }
  const folder = resolvePhyFolder(folderIn);

  // 1. Spikes.
  const timesPath = need(folder, 'spike_times.npy');
  const times = toIntegers(readNpyNamed(timesPath));
  const clustersPath = existsSync(join(folder, 'spike_clusters.npy'))
    ? join(folder, 'spike_clusters.npy')
    : existsSync(join(folder, 'spike_templates.npy')) ? join(folder, 'spike_templates.npy') : need(folder, 'spike_clusters.npy');
  const clusters = toIntegers(readNpyNamed(clustersPath));
  if (clusters.length !== times.length) {
    throw new PhyFolderError(
      `${clustersPath} has ${clusters.length} entries but ${timesPath} has ${times.length}`,
      clustersPath,
      'invalid',
    );
  }

  // 2. params.py.
  const paramsPath = join(folder, 'params.py');
  const params = readPhyParams(paramsPath);
  const fs = params.sample_rate;
  if (typeof fs !== 'number' || !(fs > 0)) {
    throw new PhyFolderError(`${paramsPath}: sample_rate is missing or not a positive number`, paramsPath, 'invalid');
  }

  // 3–5. Cluster tables.
  const tableFiles = readdirSync(folder)
    .filter((f) => /\.(tsv|csv)$/i.test(f) && statSync(join(folder, f)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((f) => join(folder, f));
  const table = mergeTables(tableFiles);

  let rowIds: number[];
  let rowLabels: (string | null)[];
  if (table === null) {
    rowIds = [...new Set(clusters)].sort((a, b) => a - b);
    rowLabels = rowIds.map(() => null); // group 'unsorted': no sorter label
  } else {
    const ks = table.columns.get('KSLabel');
    let keep = table.ids.map(() => true);
    if (opts.keep_good_only && ks !== undefined) keep = ks.map((v) => v === 'good');
    rowIds = table.ids.filter((_id, k) => keep[k]);
    rowLabels = table.ids.map((_id, k) => ks?.[k] ?? null).filter((_l, k) => keep[k]);
  }

  // 6. Trains, in table order, for ids with at least one spike (in the window).
  const start = opts.start_frame ?? -Infinity;
  const end = opts.end_frame ?? Infinity;
  const byCluster = new Map<number, number[]>();
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    if (t < start || t >= end) continue;
    let list = byCluster.get(clusters[k]);
    if (list === undefined) { list = []; byCluster.set(clusters[k], list); }
    list.push(t);
  }
  const unit_ids: number[] = [];
  const spike_trains: Float64Array[] = [];
  const labels: (string | null)[] = [];
  const seen = new Set<number>();
  rowIds.forEach((id, k) => {
    const list = byCluster.get(id);
    if (list === undefined || list.length === 0 || seen.has(id)) return;
    seen.add(id);
    unit_ids.push(id);
    spike_trains.push(Float64Array.from(list).sort());
    labels.push(rowLabels[k]);
  });

  // Templates (indexed by cluster id) and the channel map.
  let templates: SorterTemplates | null = null;
  const templatesPath = join(folder, 'templates.npy');
  if (existsSync(templatesPath)) {
    const arr = readNpyNamed(templatesPath);
    if (arr.shape.length !== 3) throw new PhyFolderError(`${templatesPath}: expected 3 dimensions, got [${arr.shape.join(', ')}]`, templatesPath, 'invalid');
    if (arr.fortran_order) throw new PhyFolderError(`${templatesPath}: Fortran-ordered arrays are not supported`, templatesPath, 'invalid');
    const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(npyToNumbers(arr));
    templates = { data, shape: [arr.shape[0], arr.shape[1], arr.shape[2]] };
  }
  let channel_map: Int32Array | null = null;
  const chanPath = join(folder, 'channel_map.npy');
  if (existsSync(chanPath)) channel_map = Int32Array.from(toIntegers(readNpyNamed(chanPath)));

  return { sampling_frequency: fs, unit_ids, spike_trains, templates, channel_map, labels };
}
