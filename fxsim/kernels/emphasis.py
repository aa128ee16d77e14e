"""preemph: y[n] = x[n] - c x[n-1];  deemph: y[n] = x[n] + c y[n-1].

Scaling: c is quantized (round to nearest) to a 16-bit coefficient word for data words <= 16 and
32 bits otherwise (one bit less per bit the 64-bit accumulator would lack, down to 16), by the one
coefficient policy (``fxsim.coefs``: the whole word, f_c fraction bits). Both terms are
formed exactly in a 64-bit accumulator (the generated C's is 32 bits wide where the terms'
extremes, the residual and the rounding carry provably fit, as for 16-bit data and a 16-bit
coefficient: the same values) with f_m + f_c fraction bits, f_m being the memory term's
(f_x for preemph, whose memory is x[n-1]; f_y for deemph, whose memory is y[n-1]): x[n] is aligned
by a left shift and the product c * memory is exact. The sum is shifted right to f_y fraction bits
with the design's rounding, then saturated (or wrapped) to the output word. The state is the memory
term, so any split into blocks gives the same output.

Error feedback (deemph, ``error_feedback = true``, the default): the rounding residual
e[n] = acc - round(acc / 2^s) 2^s is added to the next accumulator, so the output error is the
rounding noise shaped by (1 - z^-1) / (1 - c z^-1) instead of 1 / (1 - c z^-1): its noise gain
falls from 1 / (1 - c^2) to 2 / (1 + c) (2.8 -> 1.1 for c = 0.8, and no DC gain), and the
zero-input limit cycle of the rounded recursion (round(0.8 * 2) = 2 holds a tail at +-2 LSB
forever) dies out. One add per sample; e fits s + 1 bits. ``error_feedback = false`` gives the
plain recursion (as speech-codec standards write it).
"""
from __future__ import annotations

import numba as nb
import numpy as np

from .. import coefs
from .. import primitives as P
from ..errors import FxsimError
from .base import Stage, lfilter_block


@nb.njit(cache=True)
def emphasis_process(x, state, c, x_align, c_shift, recursive, feedback, out_bits, rounding,
                     overflow):
    """One loop for both filters: acc = x[n] * 2**x_align + c * m + k e[n-1] (exact), with the
    signed coefficient c (-coef for preemph, +coef for deemph), the memory term m = x[n-1]
    (preemph) or y[n-1] (deemph, recursive) and k = 1 with error feedback (else 0);
    q = round(acc / 2**c_shift), e[n] = acc - q 2**c_shift, y[n] = fit(q).
    state holds (m, e) across calls. Returns (y, overflow count)."""
    y = np.empty_like(x)
    m, e = state[0], state[1]
    unit = -(np.int64(1) << c_shift)
    n_ovf = 0
    for i in range(x.size):
        acc = P.mac_exact(P.shr_round(x[i], -x_align, rounding), c, m)
        acc = P.mac_exact(acc, feedback, e)
        q = P.shr_round(acc, c_shift, rounding)
        e = P.mac_exact(acc, q, unit)               # residual acc - q 2^s, exact
        v, o = P.fit(q, out_bits, overflow)
        y[i] = v
        n_ovf += o
        m = v if recursive else x[i]
    state[0], state[1] = m, e
    return y, n_ovf


