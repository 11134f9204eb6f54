"""Writes small Maxwell .raw.h5 files shaped like the instruments' own, for reader tests.

Usage:
  make_maxwell_fixture.py OUT --layout legacy|maxone|maxtwo
      [--compression none|gzip|blosc|zstd|lz4|bzip2|lzf|vendor] [--frames N] [--seed S]
      [--gaps AFTER:MISSING,...] [--no-frame-nos] [--frame-nos-compression none|vendor]
      [--rec-name rec0000] [--idle-well] [--unrouted-row] [--lsb V] [--lsb-dtype f8|f4]

Prints a JSON manifest of what was written (version, streams with their channels,
electrodes, locations, fs, lsb, frame count, the frame gaps planted, filter id), so a test
can check a reader against the writer's intent as well as against other readers.

Layouts follow what neo's MaxwellRawIO, probeinterface.read_maxwell and SpikeInterface's
MaxwellEventExtractor read from real files:
  legacy (version 20160704): /sig uint16 (1028 rows: 1024 amplifier channels indexed by
    channel number, then 4 status rows of which the last two hold the frame number's low and
    high 16 bits), /mapping (channel, electrode, x, y), /settings/{lsb, gain}.
  maxone / maxtwo (version 20190530): /wells/<well>/<rec>/settings/{mapping, sampling, lsb
    or gain}, /wells/<well>/<rec>/groups/routed/{raw (channels x frames uint16), channels,
    frame_nos (uint64)}, and /data_store/data0000/groups/routed/{raw, frame_nos} hard links
    to the first well (the target SpikeInterface probes for the vendor plugin).

--compression vendor stores chunks pre-encoded under filter id VENDOR_FILTER_ID, which no
reader has, the way a file written with Maxwell's own compression looks to a reader
without the vendor plugin: the filter pipeline names a filter nobody can load.
"""
import argparse
import json
import sys

import h5py
import numpy as np

LEGACY_VERSION = "20160704"
CURRENT_VERSION = "20190530"
LEGACY_SIG_ROWS = 1028
# Private-use id (32768-65535 are unregistered): stands for a vendor filter no plugin provides.
VENDOR_FILTER_ID = 32769
# MaxOne's ADC: 3.3 V over 10 bits at amplifier gain 512.
LSB = 3.3 / (1024 * 512)
CHUNK_FRAMES = 500


def compression_kwargs(name):
    if name == "none":
        return {}, None
    if name == "gzip":
        return {"compression": "gzip", "compression_opts": 4, "shuffle": True}, 1
    if name == "lzf":
        return {"compression": "lzf"}, 32000
    import hdf5plugin

    if name == "blosc":
        return dict(hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)), 32001
    if name == "zstd":
        return dict(hdf5plugin.Zstd(clevel=3)), 32015
    if name == "lz4":
        return dict(hdf5plugin.LZ4()), 32004
    if name == "bzip2":
        return dict(hdf5plugin.BZip2()), 307
    raise ValueError(f"unknown compression {name}")


def write_vendor(group, name, data, chunks):
    """Chunks stored as they are but declared as filtered by VENDOR_FILTER_ID."""
    ds = group.create_dataset(name, shape=data.shape, dtype=data.dtype, chunks=chunks,
                              compression=VENDOR_FILTER_ID, allow_unknown_filter=True)
    for start in range(0, data.shape[-1], chunks[-1]):
        block = np.zeros(chunks, dtype=data.dtype)
        part = data[..., start:start + chunks[-1]]
        block[..., :part.shape[-1]] = part
        # filter_mask 0 = "every filter was applied", so reading needs the missing filter.
        ds.id.write_direct_chunk((0,) * (data.ndim - 1) + (start,), block.tobytes(), 0)
    return ds


def write_samples(group, name, data, compression):
    """Chunked (rows x CHUNK_FRAMES) like the instruments write."""
    chunks = (data.shape[0], min(CHUNK_FRAMES, data.shape[1]))
    if compression == "vendor":
        return write_vendor(group, name, data, chunks)
    kwargs, _ = compression_kwargs(compression)
    return group.create_dataset(name, data=data, chunks=chunks, **kwargs)


