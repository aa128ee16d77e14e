"""Long inputs and sweeps: wall time, real-time factor and peak memory of `fxsim quantize` and
`fxsim verify --input` on an hour of 16 kHz audio through examples/tutorial.toml (preemph, a
6th-order elliptic biquad, a 48-tap FIR, decimate by 2), and a word-length sweep run in this
process, on all cores (joblib) and on a Dask cluster started here (a scheduler and one
single-threaded worker per core, as `dask scheduler` / `dask worker` would run on real machines).

The hour is examples/noisy_speech.wav repeated, written to a temporary directory (115 MB), never
committed. Goals (issue: streaming everywhere): peak memory <= 400 MB whatever the length,
>= 60x real time for this chain on one core.

Run: .venv/bin/python benchmarks/bench_streaming.py [--minutes M]   (uses the checkout's sources)
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, checkout_env, fxsim_process  # noqa: E402

DESIGN = "examples/tutorial.toml"
SWEEP = "12:32"


def fxsim(*args) -> tuple[float, float]:
    """(wall seconds, peak MB) of one `fxsim ARGS` process."""
    return fxsim_process(*args, peak=True)


def long_wav(path: Path, minutes: float) -> None:
    x, rate = sf.read(ROOT / "examples/noisy_speech.wav")
    n = int(minutes * 60 * rate)
    with sf.SoundFile(path, "w", rate, 1, subtype="PCM_16") as f:
        for i in range(0, n, x.size):
            f.write(x[: min(x.size, n - i)])


def start_cluster(workers: int):
    """A scheduler and ``workers`` single-threaded workers, as separate processes."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    port = 8786 + os.getpid() % 1000
    procs = [subprocess.Popen([dask, "scheduler", "--port", str(port), "--no-dashboard"],
                              env=checkout_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    time.sleep(3)
    procs.append(subprocess.Popen([dask, "worker", f"tcp://127.0.0.1:{port}", "--nworkers",
                                   str(workers), "--nthreads", "1", "--no-dashboard"],
                                  env=checkout_env(), cwd=tempfile.gettempdir(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(8)
    return f"tcp://127.0.0.1:{port}", procs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the long input")
    ap.add_argument("--no-cluster", action="store_true", help="skip the Dask rows")
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    fxsim("quantize", DESIGN, "--input", "examples/noisy_speech.wav")      # numba's cache warm
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "long.wav"
        long_wav(wav, a.minutes)
        seconds = a.minutes * 60
        print(f"## {a.minutes:g} min of 16 kHz audio through {DESIGN} (one core for the model)")
        print("| command | wall s | x real time | peak MB | goal |")
        print("|---|---|---|---|---|")
        for label, args in (
                ("quantize", ("quantize", DESIGN, "--input", wav)),
                ("quantize --plot --html", ("quantize", DESIGN, "--input", wav, "--plot",
                                            Path(tmp) / "r.png", "--html", Path(tmp) / "r.html")),
                ("verify --input (host C)", ("verify", DESIGN, "--input", wav, "--min-snr", 0))):
            wall, mb = fxsim(*args)
            print(f"| {label} | {wall:.1f} | {seconds / wall:.0f} | {mb:.0f} | >= 60x, <= 400 MB "
                  f"({'met' if seconds / wall >= 60 and mb <= 400 else 'missed'}) |")
    print()
    print(f"## quantize --sweep {SWEEP} (21 word lengths) on examples/noisy_speech.wav (10 s), "
          f"{cores} cores")
    print("| where the simulations run | wall s |")
    print("|---|---|")
    base = ("quantize", DESIGN, "--input", "examples/noisy_speech.wav", "--sweep", SWEEP)
    print(f"| this process (--jobs 1) | {fxsim(*base, '--jobs', 1)[0]:.1f} |")
    print(f"| {cores} worker processes (--jobs -1) | {fxsim(*base, '--jobs', -1)[0]:.1f} |")
    if not a.no_cluster:
        address, procs = start_cluster(cores)
        try:
            first = fxsim(*base, "--cluster", address)[0]
            again = fxsim(*base, "--cluster", address)[0]
        finally:
            for p in reversed(procs):
                p.terminate()
                p.wait()
        print(f"| Dask cluster, {cores} workers (first run / workers warm) | {first:.1f} / "
              f"{again:.1f} |")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
