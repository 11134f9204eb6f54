"""Independent h5py reading of a current-layout Maxwell .raw.h5 (for test/io).

Usage: read_maxwell_h5py.py PATH WELL REC START END OUT_F32
Prints JSON {channel_ids, locations, electrodes, sampling_frequency, gain_to_uv,
num_frames} and writes frames [START, END) as float32 microvolts, frame-major, to OUT_F32.

Follows the reference extractor's convention: mapping rows with channel >= 0, in mapping
order, the i-th of them being raw row i; gain = lsb * 1e6.
"""
import json
import sys

import h5py
import numpy as np


def main(path, well, rec, start, end, out):
    with h5py.File(path, "r") as f:
        version = int(f["version"][0].decode())
        assert version > 20160704, version
        base = f["wells"][well][rec]
        mapping = base["settings"]["mapping"][:]
        keep = mapping["channel"] >= 0
        mapping = mapping[keep]
        fs = float(base["settings"]["sampling"][0])
        gain = float(base["settings"]["lsb"][0]) * 1e6
        raw = base["groups"]["routed"]["raw"]
        block = raw[:, int(start):int(end)].astype(np.float64) * gain
        block.T.astype("<f4").tofile(out)
        print(json.dumps({
            "channel_ids": [str(int(c)) for c in mapping["channel"]],
            "locations": [[float(x), float(y)] for x, y in zip(mapping["x"], mapping["y"])],
            "electrodes": [int(e) for e in mapping["electrode"]],
            "sampling_frequency": fs,
            "gain_to_uv": gain,
            "num_frames": int(raw.shape[1]),
            "has_data_store": "data_store/data0000/groups/routed/raw" in f,
        }))


if __name__ == "__main__":
    main(*sys.argv[1:7])
