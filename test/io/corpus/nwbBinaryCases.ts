/** Malformed NWB and raw-binary inputs for the corpus (see cases.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPythonCode, runPythonScript } from '../python';
import type { CorpusCase } from './cases';

/** One variant of scripts/python/make_nwb_fixture.py, written into `dir`. */
function nwbVariant(dir: string, variant: string): string {
  runPythonScript('make_nwb_fixture.py', [dir, variant]);
  return join(dir, `${variant}.nwb`);
}

/** A float32 raw binary of `frames` × `channels`, with a sidecar, optionally poisoned. */
function floatBinary(dir: string, name: string, frames: number, channels: number, poison?: { at: number; value: number }): string {
  const data = new Float32Array(frames * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.01) * 50;
  if (poison) data[poison.at] = poison.value;
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(data.buffer));
  writeFileSync(`${path}.json`, JSON.stringify({
    sampling_frequency: 20000, num_channels: channels, dtype: 'float32',
    locations: Array.from({ length: channels }, (_, c) => [0, c * 20]),
  }));
  return path;
}

export const NWB_BINARY_CASES: CorpusCase[] = [
  {
    id: 'nwb-no-electrical-series', what: 'an NWB file whose acquisition holds no ElectricalSeries', error: 'InvalidRecordingError', message: /ElectricalSeries/,
    build: async (dir) => ({ path: nwbVariant(dir, 'no_series') }),
  },
  {
    id: 'nwb-region-mismatch', what: 'an NWB electrodes region shorter than the data has channels', error: 'InvalidRecordingError', message: /electrodes/,
    build: async (dir) => ({ path: nwbVariant(dir, 'region_mismatch') }),
  },
  {
    id: 'nwb-wrong-rank', what: 'NWB data with three dimensions', error: 'InvalidRecordingError', message: /dimension|rank|2-D|shape/i,
    build: async (dir) => ({ path: nwbVariant(dir, 'rank3') }),
  },
  {
    id: 'nwb-inf-samples', what: 'an NWB float32 series with an infinite sample', error: 'InvalidRecordingError', message: /frame 1234 .*is Infinity/,
    build: async (dir) => {
      const p = nwbVariant(dir, 'float32');
      // Lengthened to 2 s (the fixture is shorter than a sortable recording), then poisoned.
      runPythonCode(`import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
series = [v for k, v in f['acquisition'].items()][0]
old = series['data']
attrs = dict(old.attrs)
data = np.tile(old[...], (3, 1))
data[1234, 3] = np.inf
del series['data']
new = series.create_dataset('data', data=data)
for k, v in attrs.items(): new.attrs[k] = v
f.close()
`, [p]);
      return { path: p };
    },
  },
  {
    id: 'binary-nan-samples', what: 'a float32 binary with a NaN sample', error: 'InvalidRecordingError', message: /frame 30001 .*channel 2 is NaN/,
    build: async (dir) => ({ path: floatBinary(dir, 'nan.bin', 40000, 4, { at: 30001 * 4 + 2, value: Number.NaN }) }),
  },
  {
    id: 'binary-missing-params', what: 'a .dat without sidecar or parameters', error: 'InvalidRecordingError', message: /sampling_frequency.*num_channels.*dtype/s,
    build: async (dir) => {
      const p = join(dir, 'bare.dat');
      writeFileSync(p, Buffer.alloc(4000));
      return { path: p };
    },
  },
  {
    id: 'binary-size-mismatch', what: 'a binary whose size is not a whole number of frames', error: 'InvalidRecordingError', message: /multiple|whole number|frames/,
    build: async (dir) => {
      const p = floatBinary(dir, 'odd.bin', 40000, 4);
      writeFileSync(p, Buffer.alloc(40000 * 16 + 6));
      return { path: p };
    },
  },
  {
    id: 'binary-bad-sidecar', what: 'a sidecar that is not valid JSON', error: 'InvalidRecordingError', message: /bad\.bin\.json/,
    build: async (dir) => {
      const p = join(dir, 'bad.bin');
      writeFileSync(p, Buffer.alloc(4000));
      writeFileSync(`${p}.json`, '{"sampling_frequency": 20000, "num_channels": 4,');
      return { path: p };
    },
  },
  {
    id: 'binary-wrong-dtype', what: 'a sidecar naming a dtype no reader knows', error: 'InvalidRecordingError', message: /complex64/,
    build: async (dir) => {
      const p = join(dir, 'complex.bin');
      writeFileSync(p, Buffer.alloc(4000));
      writeFileSync(`${p}.json`, JSON.stringify({ sampling_frequency: 20000, num_channels: 4, dtype: 'complex64', locations: [[0, 0], [0, 1], [0, 2], [0, 3]] }));
      return { path: p };
    },
  },
];
