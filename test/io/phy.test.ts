import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { writeNpy } from '../../src/io/npy';
import { msToSamples, parsePhyParams, PhyFolderError, readPhyFolder } from '../../src/io/phy';

const PARAMS = [
  "dat_path = ['/data/rec.dat']",
  'n_channels_dat = 4',
  'offset = 0',
  'sample_rate = 20000.0',
  "dtype = 'int16'",
  'hp_filtered = False',
  '',
].join('\n');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'phy-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function phyFolder(
  folder: string,
  o: { times: number[]; clusters: number[]; tables?: Record<string, string>; params?: string | null; templates?: boolean },
): void {
  mkdirSync(folder, { recursive: true });
  writeNpy(join(folder, 'spike_times.npy'), BigInt64Array.from(o.times.map((t) => BigInt(t))), [o.times.length, 1]);
  writeNpy(join(folder, 'spike_clusters.npy'), Int32Array.from(o.clusters));
  if (o.params !== null) writeFileSync(join(folder, 'params.py'), o.params ?? PARAMS);
  for (const [name, text] of Object.entries(o.tables ?? {})) writeFileSync(join(folder, name), text);
  if (o.templates) {
    const t = new Float32Array(4 * 3 * 2).map((_v, i) => i);
    writeNpy(join(folder, 'templates.npy'), t, [4, 3, 2]);
    writeNpy(join(folder, 'channel_map.npy'), Int32Array.from([2, 3]), [1, 2]);
  }
}

const KSLABEL = 'cluster_id\tKSLabel\n0\tgood\n1\tmua\n2\tgood\n3\tgood\n';