class _Emphasis(Stage):
    keys = frozenset({"coef"})
    template = "c99/emphasis.c.j2"
    recursive = False

    def configure(self, opt):
        self.coef = self.key(opt, "coef")
        self.feedback = bool(self.recursive and self.key(opt, "error_feedback", bool,
                                                         required=False, default=True))
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
        self.coef_q = coefs.quantize_coefs([self.coef], word, None, f"{self.where}.coef")
        self.coef_fmt = self.coef_q.fmt
        self.c_int = int(self.coef_q.ints[0])
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
        # + the residual (|e| <= 2^c_shift): one more bit in the sum
        if not (self.x_align >= 0 and self.c_shift >= 0 and max(a, b, self.c_shift) + 2 <= 63):
            return False
        self.acc_bound = self._acc_bound()
        # the generated C sums in 32 bits where no accumulator, rounding carry included, can leave
        # them (the same values as the model's 64-bit sums)
        self.acc32 = self.c_shift <= 30 and self.acc_bound <= (1 << 31) - (1 << self.c_shift)
        # else a 64-bit sum, but the rounded q = acc / 2^c_shift in 32 bits where it fits them
        self.q32 = (self.acc_bound >> self.c_shift) + 1 < 1 << 31
        return True

    def _acc_bound(self) -> int:
        """The largest |acc| = |x << x_align + c m + e|: the terms' exact extremes over the input
        and memory words, |e| < 2^c_shift (the rounding residual, with error feedback only)."""
        mem = self.out_fmt if self.recursive else self.in_fmt
        x_ext = [v << self.x_align for v in (self.in_fmt.min_int, self.in_fmt.max_int)]
        cm_ext = [self.c_signed * v for v in (mem.min_int, mem.max_int)]
        e = (1 << self.c_shift) - 1 if self.feedback else 0
        return max(abs(min(x_ext) + min(cm_ext)), abs(max(x_ext) + max(cm_ext))) + e

    def init_state(self):
        return np.zeros(2, dtype=np.int64)

    def response(self, w):
        from scipy import signal           # at use: its import is 0.8 s of a command's start-up
        c_q = self.c_int / 2.0 ** self.coef_fmt.frac_bits
        ba = (lambda c: ([1.0], [1.0, -c])) if self.recursive else (lambda c: ([1.0, -c], [1.0]))
        return signal.freqz(*ba(self.coef), worN=w)[1], signal.freqz(*ba(c_q), worN=w)[1]

    def process(self, x, state):
        return emphasis_process(x, state, self.c_signed, self.x_align, self.c_shift,
                                self.recursive, int(self.feedback), self.out_fmt.word_bits,
                                self.rounding, self.overflow)

    def scaling(self):
        mem = "y[n-1]" if self.recursive else "x[n-1]"
        return (f"coef {self.coef:g} as {self.c_int} in {self.coef_q.describe()}; acc "
                f"({32 if self.acc32 else 64}-bit, "
                f"{self.out_fmt.frac_bits + self.c_shift} fraction bits) = x[n] << {self.x_align} "
                f"{'+' if self.recursive else '-'} c * {mem}"
                f"{' + e[n-1] (error feedback)' if self.feedback else ''} (exact); shift right "
                f"{self.c_shift} with rounding {self.rounding_name}; {self.overflow_name} to "
                f"{self.out_fmt}")

    def c_context(self):
        return {"c": self.c_signed, "x_align": self.x_align, "c_shift": self.c_shift,
                "recursive": int(self.recursive), "feedback": int(self.feedback),
                "acc32": int(self.acc32), "q32": int(self.q32),
                "e_type": "int32_t" if self.c_shift <= 30 else "int64_t"}


class Preemph(_Emphasis):
    kernel = "preemph"
    example = {"coef": 0.68}

    def reference(self, x):
        from scipy import signal
        return signal.lfilter([1.0, -self.coef], [1.0], x)

    def reference_block(self, x, state):
        return lfilter_block([1.0, -self.coef], [1.0], np.asarray(x, dtype=np.float64), state)


class Deemph(_Emphasis):
    kernel = "deemph"
    example = {"coef": 0.68}
    keys = frozenset({"coef", "error_feedback"})
    recursive = True

    def reference(self, x):
        from scipy import signal
        return signal.lfilter([1.0], [1.0, -self.coef], x)

    def reference_block(self, x, state):
        return lfilter_block([1.0], [1.0, -self.coef], np.asarray(x, dtype=np.float64), state)
