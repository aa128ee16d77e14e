"""Start-up cost of the command line: wall seconds of `fxsim --help`, of an argument error, and of
a warm `fxsim quantize` on one second of audio (numba's and the design cache already filled by a
first run), for a design of given coefficients and one whose filters scipy.signal designs,
each the median of several fresh processes, beside the goals (0.5 s, 0.5 s, 1.5 s).

Run: .venv/bin/python benchmarks/bench_startup.py   (uses the checkout's sources)
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fxsim_process  # noqa: E402

RUNS = 5


def wall(args) -> float:
    """Median wall seconds of ``python -m fxsim.cli ARGS`` in fresh processes."""
    return statistics.median(fxsim_process(*args) for _ in range(RUNS))


def main():
    quantize = ["quantize", "examples/emphasis.toml", "--input", "examples/speechlike.wav"]
    tutorial = ["quantize", "examples/tutorial.toml", "--input", "examples/speechlike.wav"]
    wall(quantize)                                   # fill numba's cache (the first run's cost)
    wall(tutorial)                                   # and the design cache (scipy.signal's designs)
    rows = [("fxsim --help", wall(["--help"]), 0.5),
            ("an argument error (quantize without --input)", wall(["quantize", "x.toml"]), 0.5),
            ("warm quantize, 1 s of 16 kHz audio, 3 stages (emphasis.toml)", wall(quantize), 1.5),
            ("warm quantize, 1 s, 4 stages, 3 designed by scipy.signal (tutorial.toml: "
             "ellip biquads, firwin FIR, decimate)", wall(tutorial), 1.5)]
    print(f"## Start-up, median of {RUNS} fresh processes (wall seconds, this machine)")
    print("| command | seconds | goal |")
    print("|---|---|---|")
    for name, sec, goal in rows:
        print(f"| {name} | {sec:.2f} | <= {goal} {'(met)' if sec <= goal else '(missed)'} |")


if __name__ == "__main__":
    main()