describe('readPhyFolder (§4.7, scenario #26)', () => {
  test('clusters [0,0,1,2] with table 0–3 → units [0,1,2] in table order; trains ascending; labels from KSLabel', () => {
    phyFolder(dir, { times: [30, 10, 20, 40], clusters: [0, 0, 1, 2], tables: { 'cluster_KSLabel.tsv': KSLABEL }, templates: true });
    const s = readPhyFolder(dir);
    expect(s.sampling_frequency).toBe(20000);
    expect(s.unit_ids).toEqual([0, 1, 2]);
    expect(s.spike_trains.map((t) => Array.from(t))).toEqual([[10, 30], [20], [40]]);
    expect(s.labels).toEqual(['good', 'mua', 'good']);
    expect(s.templates?.shape).toEqual([4, 3, 2]);
    expect(s.templates?.data[5]).toBe(5);
    expect(Array.from(s.channel_map ?? [])).toEqual([2, 3]); // squeezed from (1, 2)
  });

  test('table order, not id order', () => {
    phyFolder(dir, { times: [1, 2, 3], clusters: [5, 2, 9], tables: { 'cluster_group.tsv': 'cluster_id\tgroup\n9\tgood\n2\tgood\n5\tnoise\n' } });
    expect(readPhyFolder(dir).unit_ids).toEqual([9, 2, 5]);
  });

  test('keep_good_only filters on KSLabel', () => {
    phyFolder(dir, { times: [10, 20, 30, 40], clusters: [0, 0, 1, 2], tables: { 'cluster_KSLabel.tsv': KSLABEL } });
    const s = readPhyFolder(dir, { keep_good_only: true });
    expect(s.unit_ids).toEqual([0, 2]);
    expect(s.labels).toEqual(['good', 'good']);
  });

  test('keep_good_only without a KSLabel column keeps everything', () => {
    phyFolder(dir, { times: [10, 20], clusters: [0, 1], tables: { 'cluster_group.tsv': 'cluster_id\tgroup\n0\tgood\n1\tmua\n' } });
    expect(readPhyFolder(dir, { keep_good_only: true }).unit_ids).toEqual([0, 1]);
  });

  test('cluster_KSLabel.tsv + cluster_group.tsv merge without duplicates (KS4 copy and Phy group table)', () => {
    phyFolder(dir, {
      times: [10, 20, 30],
      clusters: [0, 1, 2],
      tables: {
        'cluster_Amplitude.tsv': 'cluster_id\tAmplitude\n0\t50.1\n1\t40.0\n2\t33.3\n',
        'cluster_KSLabel.tsv': 'cluster_id\tKSLabel\n0\tgood\n1\tmua\n2\tgood\n',
        // KS4 writes cluster_group.tsv as a copy of cluster_KSLabel.tsv: its last column exists → skipped.
        'cluster_group.tsv': 'cluster_id\tKSLabel\n0\tgood\n1\tmua\n2\tgood\n',
        // A Phy-curated table with a new column, fewer rows: left-joined.
        'cluster_info.csv': 'cluster_id,note\n2,nice\n',
      },
    });
    const s = readPhyFolder(dir, { keep_good_only: true });
    expect(s.unit_ids).toEqual([0, 2]);
    expect(s.labels).toEqual(['good', 'good']);
    expect(readPhyFolder(dir).unit_ids).toEqual([0, 1, 2]);
  });

  test("'id' column accepted; ids coerced ('001' → 1, '2.0' → 2)", () => {
    phyFolder(dir, { times: [10, 20, 30], clusters: [1, 2, 2], tables: { 'cluster_info.tsv': 'id\tKSLabel\n001\tgood\n2.0\tmua\n' } });
    const s = readPhyFolder(dir);
    expect(s.unit_ids).toEqual([1, 2]);
    expect(s.labels).toEqual(['good', 'mua']);
  });

  test("'abc' id → value error naming the file", () => {
    phyFolder(dir, { times: [10], clusters: [1], tables: { 'cluster_info.tsv': 'cluster_id\tKSLabel\nabc\tgood\n' } });
    expect(() => readPhyFolder(dir)).toThrow(/cluster_id column has non-integer values .*cluster_info\.tsv/);
    rmSync(join(dir, 'cluster_info.tsv'));
    writeFileSync(join(dir, 'cluster_info.tsv'), 'cluster_id\tKSLabel\n1.5\tgood\n');
    expect(() => readPhyFolder(dir)).toThrow(/non-integer/);
  });

  test('no cluster_id and no id column → value error listing the columns', () => {
    phyFolder(dir, { times: [10], clusters: [1], tables: { 'cluster_x.tsv': 'cid\tKSLabel\n1\tgood\n' } });
    expect(() => readPhyFolder(dir)).toThrow(
      "Couldn't find cluster IDs in the TSV file. Expected a 'cluster_id' or 'id' column, found: ['cid', 'KSLabel']",
    );
  });

  test('no tables → every cluster with spikes, ascending, unlabelled (group unsorted)', () => {
    phyFolder(dir, { times: [10, 20, 30], clusters: [7, 3, 7] });
    const s = readPhyFolder(dir);
    expect(s.unit_ids).toEqual([3, 7]);
    expect(s.labels).toEqual([null, null]);
    expect(s.templates).toBeNull();
    expect(s.channel_map).toBeNull();
  });

  test('a spike at end_frame is excluded, one at start_frame kept; frames are not re-based', () => {
    phyFolder(dir, { times: [100, 200, 300, 400], clusters: [0, 0, 0, 1], tables: { 'cluster_KSLabel.tsv': KSLABEL } });
    const s = readPhyFolder(dir, { start_frame: 200, end_frame: 400 });
    expect(s.unit_ids).toEqual([0]); // unit 1's only spike is at end_frame
    expect(Array.from(s.spike_trains[0])).toEqual([200, 300]);
  });

  test('a call in params.py → value error naming the file and line; never executed', () => {
    phyFolder(dir, { times: [1], clusters: [0], params: "sample_rate = 20000\nn_channels_dat = int('4')\n" });
    let err: unknown;
    try { readPhyFolder(dir); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PhyFolderError);
    expect((err as PhyFolderError).message).toContain(`${join(dir, 'params.py')}: line 2`);
    expect((err as PhyFolderError).message).toContain("call of 'int(…)'");
    expect((err as PhyFolderError).file).toBe(join(dir, 'params.py'));
  });

  test('missing params.py → file-not-found message of the spec', () => {
    phyFolder(dir, { times: [1], clusters: [0], params: null });
    expect(() => readPhyFolder(dir)).toThrow(`Kilosort2 parameter file not found: ${join(dir, 'params.py')}`);
  });

  test('missing spike_times.npy → error naming it', () => {
    mkdirSync(join(dir, 'empty'));
    expect(() => readPhyFolder(join(dir, 'empty'))).toThrow(join(dir, 'empty', 'spike_times.npy'));
  });

  test('quirk fix: <folder>/sorter_output is read when the folder has no spike_times.npy', () => {
    phyFolder(join(dir, 'sorter_output'), { times: [5, 6], clusters: [4, 4], tables: { 'cluster_KSLabel.tsv': 'cluster_id\tKSLabel\n4\tgood\n' } });
    const s = readPhyFolder(dir);
    expect(s.unit_ids).toEqual([4]);
  });

  test('spike counts of times and clusters must agree', () => {
    phyFolder(dir, { times: [1, 2], clusters: [0] });
    expect(() => readPhyFolder(dir)).toThrow(/spike_clusters\.npy has 1 entries/);
  });

  test('msToSamples rounds', () => {
    expect(msToSamples(2, 20000)).toBe(40);
    expect(msToSamples(0.33, 30000)).toBe(10);
  });
});

