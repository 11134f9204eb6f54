#!/usr/bin/env python3
"""Kilosort4 runner for spikelab-sorting.

Usage: python spikelab_ks4_runner.py <job.json>

The Node backend (src/backends/kilosort4/) writes a job file, spawns this script with the
project venv's interpreter and tees the merged stdout/stderr into the sorter log. The script
needs Kilosort4 and its own dependencies only (numpy, torch); it never imports spikelab.

Job file (JSON; non-finite floats are encoded as {"$float": "inf" | "-inf" | "nan"}):
    binary_path         raw interleaved binary (sample-major), no header
    n_chan              channels in the binary
    sampling_frequency  Hz
    xc, yc              channel positions (um), one per probe channel
    chan_map            row of each probe channel in the binary (0-based)
    results_dir         where Kilosort4 writes its Phy files (created if missing)
    settings            Kilosort4 settings overlay (keys of kilosort.parameters.DEFAULT_SETTINGS)
    run_options         keyword options of run_kilosort: do_CAR, invert_sign, save_extra_vars,
                        save_preprocessed_copy, clear_cache, bad_channels
    data_dtype          dtype of the binary ('int16' default; int16/uint16/int32/float32)
    device              'cpu' | 'cuda' | 'cuda:N' | 'auto' (cuda when available, else cpu)
    torch_threads       optional CPU thread limit for torch
    exit_on_stdin_eof   optional; exit when stdin closes (the parent died), so no orphan
                        keeps sorting

Machine-readable lines on stdout (one JSON object after the tag):
    SPIKELAB_PROGRESS {"stage": str, "fraction_done": float}
    SPIKELAB_RESULT   {"n_units": int, "n_units_good": int, "n_spikes": int, "runtime_s": float,
                       "results_dir": str}
    SPIKELAB_ERROR    {"type": str, "chain": [str, ...]}   (then the traceback on stderr)

Exit codes: 0 success; 1 Kilosort4 (or the runner) raised; 2 bad job file or arguments.
"""
import json
import logging
import os
import sys
import threading
import time
import traceback

PROGRESS_TAG = 'SPIKELAB_PROGRESS'
RESULT_TAG = 'SPIKELAB_RESULT'
ERROR_TAG = 'SPIKELAB_ERROR'

# Kilosort4 (4.1.x) announces each pipeline stage with an INFO log message. Each entry maps
# the start of that message to a stage name and the overall fraction at which the stage
# begins; a stage ends where the next one begins. Weights are rough CPU shares measured on a
# small recording; an unknown Kilosort version only loses progress reporting.
STAGES = [
    ('Computing preprocessing variables', 'preprocessing', 0.00),
    ('Computing drift correction', 'drift_correction', 0.04),
    ('Extracting spikes using templates', 'detect_universal', 0.24),
    ('First clustering', 'first_clustering', 0.44),
    ('Extracting spikes using cluster waveforms', 'detect_learned', 0.58),
    ('Final clustering', 'final_clustering', 0.78),
    ('Merging clusters', 'merging', 0.92),
    ('Saving to phy', 'saving', 0.95),
    ('Sorting finished', 'finished', 1.00),
]


def emit(tag, payload):
    sys.stdout.write(f'{tag} {json.dumps(payload)}\n')
    sys.stdout.flush()


def say(text):
    sys.stdout.write(f'[spikelab-ks4] {text}\n')
    sys.stdout.flush()


def error_chain(exc):
    """Messages along the cause chain: explicit cause first, else the implicit context.

    Stops on the first repeated object; a message already collected is not repeated.
    """
    messages = []
    seen_ids = set()
    current = exc
    while current is not None and id(current) not in seen_ids:
        seen_ids.add(id(current))
        text = str(current)
        if text and text not in messages:
            messages.append(text)
        current = current.__cause__ if current.__cause__ is not None else current.__context__
    return messages


class Progress:
    """Turns Kilosort4's stage log messages and per-batch `emit(percent)` calls into
    overall fractions. Kilosort calls `progress_bar.emit(int)` (the GUI's signal API) from
    its batch loops when a progress object is given."""

    def __init__(self):
        self.index = -1
        self.last_fraction = -1.0
        self.last_time = 0.0

    def _bounds(self):
        start = STAGES[self.index][2]
        end = STAGES[self.index + 1][2] if self.index + 1 < len(STAGES) else 1.0
        return start, end

    def stage_from_message(self, message):
        text = message.strip()
        for i, (prefix, _name, _start) in enumerate(STAGES):
            if i > self.index and text.startswith(prefix):
                self.index = i
                self._report(STAGES[i][2], force=True)
                return

    def emit(self, percent):
        if self.index < 0:
            return
        start, end = self._bounds()
        pct = min(max(float(percent), 0.0), 100.0)
        self._report(start + (end - start) * pct / 100.0)

    def _report(self, fraction, force=False):
        now = time.monotonic()
        if not force and (fraction - self.last_fraction < 0.005 or now - self.last_time < 0.5):
            return
        if fraction < self.last_fraction:
            fraction = self.last_fraction
        self.last_fraction = fraction
        self.last_time = now
        emit(PROGRESS_TAG, {'stage': STAGES[self.index][1], 'fraction_done': round(fraction, 4)})


