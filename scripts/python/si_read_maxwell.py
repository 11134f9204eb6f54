"""Reads a Maxwell .raw.h5 with SpikeInterface (the reference ecosystem) for interop tests.
(NWB and raw binary: si_read_nwb_binary.py.)

Usage:
  si_read_maxwell.py --path PATH [--kwargs JSON]
      [--start S] [--end E] [--out PREFIX] [--gain-to-uv G] [--offset-to-uv O]

--kwargs is passed through to spikeinterface.extractors.read_maxwell(PATH, **kwargs), e.g.
{"stream_id": "well001"}.

Prints one JSON object on stdout (readers' own chatter goes to stderr): channel_ids,
locations, sampling_frequency, num_frames, dtype, gain_to_uV / offset_to_uV, properties
(e.g. electrode), and, with --out, the traces of frames [S, E) written as little-endian
binary files, frame-major:
  PREFIX.raw.bin     get_traces(return_in_uV=False), stored dtype, shape in "raw"
  PREFIX.uv.f32      get_traces(return_in_uV=True)
  PREFIX.scaled.f32  spikeinterface.preprocessing.scale(recording, gain, offset, "float32"): the
                     pipeline's scale step (spec §3.3); gain = --gain-to-uv, else the per-channel
                     gains, else 1.0; offset likewise, else 0.0
  PREFIX.sigrows.f32 when the extractor returns more columns than channels
                     (legacy /sig, see scaled_sig_rows_by_channel): those columns picked by
                     channel number, then scaled as above
A step that fails records {"error": "..."} instead of a path, so a test can pin failures too.

Maxwell files need HDF5_PLUGIN_PATH to hold libcompression.so (the extractor downloads it
otherwise); hdf5plugin is imported so blosc/zstd/lz4/bzip2-compressed files are readable.
"""
import argparse
import contextlib
import json
import sys

import numpy as np


def open_recording(path, kwargs):
    import hdf5plugin  # noqa: F401  (registers blosc, zstd, lz4, bzip2, … with h5py's HDF5)
    from spikeinterface.extractors import read_maxwell

    return read_maxwell(path, **kwargs)


def jsonable(v):
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def attempt(fn):
    try:
        return fn()
    except Exception as e:  # the failure itself is a result the caller may assert on
        return {"error": f"{type(e).__name__}: {e}"}


def write(path, arr, dtype):
    np.ascontiguousarray(arr, dtype=np.dtype(dtype).newbyteorder("<")).tofile(path)
    return {"path": path, "shape": list(arr.shape), "dtype": np.dtype(dtype).name}


def traces(rec, start, end, prefix, gain_to_uv, offset_to_uv):
    import spikeinterface.preprocessing as spre

    out = {"start": start, "end": end}

    def raw():
        t = rec.get_traces(start_frame=start, end_frame=end, return_in_uV=False)
        return write(f"{prefix}.raw.bin", t, t.dtype)

    def uv():
        t = rec.get_traces(start_frame=start, end_frame=end, return_in_uV=True)
        return write(f"{prefix}.uv.f32", t, "float32")

    def scaled():
        gains, offsets = rec.get_channel_gains(), rec.get_channel_offsets()
        gain = gain_to_uv if gain_to_uv is not None else (gains if gains is not None else 1.0)
        offset = offset_to_uv if offset_to_uv is not None else (offsets if offsets is not None else 0.0)
        t = spre.scale(rec, gain=gain, offset=offset, dtype="float32").get_traces(start_frame=start, end_frame=end)
        return write(f"{prefix}.scaled.f32", t, "float32") | {"gain": jsonable(gain), "offset": jsonable(offset)}

    def scaled_sig_rows_by_channel():
        # neo 0.14's legacy MaxOne stream hands back every /sig row (its per-channel row
        # selection is overwritten), so SpikeInterface cannot scale it. Picking the rows by
        # channel number, as the layout defines them, and scaling as above gives the reference.
        from spikeinterface.core import NumpyRecording

        t = rec.get_traces(start_frame=start, end_frame=end, return_in_uV=False)
        if t.shape[1] == rec.get_num_channels():
            return None
        cols = np.ascontiguousarray(t[:, [int(c) for c in rec.channel_ids]])
        nr = NumpyRecording(cols, sampling_frequency=rec.get_sampling_frequency(), channel_ids=rec.channel_ids)
        gain = gain_to_uv if gain_to_uv is not None else rec.get_channel_gains()
        offset = offset_to_uv if offset_to_uv is not None else rec.get_channel_offsets()
        return write(f"{prefix}.sigrows.f32", spre.scale(nr, gain=gain, offset=offset, dtype="float32").get_traces(), "float32")

    out["raw"] = attempt(raw)
    out["uv"] = attempt(uv)
    out["scaled"] = attempt(scaled)
    out["scaled_sig_rows_by_channel"] = attempt(scaled_sig_rows_by_channel)
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--path", required=True)
    p.add_argument("--kwargs", type=json.loads, default={})
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--end", type=int, default=None)
    p.add_argument("--out", default=None, help="prefix of the trace files; none → metadata only")
    p.add_argument("--gain-to-uv", type=float, default=None)
    p.add_argument("--offset-to-uv", type=float, default=None)
    args = p.parse_args(argv)

    import spikeinterface

    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        result = {"spikeinterface_version": spikeinterface.__version__, "kwargs": args.kwargs}
        try:
            rec = open_recording(args.path, args.kwargs)
        except Exception as e:
            result["error"] = f"{type(e).__name__}: {e}"
            print(json.dumps(result), file=stdout)
            return
        result.update({
            "channel_ids": [str(c) for c in rec.channel_ids],
            "num_channels": int(rec.get_num_channels()),
            "sampling_frequency": float(rec.get_sampling_frequency()),
            "num_frames": int(rec.get_num_samples()),
            "num_segments": int(rec.get_num_segments()),
            "dtype": np.dtype(rec.get_dtype()).name,
            "locations": jsonable(rec.get_channel_locations()) if rec.has_probe() else None,
            "gain_to_uV": jsonable(rec.get_channel_gains()),
            "offset_to_uV": jsonable(rec.get_channel_offsets()),
            "properties": {k: jsonable(rec.get_property(k)) for k in rec.get_property_keys()
                           if k in ("electrode", "group", "channel_name")},
        })
        if args.out is not None:
            end = args.end if args.end is not None else rec.get_num_samples()
            result["traces"] = traces(rec, args.start, end, args.out, args.gain_to_uv, args.offset_to_uv)
    print(json.dumps(result), file=stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
