"""What a 16-bit-lane FFT arithmetic would cost in accuracy: the design study behind the FFTs'
``arithmetic = "lanes"`` option (its row 3, refined: the option halves a stage's inputs inside the
butterfly where this study halves the frame in a pass, and normalises to 4 m <= FS; see
docs/kernels.md, "arithmetic = lanes").

fxsim's radix-4 butterfly keeps 13 guard bits below each twiddle product, sums exactly in 32
bits and rounds each output once; CMSIS-DSP's keeps every value in a 16-bit lane (products
truncated to 16 bits, halving adds) and so needs about a quarter fewer instructions on the
Cortex-M4. This script measures, on the benchmarks' signal (bench_targets.py: 16000 samples of
-10 dBFS Gaussian noise as interleaved complex Q15, 31 frames of N = 256), the SNR against
numpy.fft of the same quantized input of:

  1. fxsim's arithmetic (the shipped model; checked here bit for bit against fxsim's own model,
     which validates this simulation);
  2. twiddle products rounded to 16 bits, sums exact, one rounding an output, block floating point;
  3. 16-bit lanes: products rounded to 16 bits (SMLSD / SMLADX with a rounding constant), adds
     halving with floor where the stage shifts (SHADD16 & co.), block floating point (the same
     shift test; a stage that would shift by 3 first halves the frame, rounded, so that its
     products fit a halfword);
  4. as 3 with the products truncated;
  5. as 4 with CMSIS's scaling (a quarter every radix-4 stage, no block floating point).

Run: .venv/bin/python benchmarks/study_fft_arithmetic.py
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fxsim import design as D  # noqa: E402
from fxsim.kernels import fft as fft_model  # noqa: E402
from fxsim.qformat import quantize  # noqa: E402

from common import noise  # noqa: E402

N, F, FS = 256, 15, 2 ** 15 - 1
TW = fft_model.twiddles(N, F)
REV = np.array([int(format(i, "08b")[::-1], 2) for i in range(N)])


def shr(x, s, rounding):
    """x / 2^s, rounded half up ("round") or floored."""
    if s == 0:
        return x
    return (x + (1 << (s - 1))) >> s if rounding == "round" else x >> s


def stage_shift(xr, xi, h):
    """The model's block-floating-point test (fxsim.kernels.fft.stage_shift): the smallest s with
    no output above full scale times 2^s, from the largest component for the first stage and
    from the largest squared magnitude's bound for the others."""
    work = np.empty(2 * N, dtype=np.int64)
    work[0::2], work[1::2] = xr, xi
    return int(fft_model.stage_shift(work, fft_model.frame_peak(work), 16, 4, h == 1,
                                     fft_model.BFP))


