"""SpikeInterface's own preprocessing, as the reference for bench/preprocess and test/preprocess.

Subcommands:
  bench MAXWELL_H5 OUT_DAT N_JOBS FREQ_MIN FREQ_MAX
      read_maxwell -> bandpass_filter -> write_binary_recording(dtype int16, 1 s chunks,
      n_jobs), timed from opening the file to the output flushed to disk (fsync, as our
      writer does); prints JSON
      {seconds, import_seconds, max_rss_mb, num_channels, num_frames}.
  filter IN_F32 CHANNELS FS FREQ_MIN FREQ_MAX CHUNK_FRAMES OUT_F32
      bandpass_filter (SpikeInterface defaults: order 5 SOS, forward-backward, margin
      5000/freq_min ms) over a frame-major float32 recording, read back chunk by chunk with
      CHUNK_FRAMES frames per get_traces call (as its chunked writers do), written as
      frame-major float32.

Neo's Maxwell reader looks for the vendor decompression plugin (libcompression.so) in
HDF5_PLUGIN_PATH and tries to download it when missing; the files used here are not
compressed, so an empty stand-in in a temp dir is enough and keeps it offline.
"""
import json
import os
import resource
import sys
import tempfile
import time


def offline_plugin_path():
    if os.path.isfile(os.path.join(os.environ.get("HDF5_PLUGIN_PATH", ""), "libcompression.so")):
        return
    d = tempfile.mkdtemp(prefix="hdf5-plugin-")
    open(os.path.join(d, "libcompression.so"), "wb").close()
    os.environ["HDF5_PLUGIN_PATH"] = d


def bench(path, out, n_jobs, freq_min, freq_max):
    t_import = time.perf_counter()
    offline_plugin_path()
    import spikeinterface.extractors as se
    import spikeinterface.preprocessing as spre
    from spikeinterface.core import write_binary_recording

    t0 = time.perf_counter()
    rec = se.read_maxwell(path)
    filtered = spre.bandpass_filter(rec, freq_min=float(freq_min), freq_max=float(freq_max), dtype="float32")
    write_binary_recording(
        filtered, file_paths=[out], dtype="int16", n_jobs=int(n_jobs), chunk_duration="1s", progress_bar=False,
    )
    fd = os.open(out, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    t1 = time.perf_counter()
    # Workers are processes: the largest of them counts (RUSAGE_CHILDREN is the max over reaped children).
    rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({
        "seconds": t1 - t0, "import_seconds": t0 - t_import, "max_rss_mb": rss_kb / 1024,
        "num_channels": rec.get_num_channels(), "num_frames": rec.get_num_frames(),
    }))


def filter_chunks(src, channels, fs, freq_min, freq_max, chunk_frames, out):
    import numpy as np
    import spikeinterface.preprocessing as spre
    from spikeinterface.core import NumpyRecording

    traces = np.fromfile(src, dtype="<f4").reshape(-1, int(channels))
    rec = NumpyRecording(traces, sampling_frequency=float(fs))
    filtered = spre.bandpass_filter(rec, freq_min=float(freq_min), freq_max=float(freq_max))
    n = rec.get_num_frames()
    step = int(chunk_frames)
    with open(out, "wb") as f:
        for s in range(0, n, step):
            filtered.get_traces(start_frame=s, end_frame=min(n, s + step)).astype("<f4").tofile(f)


def main(argv):
    cmd = argv[1]
    if cmd == "bench":
        bench(*argv[2:7])
    elif cmd == "filter":
        filter_chunks(*argv[2:9])
    else:
        raise SystemExit(f"unknown subcommand {cmd!r}")


if __name__ == "__main__":
    main(sys.argv)
