"""stft / istft: short-time Fourier transform and its overlap-add inverse, on the real FFT.

Keys: ``n`` (the FFT size, a power of two, 16 to 4096), ``hop`` (input samples per frame, default
n/2), ``window`` ("sqrt-hann", the default; "hann"; or a list of n numbers), ``scaling`` (as the
FFT's: "bfp" by default, "stage", "none"). Q15 or Q31; the stft keeps its input format.

Windows. ``window`` names a pair: the analysis window w_a (stft) and the synthesis window w_s
(istft). "sqrt-hann": both the square root of the periodic Hann window; "hann": w_a Hann, w_s = 1;
a list: both the list. The pair must meet the overlap-add condition for the hop:
sum_k w_a[t - k hop] w_s[t - k hop] = C for every t (checked to 1e-6 of C, else refused); w_s is
divided by C, so a frame's analysis and synthesis reconstruct the input exactly in float
(sqrt-Hann at hop n/2 or n/4); where w_s / C exceeds 1 it is stored with the exponent that holds it.

stft. Frame f holds inputs f hop .. f hop + n - 1 (the first frame ends at input n - 1, then one
every hop inputs); each is windowed, w_a in Q(F) (F = word - 1 fraction bits, rounded to nearest,
+-1 as +-(2^F - 1)): x w_a exact, rounded (the design's rounding) to the word; then the real FFT
of fxsim.kernels.fft (n/2 + 1 bins per frame, its scaling and exponent rules). Output port:
complex frames of n/2 + 1, hop ``hop``; block exponent under bfp. The float reference is
numpy.fft.rfft of the windowed frames.

istft. Each frame of n/2 + 1 bins (an stft's output, frames of n/2 + 1) goes through the inverse
real FFT, giving n words y with the frame's exponent E (its format's static exponent included);
each is multiplied by w_s (Q(F), exact) and added into an overlap-add accumulator of n words with
G = 16 guard bits (y w_s rounded, with the design's rounding, to F_out + 16 fraction bits, the
frame's exponent applied in the same shift: exact for any E); after frame f the first ``hop``
accumulator words are rounded to the output format (F_out fraction bits, design's rounding),
saturated (or wrapped) and output, and the accumulator moves on by hop. The output is a real
stream in ``data`` (default Q15): output sample t is input sample t of the stft before it (no
delay); the first n - hop samples see only part of the overlap, in the reference as in the model.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from .. import primitives as P
from ..errors import FxsimError
from ..ports import Chunk, Port
from ..qformat import QFormat, quantize
from .base import Stage
from .fft import (BFP, LANES, N_MAX, N_MIN, SCALINGS, STAGE, core_context, irfft_stream,
                  read_arithmetic, rfft_stream,
                  twiddles)

WINDOWS = ("sqrt-hann", "hann")
#: guard bits of the istft's overlap-add accumulator
OLA_GUARD = 16


def window_pair(spec, n: int, hop: int, field: str):
    """(w_a, w_s / C) for the ``window`` key, checking the overlap-add condition."""
    t = np.arange(n)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * t / n)          # periodic
    if spec == "sqrt-hann":
        wa = ws = np.sqrt(hann)
    elif spec == "hann":
        wa, ws = hann, np.ones(n)
    elif isinstance(spec, list):
        if len(spec) != n or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                     for v in spec):
            raise FxsimError(f"{field}: a list of {n} numbers (the FFT size), or one of "
                             f"{' | '.join(WINDOWS)}")
        wa = ws = np.asarray(spec, dtype=np.float64)
        if not np.isfinite(wa).all() or np.abs(wa).max() > 1.0 or not np.any(wa):
            raise FxsimError(f"{field}: window values must be finite, in [-1, 1] and not all 0")
    else:
        raise FxsimError(f"{field}: {spec!r}; allowed: {' | '.join(WINDOWS)} or a list of {n} "
                         f"numbers")
    prod = wa * ws
    sums = np.zeros(hop)
    for k in range(0, n, hop):
        seg = prod[k:k + hop]
        sums[: seg.size] += seg
    c = float(sums.mean())
    if c <= 0 or np.max(np.abs(sums - c)) > 1e-6 * abs(c):
        raise FxsimError(f"{field}: {spec if isinstance(spec, str) else 'this window'} with hop "
                         f"{hop} breaks the overlap-add condition (the overlapped analysis x "
                         f"synthesis windows sum to {sums.min():.6g} .. {sums.max():.6g}, not a "
                         f"constant); e.g. sqrt-hann or hann with hop n/2 or n/4")
    return wa, ws / c


def window_ints(w, word: int) -> np.ndarray:
    frac = word - 1
    ints = quantize(w, QFormat(0, frac), "nearest", "saturate").astype(np.int64)
    return np.clip(ints, -(1 << frac) + 1, (1 << frac) - 1)


@nb.njit(cache=True)
def overlap_add(frames, exps, acc, ws, n, hop, word, rounding, overflow, static_exp, out_frac,
                out_bits):
    """Frames of n words (the inverse real FFT's, exponents ``exps``) -> hop output samples each.
    acc (n) carries the overlap across calls. Returns (samples, saturations)."""
    frac = word - 1
    nf = exps.size
    y = np.empty(hop * nf, dtype=np.int64)
    sat = 0
    for f in range(nf):
        # y value = word 2^(E - F) with E = exp + static_exp; y w_s in accumulator units
        # (out_frac + G fraction bits): shift = F + F - E - out_frac - G
        shift = 2 * frac - (exps[f] + static_exp) - out_frac - OLA_GUARD
        for j in range(n):
            acc[j] += P.shr_round(frames[n * f + j] * ws[j], shift, rounding)
        for j in range(hop):
            v, o = P.fit(P.shr_round(acc[j], OLA_GUARD, rounding), out_bits, overflow)
            y[hop * f + j] = v
            sat += o
        acc[: n - hop] = acc[hop:].copy()
        acc[n - hop:] = 0
    return y, sat


class _StftBase(Stage):
    keys = frozenset({"n", "hop", "window", "scaling", "arithmetic"})
    example = {"n": 64}

    def configure(self, opt):
        n = self.key(opt, "n", int)
        if n < N_MIN or n > N_MAX or n & (n - 1):
            raise FxsimError(f"{self.where}.n: {n}; allowed: a power of two from {N_MIN} to {N_MAX}")
        self.n, self.half, self.log2n = n, n // 2, n.bit_length() - 1
        self.hop = self.key(opt, "hop", int, required=False, default=n // 2)
        if not 1 <= self.hop <= n:
            raise FxsimError(f"{self.where}.hop: {self.hop}; allowed: 1 to n = {n}")
        self.scaling_name = opt.get("scaling", "bfp")
        if self.scaling_name not in SCALINGS:
            raise FxsimError(f"{self.where}.scaling: {self.scaling_name!r}; allowed: "
                             f"{' | '.join(SCALINGS)}")
        self.mode = SCALINGS.index(self.scaling_name)
        self.window_spec = opt.get("window", "sqrt-hann")
        wa, ws = window_pair(self.window_spec, n, self.hop, f"{self.where}.window")
        self.wa_float, self.ws_float = wa, ws
        self.word = self.word_of()
        # w_s / C may exceed 1 (C < 1): it gets the exponent that holds it, applied in the
        # overlap-add shift with the frames' own
        peak = float(np.max(np.abs(ws)))
        self.ws_exp = max(0, math.ceil(math.log2(peak * (1 + 2.0 ** (1 - self.word))))) \
            if peak > 0 else 0
        self.wa, self.ws = window_ints(wa, self.word), window_ints(ws * 2.0 ** -self.ws_exp,
                                                                     self.word)
        self.tw = twiddles(n, self.word - 1)
        self.lanes = read_arithmetic(self, opt, self.in_fmt)
        #: the model's mode: the scaling's, or LANES (the real FFT's complex FFT on 16-bit lanes)
        self.model_mode = LANES if self.lanes else self.mode

    def min_input(self):
        return self.n if self.kernel == "stft" else self.half + 1

    def saturation_hint(self, peak):
        if self.kernel == "istft":
            return super().saturation_hint(peak)
        return 'scaling = "bfp" (or "stage") would hold it; an STFT keeps its input format'

    def c_context(self):
        return {"n": self.n, "half": self.half, "log2n": self.log2n, "hop": self.hop,
                "tw": [int(v) for v in self.tw], "mode": self.mode,
                **core_context(self.word), "lanes": int(self.lanes)}


class Stft(_StftBase):
    data_follows_input = True
    kernel = "stft"
    template = "c99/stft.c.j2"
    example_input = "real"

    def word_of(self):
        fmt = self.in_fmt
        if fmt.word_bits not in (16, 32) or fmt.int_bits != 0:
            raise FxsimError(f"{self.where}: input format {fmt}; allowed: Q15 or Q31")
        if "data" in self.spec and QFormat.parse(self.spec["data"]) != QFormat(0, fmt.frac_bits):
            raise FxsimError(f"{self.where}.data: {self.spec['data']!r}; an STFT keeps its input "
                             f"format ({fmt}): omit data")
        self.out_fmt = fmt.scaled(self.log2n if self.mode == STAGE else 0)
        return fmt.word_bits

    accepts = {"real": True, "complex": False, "block_exp": False, "frame": None}

    def output_port(self):
        return Port(self.out_fmt, complex=True, frame=self.half + 1, hop=self.hop,
                    block_exp=self.mode == BFP)

    @property
    def rate(self):
        from fractions import Fraction
        return Fraction(self.half + 1, self.hop)

    def max_out(self, n):
        return ((self.n - 1 + n) // self.hop + 1) * (self.half + 1)

    def init_state(self):
        z = np.zeros(self.n, dtype=np.int64)
        return (z.copy(), z.copy(), z.copy(), np.zeros(1, dtype=np.int64))

    def run(self, x, state):
        y, exps, sat = rfft_stream(x.data, state, self.wa, self.tw, self.n, self.hop, self.word,
                                   self.model_mode, self.rounding, self.overflow)
        return Chunk(y, exps if self.out_port.block_exp else None), int(sat)

    def ref_framing(self):
        return self.n, self.hop

    def reference(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.size < self.n:
            return np.zeros(0)
        starts = np.arange(0, x.size - self.n + 1, self.hop)
        frames = np.stack([x[s:s + self.n] for s in starts]) * self.wa_float
        out = np.fft.rfft(frames, axis=1)
        y = np.empty(2 * out.size)
        y[0::2], y[1::2] = out.real.ravel(), out.imag.ravel()
        return y

    def scaling(self):
        return (f"STFT: frames of {self.n} every {self.hop} inputs of {self.in_fmt}, window "
                f"{self.window_spec if isinstance(self.window_spec, str) else 'given'} in "
                f"Q{self.word - 1} (x w exact, rounded ({self.rounding_name}) to the word), then "
                f"the real FFT, scaling {self.scaling_name}"
                f"{' (its complex FFT on 16-bit lanes)' if self.lanes else ''}: "
                f"{self.n // 2 + 1} bins per frame in "
                f"{self.out_fmt}{', block exponent per frame' if self.mode == BFP else ''}")

    def c_context(self):
        ctx = super().c_context()
        ctx.update({"wa": [int(v) for v in self.wa], "inverse": 0, "in_exp": 0})
        return ctx


class Istft(_StftBase):
    kernel = "istft"
    template = "c99/stft.c.j2"
    example_before = ({"kernel": "stft", "n": 64},)

    def word_of(self):
        fmt = self.in_fmt
        if fmt.word_bits not in (16, 32) or fmt.int_bits != 0:
            raise FxsimError(f"{self.where}: input format {fmt}; allowed: Q15 or Q31 bins")
        self.in_exp = self.in_port.block_exp
        if self.in_port.framed and self.in_port.hop != self.hop:
            raise FxsimError(f"{self.where}.hop: {self.hop}, but its input frames come every "
                             f"{self.in_port.hop} samples; the overlap-add must use the analysis "
                             f"hop: write hop = {self.in_port.hop} (and the same window)")
        # the irfft's own static exponent, plus the input format's (an stft's "stage" 2^log2 n)
        self.static_exp = (1 if self.mode == STAGE else -(self.log2n - 1)) + fmt.scale_exp
        if self.out_fmt.scale_exp:
            raise FxsimError(f"{self.where}.data: a scaled format; write Qm.n")
        return fmt.word_bits

    @property
    def accepts(self):
        return {"real": False, "complex": True, "block_exp": True, "frame": self.half + 1}

    @property
    def rate(self):
        from fractions import Fraction
        return Fraction(self.hop, self.half + 1)

    def max_out(self, n):
        return (self.half + n) // (self.half + 1) * self.hop

    def init_state(self):
        # the inverse real FFT's state (bins, work, fill), then the overlap-add accumulator
        return ((np.zeros(self.n + 2, dtype=np.int64), np.zeros(self.n, dtype=np.int64),
                 np.zeros(1, dtype=np.int64)), np.zeros(self.n, dtype=np.int64))

    def run(self, x, state):
        in_exp = x.exp if self.in_exp and x.exp is not None else np.zeros(0, dtype=np.int64)
        frames, exps, s1 = irfft_stream(x.data, state[0], self.tw, self.n, self.word,
                                        self.model_mode, self.rounding, self.overflow, in_exp,
                                        self.in_exp)
        y, s2 = overlap_add(frames, exps, state[1], self.ws, self.n, self.hop, self.word,
                            self.rounding, self.overflow, self.static_exp + self.ws_exp,
                            self.out_fmt.frac_bits, self.out_fmt.word_bits)
        return Chunk(y), int(s1 + s2)

    def reference(self, x):
        x = np.asarray(x, dtype=np.float64)
        z = x[0::2] + 1j * x[1::2]
        nf = z.size // (self.half + 1)
        frames = np.fft.irfft(z[: nf * (self.half + 1)].reshape(-1, self.half + 1), n=self.n,
                              axis=1) * self.ws_float
        acc = np.zeros((nf - 1) * self.hop + self.n if nf else 0)
        for f in range(nf):
            acc[f * self.hop: f * self.hop + self.n] += frames[f]
        return acc[: nf * self.hop]

    def reference_block(self, x, state):
        # whole frames of bins; the overlap-add's tail (n - hop samples) waits for the next frames
        buf = np.concatenate([state.get("pending", np.zeros(0)), np.asarray(x, dtype=np.float64)])
        words = 2 * (self.half + 1)
        nf = buf.size // words
        state["pending"] = buf[nf * words:]
        tail = state.get("tail", np.zeros(self.n - self.hop))
        if not nf:
            return np.zeros(0)
        z = buf[: nf * words][0::2] + 1j * buf[: nf * words][1::2]
        frames = np.fft.irfft(z.reshape(-1, self.half + 1), n=self.n, axis=1) * self.ws_float
        acc = np.zeros((nf - 1) * self.hop + self.n)
        acc[: tail.size] += tail
        for f in range(nf):
            acc[f * self.hop: f * self.hop + self.n] += frames[f]
        state["tail"] = acc[nf * self.hop:]
        return acc[: nf * self.hop]

    def scaling(self):
        return (f"ISTFT: frames of {self.half + 1} bins of {self.in_fmt} through the inverse real "
                f"FFT (scaling {self.scaling_name}"
                f"{', its complex FFT on 16-bit lanes' if self.lanes else ''}), times the "
                f"synthesis window in "
                f"Q{self.word - 1} (exact), overlap-added in a 64-bit accumulator with "
                f"{self.out_fmt.frac_bits + OLA_GUARD} fraction bits (each frame rounded "
                f"({self.rounding_name}) into it, its exponent applied), {self.hop} samples per "
                f"frame rounded ({self.rounding_name}), then {'wrapped' if self.overflow_name == 'wrap' else 'saturated'} to {self.out_fmt}")

    def c_context(self):
        ctx = super().c_context()
        ctx.update({"ws": [int(v) for v in self.ws], "inverse": 1, "in_exp": int(self.in_exp),
                    "static_exp": self.static_exp + self.ws_exp, "ola_guard": OLA_GUARD,
                    "out_port_frac": self.out_fmt.frac_bits})
        return ctx
