"""Convert a current-layout Maxwell .raw.h5 (one well) to an NWB 2.x file with pynwb.

Usage: maxwell_to_nwb.py IN.raw.h5 OUT.nwb

Used by tests to sort the same synthetic recording (known ground truth) as NWB. Samples are
stored as int16 (raw - 512, the ADC midpoint) with conversion = lsb volts per unit, so the
µV traces equal Maxwell's up to a constant offset that the band-pass removes.
"""
import sys
from datetime import datetime, timezone

import h5py
import numpy as np
from hdmf.data_utils import DataChunkIterator
from pynwb import NWBHDF5IO, NWBFile
from pynwb.ecephys import ElectricalSeries


def main(src, dst):
    with h5py.File(src, "r") as f:
        rec = f["wells/well000/rec0000"]
        fs = float(rec["settings/sampling"][0])
        lsb = float(rec["settings/lsb"][0])
        mapping = rec["settings/mapping"][...]
        raw = rec["groups/routed/raw"]
        n_ch, n_frames = raw.shape
        nwb = NWBFile(session_description="synthetic MEA recording converted from Maxwell",
                      identifier=src, session_start_time=datetime(2026, 1, 1, tzinfo=timezone.utc))
        device = nwb.create_device(name="MaxOne")
        group = nwb.create_electrode_group(name="mea", description="MEA", location="culture", device=device)
        for row in mapping:
            nwb.add_electrode(x=float(row["x"]), y=float(row["y"]), z=0.0, rel_x=float(row["x"]), rel_y=float(row["y"]),
                              location="culture", group=group)
        region = nwb.create_electrode_table_region(list(range(n_ch)), "all electrodes")

        def blocks(step=20000):
            for s in range(0, n_frames, step):
                block = raw[:, s:min(n_frames, s + step)].astype(np.int32) - 512
                for frame in block.T.astype(np.int16):
                    yield frame

        data = DataChunkIterator(data=blocks(), maxshape=(n_frames, n_ch), dtype=np.dtype("int16"), buffer_size=20000)
        nwb.add_acquisition(ElectricalSeries(name="ElectricalSeries", data=data, electrodes=region, rate=fs,
                                             starting_time=0.0, conversion=lsb))
        with NWBHDF5IO(dst, "w") as io:
            io.write(nwb)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