def fft(z, v, count):
    """One N-point forward FFT of the complex integer frame z under variant v; returns
    (re, im, exponent) of the bins."""
    xr, xi = z.real.astype(np.int64)[REV], z.imag.astype(np.int64)[REV]
    e = 0
    lanes = v["arith"] != "exact"
    if v["bfp"]:
        m = max(np.abs(xr).max(), np.abs(xi).max())
        k = 0
        while m and 4 * (m << (k + 1)) <= FS:
            k += 1
        xr, xi, e = xr << k, xi << k, -k
    h = 1
    while h < N:
        s = stage_shift(xr, xi, h) if v["bfp"] else 2
        if lanes and s > 2:              # a halving pass first: the products then fit a halfword
            count["halving passes"] += 1
            xr, xi, e, s = shr(xr, 1, "round"), shr(xi, 1, "round"), e + 1, 2
        G = 0 if lanes else 13
        g = (np.arange(0, N, 4 * h)[:, None] + np.arange(h)[None, :]).ravel()
        k = g % h * (N // (4 * h))

        def rotate(i, j):               # W^j x[i]; j = 0 is exact (no product with 32767)
            pr = TW[2 * j] * xr[i] - TW[2 * j + 1] * xi[i]
            pi = TW[2 * j] * xi[i] + TW[2 * j + 1] * xr[i]
            pr, pi = (pr >> (F - G), pi >> (F - G)) if not lanes else \
                (shr(pr, F, v["products"]), shr(pi, F, v["products"]))
            return np.where(j == 0, xr[i] << G, pr), np.where(j == 0, xi[i] << G, pi)

        br, bi = rotate(g + h, 2 * k)
        cr, ci = rotate(g + 2 * h, k)
        dr, di = rotate(g + 3 * h, 3 * k)
        ar, ai = xr[g] << G, xi[g] << G
        if v["arith"] == "halving":     # first level halves when s >= 2, the second when s >= 1
            l1, l2 = int(s >= 2), int(s >= 1)
            pr, pi, mr, mi = (ar + br) >> l1, (ai + bi) >> l1, (ar - br) >> l1, (ai - bi) >> l1
            sr, si, er, ei = (cr + dr) >> l1, (ci + di) >> l1, (cr - dr) >> l1, (ci - di) >> l1

            def out(y):
                return y >> l2
        else:
            pr, pi, mr, mi = ar + br, ai + bi, ar - br, ai - bi
            sr, si, er, ei = cr + dr, ci + di, cr - dr, ci - di

            def out(y):
                return shr(y, G + s, "round")
        yr, yi = xr.copy(), xi.copy()
        yr[g], yi[g] = out(pr + sr), out(pi + si)
        yr[g + h], yi[g + h] = out(mr + ei), out(mi - er)
        yr[g + 2 * h], yi[g + 2 * h] = out(pr - sr), out(pi - si)
        yr[g + 3 * h], yi[g + 3 * h] = out(mr - ei), out(mi + er)
        if max(np.abs(yr).max(), np.abs(yi).max()) > FS + 1:
            count["overflows"] += 1
        xr, xi, e, h = yr, yi, e + s, 4 * h
    return xr, xi, e


VARIANTS = [
    ("fxsim's: 13 guard bits, exact sums, one rounding an output, bfp",
     dict(arith="exact", bfp=True)),
    ("products rounded to 16 bits, exact sums, one rounding an output, bfp",
     dict(arith="lanes-exact-sums", products="round", bfp=True)),
    ("16-bit lanes: products rounded, halving adds (floor), bfp",
     dict(arith="halving", products="round", bfp=True)),
    ("16-bit lanes: products truncated, halving adds (floor), bfp",
     dict(arith="halving", products="floor", bfp=True)),
    ("16-bit lanes: products truncated, halving adds, a quarter a stage (CMSIS's scaling)",
     dict(arith="halving", products="floor", bfp=False)),
]


def main():
    path = ROOT / "examples" / "fft_q15.toml"
    des = D.from_dict(tomllib.loads(path.read_text()), path)
    x = quantize(noise(16000), des.in_fmt).astype(np.int64)
    frames = x[: (x.size // (2 * N)) * 2 * N].reshape(-1, 2 * N)
    model, _ = des.simulate(x)
    print(f"## complex FFT Q15, N = {N}: SNR of alternative butterfly arithmetics "
          f"({len(frames)} frames of -10 dBFS noise)")
    print("| arithmetic | SNR dB | halving passes (of stages) | overflows |")
    print("|---|---|---|---|")
    for i, (name, v) in enumerate(VARIANTS):
        count = {"halving passes": 0, "overflows": 0}
        num = den = 0.0
        for f, fr in enumerate(frames):
            z = fr[0::2] + 1j * fr[1::2]
            yr, yi, e = fft(z, v, count)
            if i == 0:                   # this simulation is fxsim's model, bit for bit
                mine = np.empty(2 * N, dtype=np.int64)
                mine[0::2], mine[1::2] = yr, yi
                assert np.array_equal(mine, model[2 * N * f: 2 * N * (f + 1)]), f"frame {f}"
            ref = np.fft.fft(z)
            num += np.sum(np.abs(ref) ** 2)
            den += np.sum(np.abs((yr + 1j * yi) * 2.0 ** e - ref) ** 2)
        print(f"| {name} | {10 * np.log10(num / den):.1f} | {count['halving passes']} of "
              f"{4 * len(frames)} | {count['overflows']} |")


if __name__ == "__main__":
    main()
