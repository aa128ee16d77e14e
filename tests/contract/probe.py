"""A stage kind that exists only to exercise the port contract end to end (model, reference,
harness, verify): a real stream in, complex frames out with a block exponent and a side output.

frame_probe: every ``n`` input samples form a frame; the frame is normalised (shifted left by the
redundant sign bits of its peak, so its largest sample uses the whole word) and written as complex
samples (x << s, -(x << s)), saturated; the block exponent is -s (the frame's value is its words
times 2^-s, i.e. x again) and the side output ``peak`` is the frame's largest |x| in input LSBs.
"""
from __future__ import annotations

from pathlib import Path

import numba as nb
import numpy as np

from fxsim import primitives as P
from fxsim.errors import FxsimError
from fxsim.kernels.base import Stage
from fxsim.ports import Chunk, Port, Side


@nb.njit(cache=True)
def _frames(buf, fill, x, n, bits, overflow):
    """Append x to the partial frame buf[:fill]; returns (y, exps, peaks, new fill, saturations)
    for the frames completed."""
    total = fill + x.size
    nf = total // n
    y = np.empty(2 * nf * n, dtype=np.int64)
    exps = np.empty(nf, dtype=np.int64)
    peaks = np.empty(nf, dtype=np.int64)
    sat = 0
    k = 0
    for i in range(x.size):
        buf[fill] = x[i]
        fill += 1
        if fill == n:
            peak = np.int64(0)
            for j in range(n):
                a = buf[j] if buf[j] >= 0 else -buf[j]
                if a > peak:
                    peak = a
            s = 0 if peak == 0 else P.norm(peak, bits)
            for j in range(n):
                v = P.shr_round(buf[j], -s, P.FLOOR)
                a, o1 = P.fit(v, bits, overflow)
                b, o2 = P.fit(-v, bits, overflow)
                y[2 * (k * n + j)] = a
                y[2 * (k * n + j) + 1] = b
                sat += o1 + o2
            exps[k] = -s
            peaks[k] = peak
            k += 1
            fill = 0
    return y, exps, peaks, fill, sat


class FrameProbe(Stage):
    kernel = "frame_probe"
    keys = frozenset({"n"})
    template = "probe.c.j2"
    template_dir = Path(__file__).resolve().parent

    def configure(self, opt):
        self.n = self.key(opt, "n", int)
        if not 1 <= self.n <= 1024:
            raise FxsimError(f"{self.where}.n: {self.n}; allowed: 1 to 1024")
        if self.out_fmt != self.in_fmt:
            raise FxsimError(f"{self.where}.data: must equal the input format {self.in_fmt}")

    def output_port(self):
        return Port(self.out_fmt, complex=True, frame=self.n, hop=self.n, block_exp=True,
                    side=(Side("peak", 32),))

    def max_out(self, n):
        return (self.n - 1 + n) // self.n * self.n

    def init_state(self):
        return [np.zeros(self.n, dtype=np.int64), np.zeros(1, dtype=np.int64)]

    def run(self, x, state):
        buf, fill = state
        y, exps, peaks, f, sat = _frames(buf, int(fill[0]), x.data, self.n,
                                         self.out_fmt.word_bits, self.overflow)
        fill[0] = f
        return Chunk(y, exps, {"peak": peaks}), int(sat)

    def reference(self, x):
        out = np.empty(2 * len(x))
        out[0::2], out[1::2] = x, -np.asarray(x)
        return out

    def scaling(self):
        return (f"frames of {self.n}: shifted left by the redundant sign bits of the frame's peak "
                f"(exact), negated copy saturated to {self.out_fmt}; block exponent = -shift")

    def c_context(self):
        return {"n": self.n}
