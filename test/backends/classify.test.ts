import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyEnvironmentOrResource,
  errorChainText,
  haystackOf,
  matchDockerFailure,
  matchesGpuOutOfMemory,
  matchesHdf5PluginMissing,
  readClassifierLog,
} from '../../src/backends/classify_common';
import {
  classifyKilosort4Error,
  classifyKilosort4Failure,
  matchKilosort4InsufficientActivity,
} from '../../src/backends/kilosort4/classify';
import {
  DockerEnvironmentError,
  GPUOutOfMemoryError,
  HDF5PluginMissingError,
  InsufficientActivityError,
  SorterTimeoutError,
} from '../../src/errors';
import { tempDir } from './helpers';

// Realistic texts, as Kilosort4 / torch / sklearn / Docker print them.
const TORCH_OOM = [
  'Traceback (most recent call last):',
  '  File ".../kilosort/template_matching.py", line 143, in run_matching',
  '    B = conv1d(X, U)',
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.93 GiB. GPU 0 has a total capacity of 7.79 GiB of which ' +
    '1.06 GiB is free. Including non-PyTorch memory, this process has 6.72 GiB memory in use.',
].join('\n');
const SVD = 'Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.';
const KMEANS = 'n_samples=3 should be >= n_clusters=6.';
const KMEANS_NEW_WORDING = 'The number of samples n_samples=2 is lower than the requested number of clusters,\nn_clusters=6; lower n_clusters.';
const DOCKER_DAEMON = 'docker.errors.DockerException: Error while fetching server API version: (\'Connection aborted.\', ' +
  'FileNotFoundError(2, \'No such file or directory\'))\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
const HDF5_FILTER = "OSError: [Errno 5] Unable to synchronously read data (can't open directory: /usr/local/hdf5/lib/plugin)\n" +
  "HDF5-DIAG: Error detected in HDF5 (1.14.2): H5Z.c line 1386 in H5Z_pipeline(): required filter 'filter 32020' is not registered";

function ks4(chain: string, log: string | null = null): ReturnType<typeof classifyKilosort4Failure> {
  return classifyKilosort4Failure({ chain_text: chain, log_text: log, log_path: '/inter/kilosort4.log' });
}

