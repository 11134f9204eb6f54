"""Reference filter outputs from SciPy, for checking the TypeScript DSP (test/dsp).

Subcommands (all arrays little-endian, frame-major):
  butter ORDER LO HI FS [ORDER LO HI FS ...]
      prints, as JSON, one list of band-pass second-order sections (6-element rows) per
      design, so a test pays the SciPy start-up once.
  sosfiltfilt ORDER LO HI FS CHANNELS IN_F32 OUT_F64
      band-pass filters IN_F32 (frames x CHANNELS, float32) forward-backward along the
      frame axis with SciPy's defaults and writes float64 to OUT_F64.
  sosfilt_zi ORDER LO HI FS
      prints sosfilt_zi of the band-pass design as JSON.
"""
import json
import sys

import numpy as np
from scipy import signal


def design(order, lo, hi, fs):
    return signal.butter(int(order), [float(lo), float(hi)], btype="band", fs=float(fs), output="sos")


def main(argv):
    cmd = argv[1]
    if cmd == "butter":
        args = argv[2:]
        print(json.dumps([design(*args[i:i + 4]).tolist() for i in range(0, len(args), 4)]))
    elif cmd == "sosfilt_zi":
        print(json.dumps(signal.sosfilt_zi(design(*argv[2:6])).tolist()))
    elif cmd == "sosfiltfilt":
        order, lo, hi, fs, channels, src, dst = argv[2:9]
        x = np.fromfile(src, dtype="<f4").reshape(-1, int(channels))
        y = signal.sosfiltfilt(design(order, lo, hi, fs), x, axis=0)
        y.astype("<f8").tofile(dst)
    else:
        raise SystemExit(f"unknown subcommand {cmd!r}")


if __name__ == "__main__":
    main(sys.argv)
