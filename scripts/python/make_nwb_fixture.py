"""NWB 2.x fixtures for test/io (NWB reader unit and SpikeInterface interop tests).

Usage: make_nwb_fixture.py OUT_DIR VARIANT [VARIANT ...]
Writes OUT_DIR/<variant>.nwb for each variant and prints one JSON object
{variant: facts} with what was written (series paths, frames, fs, electrode rows, scaling),
so the TypeScript tests can check the reader against the writer's intent.

Samples follow a closed form the tests recompute, so no sample data crosses the process
boundary: raw[f, c] = (f * 7919 + c * 104729 + seed) % 65536 - 32768 (covers all of int16),
float32 variants store raw / 8 (exact in float32), int32 variants store raw * 65521 (beyond
float32's 24-bit mantissa, so a reader must round to float32 exactly like numpy does).

Variants
  rate             int16, starting_time + rate, rel_x/rel_y + x/y, non-contiguous electrode region,
                   conversion / offset / channel_conversion
  permuted         rate with an unsorted electrode region (SpikeInterface 0.104.9 cannot read it)
  multi            two acquisition series + one LFP series under processing/ecephys
  timestamps       timestamps instead of a rate, with a 2-frame gap after frame 4999
  gzip             rate's content, data gzip-compressed in (1000, 8) chunks via H5DataIO
  float32          float32 data, float32 conversion / offset / rate attributes and float32
                   channel_conversion (as older writers store them), no rel_x/rel_y
  channel_name     int32 data, electrodes with channel_name, only x/y, per-electrode offset column
  no_acquisition   rate with the /acquisition group deleted
  no_series        only a plain TimeSeries in /acquisition
  rank3            rate with data rewritten as frames x channels x 2
  region_mismatch  rate with the electrodes region cut to 5 rows (data has 8 channels)
  no_locations     electrodes table without x/y/rel_x/rel_y
  huge             rate with data replaced by a chunked, never-written 2e9 x 8 int16 dataset (32 GB
                   of fill value, a few KB on disk): reading it whole would exhaust memory, so
                   only a reader that streams hyperslabs can serve windows from it
"""
import json
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
from hdmf.backends.hdf5.h5_utils import H5DataIO
from pynwb import NWBHDF5IO, NWBFile, TimeSeries
from pynwb.ecephys import LFP, ElectricalSeries

NUM_ELECTRODES = 12
# Series channels are electrode-table rows: a sorted, non-contiguous subset (SpikeInterface
# 0.104.9 indexes h5py columns with the region, which h5py only allows in increasing order)...
REGION = [1, 2, 4, 5, 7, 8, 10, 11]
# ...and an unsorted one, valid NWB that only our reader is tested on.
PERMUTED_REGION = [9, 2, 5, 0, 11, 7, 3, 1]
FS = 30000.0
NUM_FRAMES = 20000
HUGE_FRAMES = 2_000_000_000
CONVERSION = 0.195e-6  # V per unit, not exact in float32
OFFSET = -1.2e-3  # V
CHANNEL_CONVERSION = [1.0, 1.1, 0.9, 1.3333, 0.5, 2.0, 0.7071, 1.05]


def pattern(num_frames, num_channels, seed=0):
    f = np.arange(num_frames, dtype=np.int64)[:, None]
    c = np.arange(num_channels, dtype=np.int64)[None, :]
    return ((f * 7919 + c * 104729 + seed) % 65536 - 32768)


def new_file(with_rel=True, with_xy=True, channel_name=False, offset_column=False):
    nwb = NWBFile(
        session_description="spikelab NWB fixture",
        identifier="spikelab-fixture",
        session_start_time=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    )
    device = nwb.create_device(name="probe-device", description="test device")
    groups = [
        nwb.create_electrode_group(name=f"shank{i}", description=f"shank {i}", location=area, device=device)
        for i, area in enumerate(["CA1", "CA3"])
    ]
    if with_rel:
        nwb.add_electrode_column(name="rel_x", description="x on the probe (um)")
        nwb.add_electrode_column(name="rel_y", description="y on the probe (um)")
    if channel_name:
        nwb.add_electrode_column(name="channel_name", description="acquisition system name")
    if offset_column:
        nwb.add_electrode_column(name="offset", description="per-electrode offset (V)")
    for i in range(NUM_ELECTRODES):
        shank = i // 6
        kw = {}
        if with_xy:
            kw.update(x=100.0 + i, y=-50.0 - 2 * i, z=0.0)
        if with_rel:
            kw.update(rel_x=16.0 * (i % 2) + 250.0 * shank, rel_y=20.0 * (i % 6) + 0.25)
        if channel_name:
            kw.update(channel_name=f"A-{i:03d}")
        if offset_column:
            kw.update(offset=-1e-4 * (i + 1))
        nwb.add_electrode(group=groups[shank], location=["CA1", "CA3"][shank], **kw)
    return nwb


