"""gain: y[n] = g x[n].

Scaling: x in the input format (f_x fraction bits), g quantized (round to nearest) to a coefficient
word of 16 bits when input and output words are <= 16 bits and 32 bits otherwise, by the one
coefficient policy
(``fxsim.coefs``: the whole word, f_g fraction bits, a post-shift for small gains; ``coef`` gives the
word size, 2..32, or fixes the format, e.g. "Q1.14"). The product x g is exact in 64 bits with
f_x + f_g fraction bits (in 32 bits in the generated C where it and the rounding carry provably
fit them, as with 16-bit samples and coefficients and a shift <= 30); it is shifted right by
f_x + f_g - f_y with the design's rounding and saturated (or wrapped) to the output word.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from .. import coefs
from .. import primitives as P
from ..errors import FxsimError
from .base import Stage


@nb.njit(cache=True)
def gain_process(x, g, shift, out_bits, rounding, overflow):
    """y = fit(round((x * g) / 2**shift)); returns (y, overflow count)."""
    y = np.empty_like(x)
    n_ovf = 0
    for i in range(x.size):
        v, o = P.fit(P.mul_round(x[i], g, shift, rounding), out_bits, overflow)
        y[i] = v
        n_ovf += o
    return y, n_ovf


class Gain(Stage):
    kernel = "gain"
    example = {"gain": -0.7071}
    keys = frozenset({"gain", "coef"})
    default_keys = frozenset({"coef"})
    template = "c99/gain.c.j2"

    def configure(self, opt):
        self.gain = self.key(opt, "gain")
        word, fixed = self.coef_option(
            opt, 16 if max(self.in_fmt.word_bits, self.out_fmt.word_bits) <= 16 else 32)
        # the output shift f_x + f_g - f_y stays <= 62 (the primitives' largest exact shift)
        self.coef = coefs.quantize_coefs([self.gain], word, fixed,
                                         f"{self.where}.{'coef' if fixed else 'gain'}",
                                         max_frac=62 + self.out_fmt.frac_bits - self.in_fmt.frac_bits)
        self.coef_fmt = self.coef.fmt
        self.g_int = int(self.coef.ints[0])
        self.shift = self.in_fmt.frac_bits + self.coef.frac - self.out_fmt.frac_bits
        # a left shift (shift < 0) of the exact product must stay inside int64
        prod_bits = self.in_fmt.word_bits + self.coef_fmt.word_bits - 1
        if prod_bits - self.shift > 63:
            raise FxsimError(f"{self.where}: gain {self.gain:g} from {self.in_fmt} to "
                             f"{self.out_fmt} needs a {prod_bits - self.shift}-bit product; "
                             f"use an output format with fewer fraction bits")
        # the generated C multiplies in 32 bits where every product, rounding carry included,
        # fits them (16-bit samples and coefficients): the same values as the model's
        x_peak = max(-self.in_fmt.min_int, self.in_fmt.max_int)
        self.prod32 = 0 <= self.shift <= 30 and \
            x_peak * abs(self.g_int) <= (1 << 31) - (1 << self.shift)

    def process(self, x, state):
        y, n = gain_process(x, self.g_int, self.shift, self.out_fmt.word_bits, self.rounding,
                            self.overflow)
        return y, n

    def reference(self, x):
        return self.gain * x

    def scaling(self):
        prod_bits = self.in_fmt.word_bits + self.coef.word - 1
        prod_frac = self.in_fmt.frac_bits + self.coef.frac
        return (f"gain {self.gain:g} as {self.g_int} in {self.coef.describe()}; x {self.in_fmt} * "
                f"g -> exact {prod_bits}-bit product with {prod_frac} fraction bits (in "
                f"{32 if self.prod32 else 64} bits); "
                f"shift right {self.shift} with "
                f"rounding {self.rounding_name}; {self.overflow_name} to {self.out_fmt}")

    def c_context(self):
        return {"g": self.g_int, "shift": self.shift, "prod32": int(self.prod32)}
