import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { JobSpecError } from '../../src/client/jobs';
import { buildMultistreamJobs } from '../../src/client/multistream';
import { main } from '../../src/cli/main';
import { KILOSORT4, override } from '../../src/config';
import { writeMaxwellH5, type MaxwellWellToWrite } from '../../src/io/maxwell_writer';
import { makeTempDir } from '../io/python';

function well(name: string, channels: number[]): MaxwellWellToWrite {
  return {
    well: name, sampling_frequency: 20000, lsb: 6.3e-6, num_frames: 2000,
    mapping: channels.map((ch, i) => ({ channel: ch, electrode: i, x: i * 17.5, y: 0 })),
    fill: (_s, _e, out) => out.fill(512),
  };
}

describe('buildMultistreamJobs (spec §2.9)', () => {
  const tmp = makeTempDir('multistream');
  const file = join(tmp.dir, 'plate.raw.h5');
  const dir = join(tmp.dir, 'session');
  beforeAll(async () => {
    await writeMaxwellH5(file, [well('well000', [1, 2]), well('well001', [3, 4, 5]), well('well002', [6])]);
    mkdirSync(dir);
    await writeMaxwellH5(join(dir, 'r2.raw.h5'), [well('well000', [1]), well('well003', [2])]);
    await writeMaxwellH5(join(dir, 'r10.raw.h5'), [well('well000', [1])]);
  });
  afterAll(() => tmp.cleanup());
  const config = override(KILOSORT4);

  it('one job per stream, stream_id set, folders per recording and stream', async () => {
    const jobs = await buildMultistreamJobs(file, ['well001', 'well000'], config);
    expect(jobs.map((j) => j.config.recording.stream_id)).toEqual(['well001', 'well000']);
    expect(jobs.map((j) => j.intermediate_folder)).toEqual([join(tmp.dir, 'inter_kilosort4_plate.raw_well001'), join(tmp.dir, 'inter_kilosort4_plate.raw_well000')]);
    expect(jobs[0].results_folder).toBe(join(tmp.dir, 'sorted_kilosort4_plate.raw_well001'));
  });

  it("'all' expands to every well of the file", async () => {
    expect((await buildMultistreamJobs(file, 'all', config)).map((j) => j.config.recording.stream_id)).toEqual(['well000', 'well001', 'well002']);
  });

  it('missing stream ids are named with the available ones; a directory is checked against its first file', async () => {
    await expect(buildMultistreamJobs(file, ['well000', 'well007'], config))
      .rejects.toThrow('Stream ID(s) [well007] not found in plate.raw.h5. Available streams: [well000, well001, well002]');
    await expect(buildMultistreamJobs(dir, ['well003'], config)).resolves.toHaveLength(1);
    const jobs = await buildMultistreamJobs(dir, ['well000'], config);
    expect(jobs[0].intermediate_folder).toBe(join(dir, 'inter_kilosort4_session_well000'));
    await expect(buildMultistreamJobs(dir, ['well009'], config)).rejects.toThrow(/not found in r2\.raw\.h5/);
  });

  it('refuses a preset stream_id and repeated ids', async () => {
    await expect(buildMultistreamJobs(file, ['well000'], override(config, { stream_id: 'well001' }))).rejects.toThrow(JobSpecError);
    await expect(buildMultistreamJobs(file, ['well000', 'well000'], config)).rejects.toThrow(/stream ids repeat/);
  });

  it('the CLI refuses an unknown well before contacting Temporal (exit 2, names the wells)', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { writes.push(String(chunk)); return true; });
    try {
      const code = await main(['sort', file, '--preset', 'KILOSORT4', '--stream-ids', 'well000,well005', '--no-worker']);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
    }
    expect(writes.join('')).toContain('Stream ID(s) [well005] not found in plate.raw.h5. Available streams: [well000, well001, well002]');
  });
});