def rate_series(nwb, name="ElectricalSeries", region=REGION, data=None, **kw):
    table_region = nwb.create_electrode_table_region(list(region), "recorded electrodes")
    if data is None:
        data = pattern(NUM_FRAMES, len(region)).astype(np.int16)
    args = dict(name=name, data=data, electrodes=table_region, conversion=CONVERSION, offset=OFFSET,
                channel_conversion=CHANNEL_CONVERSION[: len(region)], starting_time=1.25, rate=FS)
    args.update(kw)
    return ElectricalSeries(**args)


def write(nwb, path):
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)


def make(variant, path):
    facts = {"series": {}}

    def note(series_path, es, num_channels, frames, fs, region, dtype):
        facts["series"][series_path] = {
            "num_frames": frames, "num_channels": num_channels, "sampling_frequency": fs,
            "region": list(region), "dtype": dtype,
            "conversion": es.conversion, "offset": es.offset,
            "channel_conversion": None if es.channel_conversion is None else [float(v) for v in es.channel_conversion],
        }

    if variant in ("rate", "no_acquisition", "rank3", "region_mismatch", "huge"):
        nwb = new_file()
        es = rate_series(nwb)
        nwb.add_acquisition(es)
        note("acquisition/ElectricalSeries", es, len(REGION), NUM_FRAMES, FS, REGION, "int16")
        write(nwb, path)
        with h5py.File(path, "a") as f:
            if variant == "no_acquisition":
                del f["acquisition"]
            elif variant == "rank3":
                attrs = dict(f["acquisition/ElectricalSeries/data"].attrs)
                del f["acquisition/ElectricalSeries/data"]
                d = f.create_dataset("acquisition/ElectricalSeries/data", data=np.zeros((100, len(REGION), 2), np.int16))
                d.attrs.update(attrs)
            elif variant == "huge":
                attrs = dict(f["acquisition/ElectricalSeries/data"].attrs)
                del f["acquisition/ElectricalSeries/data"]
                d = f.create_dataset("acquisition/ElectricalSeries/data", shape=(HUGE_FRAMES, len(REGION)), dtype=np.int16,
                                     chunks=(4096, len(REGION)), compression="gzip", fillvalue=7)
                d[HUGE_FRAMES - 10:] = pattern(10, len(REGION)).astype(np.int16)
                d.attrs.update(attrs)
                facts["series"]["acquisition/ElectricalSeries"]["num_frames"] = HUGE_FRAMES
            elif variant == "region_mismatch":
                es_g = f["acquisition/ElectricalSeries"]
                attrs = dict(es_g["electrodes"].attrs)
                del es_g["electrodes"]
                d = es_g.create_dataset("electrodes", data=np.array(REGION[:5], dtype=np.int64))
                d.attrs.update(attrs)
    elif variant == "permuted":
        nwb = new_file()
        es = rate_series(nwb, region=PERMUTED_REGION)
        nwb.add_acquisition(es)
        note("acquisition/ElectricalSeries", es, len(PERMUTED_REGION), NUM_FRAMES, FS, PERMUTED_REGION, "int16")
        write(nwb, path)
    elif variant == "multi":
        nwb = new_file()
        ap = rate_series(nwb, name="ElectricalSeriesAP", region=[0, 1, 2, 3, 4, 5], data=pattern(NUM_FRAMES, 6).astype(np.int16))
        b = rate_series(nwb, name="ElectricalSeriesB", region=[6, 7, 8, 9, 10, 11],
                        data=pattern(5000, 6, seed=17).astype(np.int16), rate=2500.0, conversion=1e-6, offset=0.0,
                        channel_conversion=None)
        nwb.add_acquisition(ap)
        nwb.add_acquisition(b)
        lfp_series = rate_series(nwb, name="ElectricalSeriesLFP", region=[0, 6], data=pattern(1000, 2, seed=5).astype(np.int16),
                                 rate=1000.0, channel_conversion=None)
        ecephys = nwb.create_processing_module(name="ecephys", description="processed")
        ecephys.add(LFP(electrical_series=lfp_series))
        note("acquisition/ElectricalSeriesAP", ap, 6, NUM_FRAMES, FS, [0, 1, 2, 3, 4, 5], "int16")
        note("acquisition/ElectricalSeriesB", b, 6, 5000, 2500.0, [6, 7, 8, 9, 10, 11], "int16")
        note("processing/ecephys/LFP/ElectricalSeriesLFP", lfp_series, 2, 1000, 1000.0, [0, 6], "int16")
        write(nwb, path)
    elif variant == "timestamps":
        nwb = new_file()
        fs = 20000.0
        n = 12000
        idx = np.arange(n, dtype=np.float64)
        idx[5000:] += 2  # two missing frames after frame 4999
        timestamps = 10.0 + idx / fs
        es = rate_series(nwb, data=pattern(n, len(REGION), seed=3).astype(np.int16), timestamps=timestamps,
                         starting_time=None, rate=None)
        nwb.add_acquisition(es)
        note("acquisition/ElectricalSeries", es, len(REGION), n, fs, REGION, "int16")
        facts["gap"] = {"after_frame": 4999, "missing_frames": 2}
        write(nwb, path)
    elif variant == "gzip":
        nwb = new_file()
        data = H5DataIO(pattern(NUM_FRAMES, len(REGION)).astype(np.int16), compression="gzip", compression_opts=4,
                        chunks=(1000, len(REGION)))
        es = rate_series(nwb, data=data)
        nwb.add_acquisition(es)
        note("acquisition/ElectricalSeries", es, len(REGION), NUM_FRAMES, FS, REGION, "int16")
        write(nwb, path)
    elif variant == "float32":
        nwb = new_file(with_rel=False)
        data = (pattern(NUM_FRAMES, len(REGION), seed=1) / 8).astype(np.float32)
        es = rate_series(nwb, data=data, conversion=CONVERSION, offset=1e-5)
        nwb.add_acquisition(es)
        note("acquisition/ElectricalSeries", es, len(REGION), NUM_FRAMES, FS, REGION, "float32")
        write(nwb, path)
        # pynwb writes these as float64; the schema says float32 and other writers use it, which
        # changes numpy's promotion (float32 * 1e6 stays float32) and so the exact gains.
        with h5py.File(path, "a") as f:
            es_g = f["acquisition/ElectricalSeries"]
            # Assignment (unlike attrs.modify) recreates the attribute with the value's dtype.
            es_g["data"].attrs["conversion"] = np.float32(CONVERSION)
            es_g["data"].attrs["offset"] = np.float32(1e-5)
            es_g["starting_time"].attrs["rate"] = np.float32(FS)
            # float32 gain × float32 channel_conversion rounds twice in numpy; float64 would not.
            cc_attrs = dict(es_g["channel_conversion"].attrs)
            del es_g["channel_conversion"]
            es_g.create_dataset("channel_conversion", data=np.array(CHANNEL_CONVERSION, dtype=np.float32)).attrs.update(cc_attrs)
    elif variant == "channel_name":
        nwb = new_file(with_rel=False, channel_name=True, offset_column=True)
        data = (pattern(NUM_FRAMES, len(REGION), seed=2) * 65521).astype(np.int32)
        es = rate_series(nwb, data=data, offset=0.0)
        nwb.add_acquisition(es)
        note("acquisition/ElectricalSeries", es, len(REGION), NUM_FRAMES, FS, REGION, "int32")
        write(nwb, path)
    elif variant == "no_series":
        nwb = new_file()
        nwb.add_acquisition(TimeSeries(name="Temperature", data=np.arange(10.0), unit="degC", rate=1.0))
        write(nwb, path)
    elif variant == "no_locations":
        nwb = new_file(with_rel=False, with_xy=False)
        es = rate_series(nwb)
        nwb.add_acquisition(es)
        write(nwb, path)
    else:
        raise SystemExit(f"unknown variant {variant!r}")
    return facts


def main(out_dir, variants):
    # pynwb warns that a region built before its table joins the file has no common ancestor;
    # harmless here, and stderr noise in the test log.
    warnings.filterwarnings("ignore")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    print(json.dumps({v: make(v, out / f"{v}.nwb") for v in variants}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
