"""Throughput of fxsim.basicop on 10^6-element arrays, beside the alternatives a user has.

Columns (median of several runs, milliseconds per 10^6 elements):
  basicop        the public array call (numba loop: range checks, STL semantics, overflow count)
  numpy int64    the same operation written with numpy int64 whole-array expressions (also
                 computing the overflow count, so it does the same work)
  Python loop    one basicop scalar call per element (how STL-style C code reads when ported
                 line by line), timed on 10^4 elements and scaled to 10^6

Every numpy result is checked equal to basicop's before timing. Run:
    python benchmarks/bench_basicop.py [--n 1000000] [--repeat 7]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fxsim import basicop as B  # noqa: E402

MIN16, MAX16, MIN32, MAX32 = -(1 << 15), (1 << 15) - 1, -(1 << 31), (1 << 31) - 1


def np_add(a, b):
    s = a.astype(np.int64) + b
    out = np.clip(s, MIN16, MAX16)
    return out.astype(np.int16), int(np.count_nonzero(out != s))


def np_mult_r(a, b):
    p = (a.astype(np.int64) * b + 0x4000) >> 15
    out = np.clip(p, MIN16, MAX16)
    return out.astype(np.int16), int(np.count_nonzero(out != p))


def np_L_mac(acc, a, b):
    p = a.astype(np.int64) * b * 2
    ps = np.clip(p, MIN32, MAX32)
    s = acc + ps
    out = np.clip(s, MIN32, MAX32)
    return out.astype(np.int32), int(np.count_nonzero((ps != p) | (out != s)))


def np_norm_l(x):
    x = x.astype(np.int64)
    v = np.where(x < 0, ~x, x)                 # same number of sign bits, now 0 <= v < 2**31
    n = np.zeros_like(v)
    for step in (16, 8, 4, 2, 1):              # binary search for the leading one
        m = v < (1 << (31 - step))
        v = np.where(m, v << step, v)
        n += m * step
    return np.where(x == 0, 0, n).astype(np.int16), 0


def median_ms(fn, repeat):
    fn()                                       # warm up (numba loads its cache on first call)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--loop-n", type=int, default=10_000)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(1)
    n = args.n
    a = rng.integers(MIN16, MAX16 + 1, n).astype(np.int16)
    b = rng.integers(MIN16, MAX16 + 1, n).astype(np.int16)
    acc = rng.integers(MIN32, MAX32 + 1, n).astype(np.int32)
    cases = [
        ("add", (a, b), np_add),
        ("mult_r", (a, b), np_mult_r),
        ("L_mac", (acc, a, b), np_L_mac),
        ("norm_l", (acc,), np_norm_l),
    ]
    print(f"fxsim.basicop throughput, {n} elements (int16 / int32 arrays), median of "
          f"{args.repeat} runs; Python loop timed on {args.loop_n} elements and scaled\n")
    print("| op | basicop (numba) ms | numpy int64 ms | Python loop ms (scaled) | "
          "numpy / basicop | loop / basicop |")
    print("|---|---|---|---|---|---|")
    for name, ops, np_fn in cases:
        fn = getattr(B, name)
        before = B.overflow_count()
        want = fn(*ops)
        count = B.overflow_count() - before
        got, np_count = np_fn(*ops)
        assert np.array_equal(got, want), name
        assert name == "norm_l" or np_count == count, (name, np_count, count)
        t_basicop = median_ms(lambda: fn(*ops), args.repeat)
        t_numpy = median_ms(lambda: np_fn(*ops), args.repeat)
        m = args.loop_n
        small = [[int(v) for v in o[:m]] for o in ops]

        def loop():
            for t in zip(*small):
                fn(*t)
        t_loop = median_ms(loop, max(3, args.repeat // 2)) * n / m
        print(f"| {name} | {t_basicop:.2f} | {t_numpy:.2f} | {t_loop:.0f} | "
              f"{t_numpy / t_basicop:.1f}x | {t_loop / t_basicop:.0f}x |")
    calls = 20000
    t = time.perf_counter()
    for _ in range(calls):
        B.mult_r(1234, -5678)
    us = (time.perf_counter() - t) / calls * 1e6
    print(f"\nscalar call overhead: mult_r(1234, -5678) {us:.2f} us per call")


if __name__ == "__main__":
    main()