describe('shared signatures', () => {
  test('GPU OOM markers', () => {
    expect(matchesGpuOutOfMemory(TORCH_OOM)).toBe(true);
    expect(matchesGpuOutOfMemory('RuntimeError: CUDA_ERROR_OUT_OF_MEMORY')).toBe(true);
    expect(matchesGpuOutOfMemory('cudaErrorMemoryAllocation: out of memory')).toBe(true);
    expect(matchesGpuOutOfMemory('Out of memory on device 0')).toBe(true);
    expect(matchesGpuOutOfMemory('cuda out of memory')).toBe(false); // case-sensitive
    expect(matchesGpuOutOfMemory('MemoryError: Unable to allocate 3.2 GiB for an array')).toBe(false);
  });

  test('HDF5 needs a marker and a filter/compression/HDF5_PLUGIN_PATH mention', () => {
    expect(matchesHdf5PluginMissing("Can't open directory: /x")).toBe(false);
    expect(matchesHdf5PluginMissing("Can't open directory: /usr/lib/plugin; FILTER missing")).toBe(true); // any case
    expect(matchesHdf5PluginMissing('Unable to synchronously read data (required filter is not registered)')).toBe(true);
    expect(matchesHdf5PluginMissing('set HDF5_PLUGIN_PATH to the folder of libcompression.so')).toBe(true);
    expect(matchesHdf5PluginMissing('compression filter missing')).toBe(false); // no marker
    expect(matchesHdf5PluginMissing(HDF5_FILTER)).toBe(true);
  });

  test('Docker reasons, in rule order', () => {
    expect(matchDockerFailure("ModuleNotFoundError: No module named 'docker'")).toBe('client_missing');
    expect(matchDockerFailure('docker: Got permission denied while trying to connect to the Docker daemon socket')).toBe('permission_denied');
    expect(matchDockerFailure(DOCKER_DAEMON)).toBe('daemon_down');
    expect(matchDockerFailure('dial unix /var/run/docker.sock: connect: no such file or directory')).toBe('daemon_down');
    expect(matchDockerFailure('Error response from daemon: manifest unknown')).toBe('image_pull_failed');
    expect(matchDockerFailure('docker.errors.ImageNotFound: 404 Client Error')).toBe('image_pull_failed');
    // Permission text that also mentions the daemon → permission_denied.
    expect(matchDockerFailure('permission denied while trying to connect to the Docker daemon socket; Is the docker daemon running?'))
      .toBe('permission_denied');
    expect(matchDockerFailure('all good')).toBeNull();
  });

  test('environment → resource order: HDF5, then Docker, then GPU OOM', () => {
    const ctx = { sorter: 'kilosort4' as const, log_path: null };
    expect(classifyEnvironmentOrResource(`${HDF5_FILTER}\n${DOCKER_DAEMON}\n${TORCH_OOM}`, ctx)).toBeInstanceOf(HDF5PluginMissingError);
    expect(classifyEnvironmentOrResource(`${DOCKER_DAEMON}\n${TORCH_OOM}`, ctx)).toBeInstanceOf(DockerEnvironmentError);
    expect(classifyEnvironmentOrResource(TORCH_OOM, ctx)).toBeInstanceOf(GPUOutOfMemoryError);
    expect(classifyEnvironmentOrResource(SVD, ctx)).toBeNull();
  });

  test('chain text: follows cause, stops on a cycle, no repeated text', () => {
    const a = new Error('outer');
    const b = new Error('inner', { cause: a });
    (a as { cause?: unknown }).cause = b; // a → b → a
    expect(errorChainText(a)).toBe('outer\ninner');
    const same = new Error('same', { cause: new Error('same', { cause: new Error('root') }) });
    expect(errorChainText(same)).toBe('same\nroot');
    expect(errorChainText('plain string')).toBe('plain string');
    expect(haystackOf('chain', null)).toBe('chain');
    expect(haystackOf('chain', 'log')).toBe('chain\nlog');
  });

  test('log text: first regular file wins; folders and missing files are skipped', () => {
    const dir = tempDir('clslog-');
    try {
      mkdirSync(join(dir, 'kilosort4.log')); // a directory, not a file
      mkdirSync(join(dir, 'sorter_output'));
      writeFileSync(join(dir, 'sorter_output', 'kilosort4.log'), Buffer.from([0x6f, 0x6b, 0xff, 0x0a]));
      const got = readClassifierLog([join(dir, 'missing.log'), join(dir, 'kilosort4.log'), join(dir, 'sorter_output', 'kilosort4.log')]);
      expect(got?.path).toBe(join(dir, 'sorter_output', 'kilosort4.log'));
      expect(got?.text).toBe('ok\uFFFD\n'); // undecodable byte replaced
      expect(readClassifierLog([join(dir, 'missing.log')])).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Kilosort4 insufficient activity (chain only)', () => {
  test('TruncatedSVD with 0 samples → units 0', () => {
    expect(matchKilosort4InsufficientActivity(`ValueError: ${SVD}`)).toMatchObject({ signature: 'svd', units_at_failure: 0 });
    const err = ks4(`Traceback…\nValueError: ${SVD}`);
    expect(err).toBeInstanceOf(InsufficientActivityError);
    expect(err?.attributes).toMatchObject({ sorter: 'kilosort4', units_at_failure: 0, log_path: '/inter/kilosort4.log' });
    expect(err?.family).toBe('biological');
  });

  test('SVD text split over lines still matches (dot matches newline)', () => {
    expect(matchKilosort4InsufficientActivity('Found array with 4 sample(s) (shape=(4, 61))\nwhile a minimum of 6 is required by TruncatedSVD.'))
      .toMatchObject({ signature: 'svd', units_at_failure: 4 });
  });

  test('strict KMeans wording → n_samples', () => {
    expect(ks4(`ValueError: ${KMEANS}`)?.attributes.units_at_failure).toBe(3);
  });

  test('KMeans nested four deep in a cause chain', () => {
    const e = new Error('run_kilosort failed', {
      cause: new Error('detect_spikes failed', { cause: new Error('extract_wPCA_wTEMP failed', { cause: new Error(KMEANS) }) }),
    });
    const got = classifyKilosort4Failure({ chain_text: errorChainText(e), log_text: null, log_path: null, cause: e });
    expect(got).toBeInstanceOf(InsufficientActivityError);
    expect(got?.attributes.units_at_failure).toBe(3);
    expect(got?.cause).toBe(e);
  });

  test('looser (newer sklearn) KMeans wording', () => {
    expect(matchKilosort4InsufficientActivity(KMEANS_NEW_WORDING)).toMatchObject({ signature: 'kmeans_loose', units_at_failure: 2 });
    expect(ks4(KMEANS_NEW_WORDING)).toBeInstanceOf(InsufficientActivityError);
  });

  test('SVD wins when both match', () => {
    expect(matchKilosort4InsufficientActivity(`${KMEANS}\n${SVD}`)?.signature).toBe('svd');
  });

  test('extension: "No spikes detected" → units 0', () => {
    expect(ks4('ValueError: No spikes detected, cannot continue sorting.')?.attributes.units_at_failure).toBe(0);
  });

  test('the log alone never gives insufficient activity', () => {
    expect(ks4('RuntimeError: something else', `ValueError: ${SVD}`)).toBeNull();
  });

  test('priority: Docker and GPU OOM beat insufficient activity; the log counts for them', () => {
    expect(ks4(`${SVD}\n${DOCKER_DAEMON}`)).toBeInstanceOf(DockerEnvironmentError);
    expect(ks4(`${SVD}\n${DOCKER_DAEMON}`)?.attributes.reason).toBe('daemon_down');
    expect(ks4(SVD, TORCH_OOM)).toBeInstanceOf(GPUOutOfMemoryError);
    const oom = ks4(TORCH_OOM);
    expect(oom?.attributes).toEqual({ sorter: 'kilosort4', log_path: '/inter/kilosort4.log' });
    expect(oom?.message).toContain('CUDA out of memory');
    expect(ks4(`${TORCH_OOM}\n${HDF5_FILTER}`)).toBeInstanceOf(HDF5PluginMissingError);
  });

  test('HDF5 needs both conditions: a bare "Can\'t open directory" does not fire', () => {
    expect(ks4("OSError: Can't open directory: /data/plugins")).toBeNull();
  });

  test('unrelated failure → null', () => {
    expect(ks4("ValueError: Unrecognized settings: ['bogus']")).toBeNull();
  });

  test('classifyKilosort4Error reads <output>/kilosort4.log, then sorter_output/; classified errors pass through', () => {
    const out = tempDir('ks4cls-');
    try {
      mkdirSync(join(out, 'sorter_output'));
      writeFileSync(join(out, 'sorter_output', 'kilosort4.log'), `${TORCH_OOM}\n`);
      const got = classifyKilosort4Error(out, new Error('kilosort4 failed'));
      expect(got).toBeInstanceOf(GPUOutOfMemoryError);
      expect(got?.attributes.log_path).toBe(join(out, 'sorter_output', 'kilosort4.log'));
      const timeout = new SorterTimeoutError('idle', { sorter: 'kilosort4', inactivity_s: 5 });
      expect(classifyKilosort4Error(out, timeout)).toBe(timeout);
      expect(classifyKilosort4Error(out, new Error(SVD), '/tee.log')?.attributes.log_path).toBe('/tee.log');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
