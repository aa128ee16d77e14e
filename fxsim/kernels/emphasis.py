"""preemph: y[n] = x[n] - c x[n-1];  deemph: y[n] = x[n] + c y[n-1].

Scaling: c is quantized (round to nearest) to a 16-bit coefficient word for data words <= 16 and
32 bits otherwise (one bit less per bit the 64-bit accumulator would lack, down to 16), with the
fewest integer bits that hold |c| (f_c fraction bits). Both terms are
formed exactly in a 64-bit accumulator with f_m + f_c fraction bits, f_m being the memory term's
(f_x for preemph, whose memory is x[n-1]; f_y for deemph, whose memory is y[n-1]): x[n] is aligned
by a left shift and the product c * memory is exact. The sum is shifted right to f_y fraction bits
with the design's rounding, then saturated (or wrapped) to the output word. The state is the memory
term, so any split into blocks gives the same output.
"""
from __future__ import annotations

import numba as nb
import numpy as np
from scipy import signal

from .. import primitives as P
from ..errors import FxsimError
from ..qformat import quantize
from .base import Stage, coef_format


@nb.njit(cache=True)
def emphasis_process(x, state, c, x_align, c_shift, recursive, out_bits, rounding, overflow):
    """One loop for both filters: acc = x[n] * 2**x_align + c * m (exact), with the signed
    coefficient c (-coef for preemph, +coef for deemph) and the memory term m = x[n-1] (preemph)
    or y[n-1] (deemph, recursive); y[n] = fit(round(acc / 2**c_shift)).
    state[0] holds m across calls. Returns (y, overflow count)."""
    y = np.empty_like(x)
    m = state[0]
    n_ovf = 0
    for i in range(x.size):
        acc = P.mac_exact(P.shr_round(x[i], -x_align, rounding), c, m)
        v, o = P.fit(P.shr_round(acc, c_shift, rounding), out_bits, overflow)
        y[i] = v
        n_ovf += o
        m = v if recursive else x[i]
    state[0] = m
    return y, n_ovf


class _Emphasis(Stage):
    keys = frozenset({"coef"})
    template = "c99/emphasis.c.j2"
    recursive = False

    def configure(self, opt):
        self.coef = self.key(opt, "coef")
        if not -1.0 < self.coef < 1.0 and self.recursive:
            raise FxsimError(f"{self.where}.coef: {self.coef:g} makes the filter unstable; "
                             f"allowed: -1 < coef < 1")
        widest = 16 if max(self.in_fmt.word_bits, self.out_fmt.word_bits) <= 16 else 32
        # the widest coefficient word (down to 16 bits) whose terms stay exact in 64 bits
        for word in range(widest, 15, -1):
            if self._plan(word):
                break
        else:
            raise FxsimError(f"{self.where}: cannot align {self.in_fmt} to {self.out_fmt} in a "
                             f"64-bit accumulator; use formats with closer fraction bits")

    def _plan(self, word: int) -> bool:
        """Coefficient and shifts for a ``word``-bit coefficient; False if a term could leave
        the 64-bit accumulator."""
        self.coef_fmt = coef_format([self.coef], word, f"{self.where}.coef")
        self.c_int = int(quantize(self.coef, self.coef_fmt, "nearest"))
        self.c_signed = self.c_int if self.recursive else -self.c_int  # acc = ... + c_signed * m
        fc = self.coef_fmt.frac_bits
        # the accumulator has the memory term's fraction bits plus f_c: f_x + f_c for preemph
        # (memory x[n-1]), f_y + f_c for deemph (memory y[n-1]); x[n] is aligned to it
        acc_frac = (self.out_fmt.frac_bits if self.recursive else self.in_fmt.frac_bits) + fc
        self.x_align = acc_frac - self.in_fmt.frac_bits
        self.c_shift = acc_frac - self.out_fmt.frac_bits
        # both terms and their sum must be exact in 64 bits: |x << x_align| < 2^a, |c m| < 2^b
        mem_bits = (self.out_fmt if self.recursive else self.in_fmt).word_bits
        a = self.in_fmt.word_bits - 1 + self.x_align
        b = self.coef_fmt.word_bits - 1 + mem_bits - 1
        return self.x_align >= 0 and self.c_shift >= 0 and max(a, b) + 1 <= 63

    def init_state(self):
        return np.zeros(1, dtype=np.int64)

    def process(self, x, state):
        y, n = emphasis_process(x, state, self.c_signed, self.x_align, self.c_shift, self.recursive,
                                self.out_fmt.word_bits, self.rounding, self.overflow)
        self.check_overflow(n)
        return y, n

    def scaling(self):
        mem = "y[n-1]" if self.recursive else "x[n-1]"
        return (f"coef {self.coef:g} as {self.c_int} in {self.coef_fmt}; acc (64-bit, "
                f"{self.out_fmt.frac_bits + self.c_shift} fraction bits) = x[n] << {self.x_align} "
                f"{'+' if self.recursive else '-'} c * {mem} (exact); shift right {self.c_shift} with "
                f"rounding {self.rounding_name}; {self.overflow_name} to {self.out_fmt}")

    def c_context(self):
        return {"c": self.c_signed, "x_align": self.x_align, "c_shift": self.c_shift,
                "recursive": int(self.recursive)}


class Preemph(_Emphasis):
    kernel = "preemph"

    def reference(self, x):
        return signal.lfilter([1.0, -self.coef], [1.0], x)


class Deemph(_Emphasis):
    kernel = "deemph"
    recursive = True

    def reference(self, x):
        return signal.lfilter([1.0], [1.0, -self.coef], x)
