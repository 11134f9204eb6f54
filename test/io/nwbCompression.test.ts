/** NWB data compressed with the plugin filters (zstd, blosc) reads like the uncompressed file. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { openNwb } from '../../src/io/nwb';
import { makeTempDir, runPythonCode, runPythonScript } from './python';

describe('NWB with plugin-compressed data', () => {
  const tmp = makeTempDir('nwb-zstd');
  afterAll(() => tmp.cleanup());

  it.each(['Zstd()', 'Blosc(cname="lz4")'])('hdf5plugin.%s decodes to the same µV', async (filter) => {
    runPythonScript('make_nwb_fixture.py', [tmp.dir, 'rate']);
    const plain = join(tmp.dir, 'rate.nwb');
    const packed = join(tmp.dir, `packed-${filter.replace(/\W/g, '')}.nwb`);
    copyFileSync(plain, packed);
    runPythonCode(`import sys, h5py, hdf5plugin, numpy as np
f = h5py.File(sys.argv[1], 'r+')
s = [v for k, v in f['acquisition'].items()][0]
attrs = dict(s['data'].attrs); data = s['data'][...]
del s['data']
d = s.create_dataset('data', data=data, chunks=(1000, data.shape[1]), **hdf5plugin.${filter})
for k, v in attrs.items(): d.attrs[k] = v
f.close()
`, [packed]);
    const a = await openNwb(plain);
    const b = await openNwb(packed);
    try {
      expect(typeof b.source_info?.details.compression).toBe('string');
      expect(a.source_info?.details.compression).toBeNull();
      const x = a.getTraces(900, 5100);
      const y = b.getTraces(900, 5100);
      expect(Buffer.from(y.buffer).equals(Buffer.from(x.buffer))).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });
});