describe('parsePhyParams', () => {
  test('literals of every allowed kind; names lower-cased', () => {
    const text = [
      '# comment line',
      "Dat_Path = r'C:\\data\\rec.dat'  # trailing comment",
      'sample_rate = 3e4',
      'offset = -12',
      'gain = +0.195',
      'hp_filtered = True',
      'nothing = None',
      'pair = (1, 2)',
      'single = (5,)',
      'paren = (7)',
      'lst = [',
      "    'a',",
      '    "b",',
      ']',
      "d = {'x': 1, 2: [3, 4], 'nested': {'k': False}}",
      's = {3, 1, 3}',
      'chans = range(2, 8, 2)',
      'r1 = range(3)',
      'joined = "ab" \'cd\'',
      "multi = '''one",
      "two'''",
      'bare_tuple = 1, 2',
      'under = 1_000; hexv = 0x1F',
    ].join('\n');
    expect(parsePhyParams(text)).toEqual({
      dat_path: 'C:\\data\\rec.dat',
      sample_rate: 30000,
      offset: -12,
      gain: 0.195,
      hp_filtered: true,
      nothing: null,
      pair: [1, 2],
      single: [5],
      paren: 7,
      lst: ['a', 'b'],
      d: { x: 1, 2: [3, 4], nested: { k: false } },
      s: [3, 1],
      chans: [2, 4, 6],
      r1: [0, 1, 2],
      joined: 'abcd',
      multi: 'one\ntwo',
      bare_tuple: [1, 2],
      under: 1000,
      hexv: 31,
    });
  });

  test('KS4-style params.py (as save_to_phy writes it)', () => {
    const text = "n_channels_dat = 32\noffset = 0\nsample_rate = 20000.0\ndtype = 'int16'\nhp_filtered = False\ndat_path = ['/tmp/x/rec.dat']\n";
    expect(parsePhyParams(text, '/o/params.py')).toMatchObject({ sample_rate: 20000, dat_path: ['/tmp/x/rec.dat'] });
  });

  test.each([
    ['import os', /line 1: .*'import' is not a single-name assignment/],
    ["x = __import__('os').system('echo hi')", /line 1: call of '__import__/],
    ['a = b = 1', /chained assignments/],
    ['x.y = 1', /line 1: 'x' is not a single-name assignment \(found '\.'/],
    ['x = y', /name 'y' is not a literal/],
    ['x = 1 + 2', /unexpected '\+'/],
    ['x = [1, 2', /line 1/],
    ["x = 'open", /unterminated string/],
    ['ok = 1\n\nx = range(1.5)', /line 3: range\(\) takes 1 to 3 integer literals/],
    ['x = -"a"', /unary '-' applies only to a number/],
    ['x = 2j', /complex/],
    ["x = b'raw'", /bytes/],
    ['x = lambda: 1', /line 1/],
  ])('rejects %j', (text, re) => {
    expect(() => parsePhyParams(text, '/o/params.py')).toThrow(re);
    expect(() => parsePhyParams(text, '/o/params.py')).toThrow(/^\/o\/params\.py: /);
  });
});
