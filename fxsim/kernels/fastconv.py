"""Fast convolution for ``fir`` with ``method = "overlap-save"``: the FIR as blocks of real FFTs.

Keys (on a fir stage): ``method = "overlap-save"``, ``nfft`` (the FFT size: a power of two from 64
to 4096 and more than the tap count; default the smallest power of two >= 2 taps, at least 64).
Q15 or Q31 input (the FFTs' word); any signed output format up to 32 bits.

Each block takes L = nfft - T + 1 new inputs (T taps) behind the last T - 1, so nfft inputs:
  1. X = real FFT of the nfft inputs, block floating point (fxsim.kernels.fft: rounding butterflies,
     exponent e_x);
  2. H = the real FFT of the taps zero-padded to nfft, in float64 once, quantized to nearest in
     Q(F) words with a static exponent e_h (the fewest that hold its largest component);
  3. Y = X H, exact 64-bit products (2 F fraction bits), shifted right by the fewest bits s_y that
     make every rounded component fit the word (the design's rounding): a block-normalised product;
  4. the inverse real FFT of Y, block floating point (exponent e_i);
  5. its last L words (the first T - 1 hold the circular wrap-around) scaled by their exponent
     e_i - (log2 nfft - 1) + s_y + e_x + e_h - F_x - F + F_y, rounded (the design's rounding) and
     saturated or wrapped to the output format.
Output sample t is input sample t's (no delay), emitted L at a time. The error is the FFTs' block
floating point, not the direct form's one rounding: the benchmarks print what it costs in SNR and
where it wins in instructions per sample.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from .. import primitives as P
from ..errors import FxsimError
from ..qformat import QFormat, quantize
from .fft import BFP, core_context, irfft_frame, rfft_frame, twiddles

NFFT_MIN, NFFT_MAX = 64, 4096


def default_nfft(taps: int) -> int:
    return max(NFFT_MIN, 1 << max(0, (2 * taps - 1).bit_length()))


def filter_spectrum(taps, nfft: int, word: int) -> tuple[np.ndarray, int]:
    """(interleaved integer bins of rfft(taps, nfft) in Q(word - 1) words, their exponent e_h):
    H ~ words 2^(e_h - F)."""
    h = np.fft.rfft(np.asarray(taps, dtype=np.float64), nfft)
    inter = np.empty(2 * h.size)
    inter[0::2], inter[1::2] = h.real, h.imag
    peak = float(np.max(np.abs(inter)))
    frac = word - 1
    e_h = math.ceil(math.log2(peak)) if peak > 0 else 0
    while True:                       # the fewest exponent whose rounded words fit the word
        ints = quantize(inter * 2.0 ** -e_h, QFormat(0, frac), "nearest", "saturate",
                        return_count=True)
        if ints[1] == 0:
            return ints[0].astype(np.int64), e_h
        e_h += 1


@nb.njit(cache=True)
def ols_stream(x, state, tw, hq, n, taps, word, rounding, overflow, const_exp, out_bits):
    """The blocks above. state = (buf (n), work (n), bins (n + 2), fill (1)); const_exp =
    -(log2 n - 1) + e_h - F_x - F + F_y. Returns (y, saturations)."""
    buf, work, bins, fill = state
    L = n - taps + 1
    h = n // 2
    full = P.max_int(word)
    nb_ = (fill[0] + x.size) // L
    y = np.empty(L * nb_, dtype=np.int64)
    sat = 0
    b = 0
    for i in range(x.size):
        buf[taps - 1 + fill[0]] = x[i]
        fill[0] += 1
        if fill[0] == L:
            e_x, s1 = rfft_frame(buf, work, bins, tw, n, word, BFP, rounding, overflow)
            hi = np.int64(0)
            lo = np.int64(0)
            for k in range(h + 1):                      # the exact products' extremes
                xr, xi, hr, hi_ = bins[2 * k], bins[2 * k + 1], hq[2 * k], hq[2 * k + 1]
                pr = P.mac_exact(xr * hr, -xi, hi_)
                pi = P.mac_exact(xr * hi_, xi, hr)
                hi = max(hi, pr, pi)
                lo = min(lo, pr, pi)
            s_y = max(0, P.bit_length(max(hi, -lo)) - (word - 1))
            while P.shr_round(hi, s_y, rounding) > full or P.shr_round(lo, s_y, rounding) < -full - 1:
                s_y += 1
            for k in range(h + 1):
                xr, xi, hr, hi_ = bins[2 * k], bins[2 * k + 1], hq[2 * k], hq[2 * k + 1]
                bins[2 * k] = P.shr_round(P.mac_exact(xr * hr, -xi, hi_), s_y, rounding)
                bins[2 * k + 1] = P.shr_round(P.mac_exact(xr * hi_, xi, hr), s_y, rounding)
            e_i, s2 = irfft_frame(bins, work, tw, n, word, BFP, rounding, overflow)
            sat += s1 + s2
            e = e_i + s_y + e_x + const_exp
            for j in range(L):
                v, o = P.fit(P.shr_round(work[taps - 1 + j], -e, rounding), out_bits, overflow)
                y[L * b + j] = v
                sat += o
            buf[: taps - 1] = buf[L:].copy()
            fill[0] = 0
            b += 1
    return y, sat


class OverlapSave:
    """The overlap-save engine of a fir stage (see the module docstring)."""

    def __init__(self, stage, opt):
        t = len(stage.taps)
        fmt = stage.in_fmt
        if fmt.word_bits not in (16, 32) or fmt.int_bits != 0:
            raise FxsimError(f"{stage.where}.method: overlap-save takes Q15 or Q31 input (the FFT "
                             f"word), not {fmt}")
        if "nfft" not in opt and default_nfft(t) > NFFT_MAX:
            raise FxsimError(f"{stage.where}.method: overlap-save of {t} taps needs an FFT of more "
                             f"than {NFFT_MAX} points; give nfft = {NFFT_MAX} (blocks of "
                             f"{NFFT_MAX - t + 1}) or use the direct form")
        nfft = opt.get("nfft", default_nfft(t))
        if not isinstance(nfft, int) or isinstance(nfft, bool) or nfft & (nfft - 1) or \
                not NFFT_MIN <= nfft <= NFFT_MAX or nfft <= t:
            raise FxsimError(f"{stage.where}.nfft: {nfft!r}; allowed: a power of two from "
                             f"{NFFT_MIN} to {NFFT_MAX} and more than the {t} taps")
        self.n, self.t, self.block = nfft, t, nfft - t + 1
        self.word = fmt.word_bits
        self.log2n = nfft.bit_length() - 1
        self.tw = twiddles(nfft, self.word - 1)
        self.hq, self.e_h = filter_spectrum(stage.taps, nfft, self.word)
        f = self.word - 1
        self.const_exp = -(self.log2n - 1) + self.e_h - fmt.frac_bits - f + stage.out_fmt.frac_bits

    def init_state(self):
        n = self.n
        return (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                np.zeros(n + 2, dtype=np.int64), np.zeros(1, dtype=np.int64))

    def process(self, stage, x, state):
        return ols_stream(np.asarray(x, dtype=np.int64), state, self.tw, self.hq, self.n, self.t,
                          self.word, stage.rounding, stage.overflow, self.const_exp,
                          stage.out_fmt.word_bits)

    def max_out(self, n):
        return (self.block - 1 + n) // self.block * self.block

    def scaling(self, stage):
        return (f"{self.t} taps by overlap-save: blocks of {self.block} inputs behind the last "
                f"{self.t - 1}, a {self.n}-point real FFT (block floating point, rounding "
                f"{stage.rounding_name}), times the filter's spectrum in Q{self.word - 1} with "
                f"exponent {self.e_h} (exact 64-bit products, block-normalised to the word), the "
                f"inverse real FFT (block floating point), its last {self.block} words scaled by "
                f"their exponent, rounded ({stage.rounding_name}) and "
                f"{'wrapped' if stage.overflow_name == 'wrap' else 'saturated'} to {stage.out_fmt}")

    def c_context(self, stage):
        word = self.word
        return {"ols": 1, "n": self.n, "half": self.n // 2, "log2n": self.log2n, "taps": self.t,
                "blk": self.block, "tw": [int(v) for v in self.tw], "hq": [int(v) for v in self.hq],
                "mode": BFP, "inverse": 0, "in_exp": 0, "const_exp": self.const_exp,
                **core_context(word)}