def signal(rng, rows, frames):
    """Noise around the ADC midpoint with spikes, plus the uint16 extremes (sign/width checks)."""
    x = rng.normal(512, 25, size=(rows, frames))
    for r in range(rows):
        for t in rng.integers(10, max(11, frames - 10), size=3):
            x[r, t:t + 6] -= np.array([40, 160, 220, 120, 50, 10])[: len(x[r, t:t + 6])]
    x = np.clip(np.rint(x), 0, 65535).astype(np.uint16)
    x[0, 0] = 0
    x[-1, -1] = 65535
    return x


def frame_numbers(first, frames, gaps):
    """Consecutive frame numbers from `first`, skipping gaps[(after_index, missing)]."""
    steps = np.ones(frames, dtype=np.uint64)
    steps[0] = 0
    for after, missing in gaps:
        steps[after + 1] += np.uint64(missing)
    return np.uint64(first) + np.cumsum(steps, dtype=np.uint64)


def mapping_rows(channels, electrodes, xs, ys):
    m = np.zeros(len(channels), dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    m["channel"], m["electrode"], m["x"], m["y"] = channels, electrodes, xs, ys
    return m


def electrode_xy(electrodes):
    """MaxOne grid: 220 columns at 17.5 µm pitch."""
    e = np.asarray(electrodes)
    return (e % 220) * 17.5, (e // 220) * 17.5


def write_legacy(f, args, rng):
    f["version"] = np.array([LEGACY_VERSION.encode()])
    # Routed channels sparse and unordered, as a real configuration maps them.
    channels = np.sort(rng.choice(1024, size=12, replace=False)).astype(np.int32)
    rng.shuffle(channels)
    electrodes = rng.choice(26400, size=channels.size, replace=False).astype(np.int32)
    xs, ys = electrode_xy(electrodes)
    # An unrouted row (channel -1) is skipped by readers, but the extractor's probe gets one
    # contact per mapping row and refuses the file, so it is opt-in.
    extra = 1 if args.unrouted_row else 0
    channels_with_unrouted = np.concatenate([channels, [-1] * extra]).astype(np.int32)
    f["mapping"] = mapping_rows(channels_with_unrouted, np.concatenate([electrodes, [7] * extra]),
                                np.concatenate([xs, [0.0] * extra]), np.concatenate([ys, [0.0] * extra]))
    lsb_dtype = np.float32 if args.lsb_dtype == "f4" else np.float64
    f["settings/lsb"] = np.array([args.lsb], dtype=lsb_dtype)
    f["settings/gain"] = np.array([512.0])
    sig = signal(rng, LEGACY_SIG_ROWS, args.frames)
    fn = frame_numbers(0x0001FFF0, args.frames, args.gaps)
    sig[LEGACY_SIG_ROWS - 2] = (fn & 0xFFFF).astype(np.uint16)
    sig[LEGACY_SIG_ROWS - 1] = (fn >> np.uint64(16)).astype(np.uint16)
    ds = write_samples(f, "sig", sig, args.compression)
    routed = [i for i, c in enumerate(channels_with_unrouted) if c >= 0]
    return LEGACY_VERSION, {"well000": {
        "rec_name": None, "raw": ds.name, "channels": [int(c) for c in channels],
        "electrodes": [int(electrodes[i]) for i in routed], "x": [float(xs[i]) for i in routed],
        "y": [float(ys[i]) for i in routed], "fs": 20000.0, "lsb": float(lsb_dtype(args.lsb)),
        "num_frames": args.frames, "raw_rows": LEGACY_SIG_ROWS, "first_frame_number": int(fn[0]),
    }}


def write_current(f, args, rng, wells):
    f["version"] = np.array([CURRENT_VERSION.encode()])
    first_raw = None
    out = {}
    for w, (well, n_channels, settings) in enumerate(wells):
        base = f"wells/{well}/{args.rec_name}"
        channels = rng.choice(1024, size=n_channels, replace=False).astype(np.int32)
        electrodes = rng.choice(26400, size=n_channels, replace=False).astype(np.int32)
        xs, ys = electrode_xy(electrodes)
        s = f.create_group(f"{base}/settings")
        # One mapping row per routed channel, in raw-row order: what the instruments write and
        # what the extractor's probe (one contact per mapping row) requires.
        s["mapping"] = mapping_rows(channels, electrodes, xs, ys)
        s["sampling"] = np.array([settings.get("fs", 20000.0)])
        lsb_dtype = np.float32 if args.lsb_dtype == "f4" else np.float64
        if "gain" in settings:
            s["gain"] = np.array([settings["gain"]])
        else:
            s["lsb"] = np.array([args.lsb], dtype=lsb_dtype)
        g = f.create_group(f"{base}/groups/routed")
        raw = write_samples(g, "raw", signal(rng, n_channels, args.frames), args.compression)
        g["channels"] = channels
        fn = None
        if not args.no_frame_nos:
            fn = frame_numbers(1_000_000 + 17 * w, args.frames, args.gaps)
            fchunks = (min(CHUNK_FRAMES, args.frames),)
            if args.frame_nos_compression == "vendor":
                write_vendor(g, "frame_nos", fn, fchunks)
            else:
                g.create_dataset("frame_nos", data=fn, chunks=fchunks)
        if first_raw is None:
            first_raw = raw
            f["data_store/data0000/groups/routed/raw"] = raw
            if fn is not None:
                f["data_store/data0000/groups/routed/frame_nos"] = g["frame_nos"]
        gain = settings.get("gain")
        out[well] = {
            "rec_name": args.rec_name, "raw": raw.name, "channels": [int(c) for c in channels],
            "electrodes": [int(e) for e in electrodes], "x": [float(v) for v in xs], "y": [float(v) for v in ys],
            "fs": float(settings.get("fs", 20000.0)), "lsb": None if gain is not None else float(lsb_dtype(args.lsb)),
            "gain": gain, "num_frames": args.frames, "raw_rows": n_channels,
            "first_frame_number": None if fn is None else int(fn[0]),
        }
    if args.idle_well:
        # A well with settings but nothing routed: readers skip it as a stream.
        s = f.create_group(f"wells/well003/{args.rec_name}/settings")
        s["mapping"] = mapping_rows([], [], [], [])
        s["sampling"] = np.array([20000.0])
        s["lsb"] = np.array([LSB])
        f.create_group(f"wells/well003/{args.rec_name}/groups")
    return CURRENT_VERSION, out


def parse_gaps(text):
    if not text:
        return []
    return [tuple(int(v) for v in part.split(":")) for part in text.split(",")]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--layout", choices=["legacy", "maxone", "maxtwo"], required=True)
    p.add_argument("--compression", default="none",
                   choices=["none", "gzip", "blosc", "zstd", "lz4", "bzip2", "lzf", "vendor"])
    p.add_argument("--frames", type=int, default=3000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--gaps", type=parse_gaps, default=[(1200, 5)],
                   help="AFTER:MISSING,... frame-number jumps to plant (default 1200:5; '' for none)")
    p.add_argument("--no-frame-nos", action="store_true")
    p.add_argument("--frame-nos-compression", choices=["none", "vendor"], default="none",
                   help="vendor: frame_nos under the unavailable filter while the samples stay readable")
    p.add_argument("--rec-name", default="rec0000")
    p.add_argument("--idle-well", action="store_true", help="add well003 with nothing routed (no groups/routed)")
    p.add_argument("--unrouted-row", action="store_true", help="legacy: add a mapping row with channel -1")
    p.add_argument("--lsb", type=float, default=LSB, help="settings/lsb in V/bit (default MaxOne's 3.3 / (1024 * 512))")
    p.add_argument("--lsb-dtype", choices=["f8", "f4"], default="f8")
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    with h5py.File(args.out, "w") as f:
        if args.layout == "legacy":
            version, streams = write_legacy(f, args, rng)
        elif args.layout == "maxone":
            version, streams = write_current(f, args, rng, [("well000", 16, {})])
        else:
            version, streams = write_current(f, args, rng, [
                ("well000", 16, {}),
                ("well001", 9, {"gain": 1024.0}),
                ("well002", 5, {"fs": 10000.0}),
            ])
    filter_id = VENDOR_FILTER_ID if args.compression == "vendor" else compression_kwargs(args.compression)[1]
    gaps = [] if args.no_frame_nos else [{"after_frame": a, "missing_frames": m} for a, m in args.gaps]
    print(json.dumps({"path": args.out, "version": int(version), "layout": "legacy" if args.layout == "legacy" else "current",
                      "compression": args.compression, "filter_id": filter_id, "frame_gaps": gaps, "streams": streams}))


if __name__ == "__main__":
    main(sys.argv[1:])
