"""What the benchmark scripts share: the CMSIS-style test signal, accuracy of a design against its
float64 reference, and timing of the numba model."""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fxsim.analysis.metrics import max_err_lsb, snr_db  # noqa: E402
from fxsim.qformat import dequantize, quantize  # noqa: E402


def noise(n, dbfs=-10.0, seed=0):
    """Gaussian noise at ``dbfs`` (RMS re full scale), clipped just inside [-1, 1)."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.standard_normal(n) * 10 ** (dbfs / 20), -1.0, 1.0 - 2.0 ** -31)


def accuracy(des, x):
    """(SNR dB, max error LSB, saturations) of the design's model against its float64 reference,
    both run on x quantized to the design's input format."""
    xi = quantize(x, des.in_fmt).astype(np.int64)
    y, sats = des.simulate(xi)
    ref = des.reference(dequantize(xi, des.in_fmt))
    out = dequantize(y, des.out_fmt)
    return snr_db(ref, out), max_err_lsb(ref, out, des.out_fmt), sum(sats)


def median_time(fn, repeats=25, best=False):
    """Median (or fastest) wall time of fn() in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) if best else float(np.median(times))


def model_time(des, x, repeats=7):
    """Fastest of ``repeats`` runs of the whole design model on x (numba cache loaded first)."""
    return median_time(lambda: des.simulate(x), repeats, best=True)
