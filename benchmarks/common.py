"""What the benchmark scripts share: the CMSIS-style test signal, accuracy of a design against its
float64 reference, timing of the numba model, and running the command line in a fresh process."""
import os
import subprocess
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


ROOT = Path(__file__).resolve().parent.parent


def checkout_env() -> dict:
    """The environment of a child that runs this checkout's fxsim (not an installed one)."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


#: runs ``fxsim ARGS`` and prints, last on stderr, its peak resident memory in kB (VmHWM: the
#: process's own peak, where ru_maxrss of a child would carry its parent's across execve)
_PEAK = ("import atexit, runpy, sys\n"
         "atexit.register(lambda: print([ln.split()[1] for ln in open('/proc/self/status')\n"
         "                               if ln.startswith('VmHWM')][0], file=sys.stderr))\n"
         "sys.argv[0] = 'fxsim'\n"
         "runpy.run_module('fxsim.cli', run_name='__main__')\n")


def fxsim_process(*args, peak: bool = False, cwd=ROOT):
    """Wall seconds of ``python -m fxsim.cli ARGS`` in a fresh process (its output discarded),
    and with ``peak`` (wall, peak MB); exit status 0 or 1 (a failed check) expected."""
    cmd = [sys.executable, "-c", _PEAK] if peak else [sys.executable, "-m", "fxsim.cli"]
    t0 = time.perf_counter()
    r = subprocess.run([*cmd, *map(str, args)], cwd=cwd, env=checkout_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1, 2):
        raise SystemExit(f"fxsim {' '.join(map(str, args))} failed:\n{r.stderr}")
    return (wall, int(r.stderr.strip().splitlines()[-1]) / 1024) if peak else wall
