"""Reads an NWB file or a raw binary with SpikeInterface (the reference loader) for test/io.

Usage:
  si_read_nwb_binary.py --format nwb PATH [--stream SERIES_PATH] [--out OUT_F32] [--start S --end E] [--channels 0,3]
  si_read_nwb_binary.py --format binary PATH --params JSON [--probe PROBE_JSON] [--out ...] [--start ...] [--channels ...]

--params holds read_binary's keyword arguments (sampling_frequency, num_channels, dtype,
gain_to_uV, offset_to_uV, time_axis, file_offset, channel_ids). --probe attaches a
probeinterface JSON with set_probegroup, which keeps (and orders) the wired channels.

Prints JSON {channel_ids (strings), locations (null when the recording has none),
sampling_frequency, num_frames, num_channels, dtype, gain_to_uv / offset_to_uv (the float32
values get_traces applies), properties, streams (nwb)} and, with --out, writes frames
[START, END) (default: all) of the chosen channel indices as float32 µV, frame-major.
A SpikeInterface failure is printed as {"error_type", "error"} with exit status 0, so tests can
assert on where the reference refuses a file.
"""
import argparse
import json
import warnings

import numpy as np


def open_recording(args, extra):
    if args.format == "nwb":
        from spikeinterface.extractors import read_nwb_recording
        from spikeinterface.extractors.nwbextractors import NwbRecordingExtractor

        extra["streams"] = NwbRecordingExtractor.fetch_available_electrical_series_paths(args.path)
        return read_nwb_recording(args.path, electrical_series_path=args.stream)
    from spikeinterface.core import read_binary

    rec = read_binary(args.path, **json.loads(args.params))
    if args.probe:
        from probeinterface import read_probeinterface

        rec = rec.set_probegroup(read_probeinterface(args.probe))
    return rec


def describe(rec, extra):
    keys = rec.get_property_keys()
    locations = rec.get_channel_locations().tolist() if "location" in keys or rec.has_probe() else None
    f32 = lambda k: [float(v) for v in np.asarray(rec.get_property(k), dtype=np.float32)] if k in keys else None
    props = {}
    for k in ("group", "brain_area"):
        if k in keys:
            props[k] = [str(v) for v in rec.get_property(k)]
    return {
        "channel_ids": [str(c) for c in rec.channel_ids],
        "locations": locations,
        "sampling_frequency": float(rec.sampling_frequency),
        "num_frames": int(rec.get_num_samples()),
        "num_channels": int(rec.get_num_channels()),
        "dtype": str(rec.get_dtype()),
        "gain_to_uv": f32("gain_to_uV"),
        "offset_to_uv": f32("offset_to_uV"),
        "properties": props,
        **extra,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--format", choices=["nwb", "binary"], required=True)
    ap.add_argument("path")
    ap.add_argument("--stream", default=None)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--probe", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--end", type=int, default=None)
    ap.add_argument("--channels", default=None, help="comma-separated channel indices")
    args = ap.parse_args()
    # Deprecation and "unconnected contacts" warnings are expected here and only add noise.
    warnings.filterwarnings("ignore")
    extra = {}
    try:
        rec = open_recording(args, extra)
        info = describe(rec, extra)
        if args.out:
            ids = None
            if args.channels:
                ids = [rec.channel_ids[int(i)] for i in args.channels.split(",")]
            traces = rec.get_traces(start_frame=args.start, end_frame=args.end, channel_ids=ids, return_in_uV=True)
            np.ascontiguousarray(traces, dtype="<f4").tofile(args.out)
    except Exception as err:  # noqa: BLE001 - the test wants SpikeInterface's own refusal
        info = {"error_type": type(err).__name__, "error": str(err), **extra}
    print(json.dumps(info))


if __name__ == "__main__":
    main()