class StageWatcher(logging.Handler):
    """Attached to the root logger: Kilosort's own handlers (console and kilosort4.log)
    stay as Kilosort configures them, and its records propagate here."""

    def __init__(self, progress):
        super().__init__(level=logging.INFO)
        self.progress = progress

    def emit(self, record):
        try:
            if record.name.startswith('kilosort'):
                self.progress.stage_from_message(record.getMessage())
        except Exception:  # progress must never break the sort
            pass


def decode_floats(obj):
    if isinstance(obj, dict) and set(obj.keys()) == {'$float'}:
        return float(obj['$float'])
    return obj


def load_job(path):
    with open(path, 'r', encoding='utf-8') as f:
        job = json.load(f, object_hook=decode_floats)
    required = ['binary_path', 'n_chan', 'sampling_frequency', 'xc', 'yc', 'chan_map', 'results_dir']
    missing = [k for k in required if k not in job]
    if missing:
        raise ValueError(f'job file {path} lacks {missing}')
    n = len(job['chan_map'])
    if len(job['xc']) != n or len(job['yc']) != n:
        raise ValueError(f'job file {path}: xc, yc and chan_map must have the same length '
                         f'(got {len(job["xc"])}, {len(job["yc"])}, {n})')
    return job


def watch_stdin():
    """Exit when the parent closes our stdin (it died): no orphan keeps sorting.

    Reads the raw descriptor: a daemon thread blocked in sys.stdin's buffered reader would
    hold its lock and abort the interpreter at shutdown.
    """
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    os._exit(3)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: spikelab_ks4_runner.py <job.json>\n')
        return 2
    try:
        job = load_job(argv[1])
    except Exception as exc:  # bad job: not a sorter failure
        sys.stderr.write(f'spikelab_ks4_runner: cannot read job file {argv[1]}: {exc}\n')
        return 2

    if job.get('exit_on_stdin_eof'):
        threading.Thread(target=watch_stdin, name='stdin-eof', daemon=True).start()

    say(f'pid {os.getpid()}; importing kilosort (python {sys.version.split()[0]})')
    progress = Progress()
    try:
        import numpy as np
        import torch
        from kilosort import __version__ as ks_version
        from kilosort import run_kilosort

        threads = job.get('torch_threads')
        if threads:
            torch.set_num_threads(int(threads))
        # Same input, same output: a sort resumed after a crash must reproduce the bytes of
        # an uninterrupted one, so every random source Kilosort may draw from is seeded.
        seed = int(job.get('seed', 0))
        import random
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        device_name = str(job.get('device') or 'auto')
        if device_name == 'auto':
            device_name = 'cuda' if torch.cuda.is_available() else 'cpu'
        device = torch.device(device_name)
        say(f'kilosort {ks_version}, torch {torch.__version__}, device {device}, '
            f'torch threads {torch.get_num_threads()}')

        n_probe = len(job['chan_map'])
        probe = {
            'chanMap': np.asarray(job['chan_map'], dtype=np.int32),
            'xc': np.asarray(job['xc'], dtype=np.float32),
            'yc': np.asarray(job['yc'], dtype=np.float32),
            'kcoords': np.zeros(n_probe, dtype=np.float32),
            'n_chan': n_probe,
        }
        settings = dict(job.get('settings') or {})
        settings['n_chan_bin'] = int(job['n_chan'])
        settings['fs'] = float(job['sampling_frequency'])
        options = dict(job.get('run_options') or {})
        results_dir = os.path.abspath(job['results_dir'])
        os.makedirs(results_dir, exist_ok=True)
        say(f'settings overlay: {json.dumps({k: v for k, v in settings.items()}, default=str)}')
        say(f'run options: {json.dumps(options, default=str)}')

        root = logging.getLogger()
        watcher = StageWatcher(progress)
        root.addHandler(watcher)
        tic = time.time()
        try:
            ops, st, clu, _tF, _Wall, _sim, _is_ref, _contam, kept = run_kilosort(
                settings=settings,
                probe=probe,
                filename=job['binary_path'],
                results_dir=results_dir,
                data_dtype=str(job.get('data_dtype') or 'int16'),
                device=device,
                progress_bar=progress,
                do_CAR=bool(options.get('do_CAR', True)),
                invert_sign=bool(options.get('invert_sign', False)),
                save_extra_vars=bool(options.get('save_extra_vars', False)),
                save_preprocessed_copy=bool(options.get('save_preprocessed_copy', False)),
                clear_cache=bool(options.get('clear_cache', False)),
                bad_channels=options.get('bad_channels'),
                torch_thread_lim=int(threads) if threads else None,
            )
        finally:
            root.removeHandler(watcher)

        kept_clusters = np.asarray(clu)[np.asarray(kept, dtype=bool)]
        result = {
            'n_units': int(np.unique(kept_clusters).size),
            'n_units_good': int(ops.get('n_units_good', 0)),
            'n_spikes': int(kept_clusters.size),
            'runtime_s': round(time.time() - tic, 3),
            'results_dir': results_dir,
        }
        emit(RESULT_TAG, result)
        return 0
    except BaseException as exc:  # noqa: BLE001 - report everything, then fail
        if isinstance(exc, SystemExit):
            raise
        emit(ERROR_TAG, {'type': type(exc).__name__, 'chain': error_chain(exc)})
        sys.stdout.flush()
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
