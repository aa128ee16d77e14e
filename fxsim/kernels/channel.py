"""vad / ns: the channel-energy VAD and noise suppressor of the EVRC speech codec as design stages.

The algorithm and its constants: ``channel_ref.py`` (the float64 reference); the fixed-point
model and its formats: ``channel_fixed.py``. Both stages run the same analysis on frames of 80
samples (10 ms at 8 kHz):

* ``ns`` outputs the suppressed samples, 24 samples late (the standard's overlap);
* ``vad`` outputs its input, 24 samples late (every gain is 1): exactly for a Q15 output with
  rounding "nearest" or "convergent" (the model's error stays below half an LSB); other roundings
  or formats may differ from the input by one LSB of the output.

Ports. Input: a real Q15 stream (the standard's 16-bit samples; the design's rate should be
8000 Hz). Output: real frames of 80 samples (back to back: a stream in effect) in the stage's
``data`` format (default Q15; Q31 or Q1.30 keep the output's precision), rounded and saturated.
Per frame, side outputs (16-bit integers): ``speech`` (vm_sum > 35), ``vm_sum``, ``update`` (the
noise estimate updated), ``update_cnt`` and ``snr_index0`` .. ``snr_index15`` (each channel's SNR
in 0.375 dB steps).
"""
from __future__ import annotations

import numpy as np

from .. import primitives as P
from ..errors import FxsimError
from ..ports import Chunk, Port, Side
from ..qformat import QFormat
from . import channel_fixed as F
from . import channel_ref as R
from .base import Stage
from .fft import core_context, radix_plan

SIDES = tuple(Side(name, 16) for name in R.FRAME_COLUMNS)


class _Channel(Stage):
    keys = frozenset()
    template = "c99/channel.c.j2"
    formats = ("Q15",)
    runtime = ("fxsim_math.h", "fxsim_tables.h", "fxsim_math.c")
    suppress = True
    sample_rate = 8000
    decides = True

    def configure(self, opt):
        if self.in_fmt != QFormat(0, 15):
            raise FxsimError(f"{self.where}: input format {self.in_fmt}; allowed: Q15 (the "
                             f"standard's 16-bit samples)")
        if self.out_fmt.word_bits not in (16, 32):
            raise FxsimError(f"{self.where}.data: '{self.out_fmt}'; allowed: a 16- or 32-bit "
                             f"format (Q15, Q31, Q1.30, ...)")
        if self.overflow_name == "wrap":
            raise FxsimError(f"{self.where}.overflow: 'wrap'; allowed: saturate | error (the "
                             f"output saturates)")

    def output_port(self):
        return Port(self.out_fmt, frame=R.FRM_LEN, hop=R.FRM_LEN, side=SIDES)

    def max_out(self, n):
        return (R.FRM_LEN - 1 + n) // R.FRM_LEN * R.FRM_LEN

    def min_input(self):
        return R.FRM_LEN

    def init_state(self):
        return F.ChannelNsFixed(self.suppress, self.rounding, self.out_fmt.frac_bits,
                                self.out_fmt.word_bits)

    def run(self, x, state):
        sat0 = state.saturations
        y, flags = state.process(x.data)
        side = {s.name: flags[:, i].copy() for i, s in enumerate(SIDES)}
        return Chunk(y, None, side), int(state.saturations - sat0)

    def reference(self, x):
        return R.ChannelNs(suppress=self.suppress).process(np.asarray(x, dtype=np.float64))[0]

    def reference_block(self, x, state):
        if "ns" not in state:
            state["ns"] = R.ChannelNs(suppress=self.suppress)
        return state["ns"].process(np.asarray(x, dtype=np.float64))[0]

    def scaling(self):
        what = ("suppressed samples" if self.suppress else
                "the input samples (every gain 1)")
        return (f"channel-energy {'noise suppressor' if self.suppress else 'VAD'} (EVRC), frames "
                f"of 80 Q15 samples: pre-emphasis in Q22 units (0.8 in Q30), the window's "
                f"edges in Q24, normalised into 32-bit words, 128-point real FFT (64-point "
                f"complex, {radix_plan(64)}, block floating point); channel energies int64 in Q16 "
                f"of 16-bit units (exact sums of the bins' top 24 bits, divided by the bin count, "
                f"rounded), smoothing constants in Q31, dB in Q24 by the table log"
                f"{', gains in Q15 by 10^(x/20)' if self.suppress else ' (no gain applied)'}; "
                f"inverse real FFT, overlap-add and de-emphasis in Q8 units; "
                f"output: {what}, 24 samples late, rounded ({self.rounding_name}) and saturated "
                f"to {self.out_fmt}; per frame the speech flag, vm_sum, update flag, update count "
                f"and 16 SNR indices")

    def saturation_hint(self, peak):
        return super().saturation_hint(peak)

    def c_context(self):
        fft = {"n": R.FFT_LEN, "half": R.FFT_LEN // 2, "log2n": 7, "mode": 1, "inverse": 0,
               "in_exp": 0, "in_ctype": "int32_t", "tw": [int(v) for v in F.twiddles(
                   R.FFT_LEN, F.WORD - 1)], "sguard": 28, "rounding": self.rounding_c,
               "overflow": "FX_SATURATE", **core_context(F.WORD)}
        fft["sguard"] = min(F.WORD - 1, 28)
        return {"fft": fft, "suppress": int(self.suppress),
                "win": [int(v) for v in F.window_edge()],
                "lo": [a for a, _ in R.CHANNELS], "hi": [b for _, b in R.CHANNELS],
                "vm": list(R.VM_TABLE), "out_frac": self.out_fmt.frac_bits,
                "c": {k: getattr(F, k) for k in (
                    "PRE_EMP_Q30", "PRE_FRAC", "WIN_FRAC", "DATA_FRAC", "OLA_FRAC", "SMOOTH_Q31",
                    "NOISE_Q31", "DB_FRAC", "MIN_ENRG_Q16", "INE_Q16", "SNR_OFFSET", "SNR_STEP",
                    "ALPHA_HIGH", "ALPHA_LOW", "ALPHA_SLOPE", "HIGH_TCE_DB", "DEV_THLD",
                    "NOISE_FLOOR_Q16", "GAIN_SLOPE", "MIN_GAIN", "DB_2")},
                "r": {k: getattr(R, k) for k in (
                    "FRM_LEN", "DELAY", "FFT_LEN", "NUM_CHAN", "WINDOW_LEN", "OVERLAP",
                    "INIT_FRAMES", "UPDATE_THLD", "METRIC_THLD", "UPDATE_CNT_THLD",
                    "HYSTER_CNT_THLD", "MID_CHAN", "INDEX_THLD", "INDEX_CNT_THLD",
                    "SETBACK_THLD", "SNR_THLD", "MAX_INDEX")}}


class Ns(_Channel):
    kernel = "ns"


class Vad(_Channel):
    kernel = "vad"
    suppress = False
