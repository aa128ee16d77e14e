"""biquad: a cascade of second-order sections, Direct Form I, that orders, scales and checks itself.

Design keys: ``sos`` (rows [b0 b1 b2 a0 a1 a2], as scipy.signal gives them), ``sos_file`` (.npy,
relative to the design file) or ``design = { method = "butter" | "cheby1" | "cheby2" | "ellip" |
"bessel", order, wn, btype = "low", rp, rs, fs }`` (scipy.signal.iirfilter, output="sos");
optional ``coef`` (one Q format for every coefficient, or a word size 2..32 whose formats fxsim
chooses per section) and ``acc_bits`` (32, 40 or 64).
The float reference is ``scipy.signal.sosfilt`` of the sos as written (a0 normalised); streamed
block by block (quantize, propose) it is the same recursion compiled with numba (``base.sosfilt``).

Structure. Every section is Direct Form I, for 16-bit and 32-bit data alike:
    acc = floor((b0 x[n] + b1 x[n-1] + b2 x[n-2]) / 2^ps)
          - a1 y[n-1] - a2 y[n-2] - k1 e[n-1] - k2 e[n-2]
    y[n] = fit(round(acc / 2^s)),  e[n] = acc - round(acc / 2^s) 2^s
DF1 rather than DF2T (also for Q31): its only rounding point and its only stored nodes are the
section's input and output, whose ranges the gain scaling below controls exactly, so the
accumulator is the only wide register and nothing inside a section can overflow; DF2T's states
are intermediate sums with ranges of their own that would need 64-bit storage and a second
rounding point. e[n] is the rounding residual and (k1, k2) small integers (error feedback, see
below), so the extra cost is two adds/shifts per sample.

Scaling (Q formats). Data x, y in the stage's word; the nodes between sections use the output
word with no integer bits (Q15 or Q31). Coefficients: a 16-bit word for 16-bit data, 32-bit for
32-bit data, with fraction bits chosen per section from its magnitudes (f_b for b0..b2, f_a for
a1, a2: the most that fit the word; |a1| < 2 gives Q1.14-style a's, small b's get more fraction
bits) unless ``coef`` fixes one format. Products are exact; the accumulator has acc_bits (32 or 40
for 16-bit coefficients, 64 for 32-bit ones) and ``acc_frac`` fraction bits; a y is aligned to it
by an exact left shift (folded into the constants). The numerator sum keeps all f_b fraction bits
of the b's: when b x has fewer than acc_frac the b's are shifted left (exact); when it has more
(small b's of narrowband sections, 32-bit data) the sum is shifted right by ps with floor before
a y is added, an error of one accumulator LSB (2^-acc_frac), far below the output's. acc_frac is
the largest for which sum |coef| * full scale + the error-feedback term provably fits the
accumulator, so no partial sum can overflow (the adds need no saturation). The output is the
accumulator shifted right by s = acc_frac - f_y, rounded by a carry that starts the accumulator
(``primitives.round_carry``: nearest and convergent to nearest with ties up, the s - 1 bits
below the half making ties rare; ceil, floor; zero its own way), then saturated (or wrapped) to
the section's output word; saturations are counted. The error-feedback residual e is the
accumulator less the carry less q 2^s.

Automatic ordering and gain scaling (L1 norm). The overall gain is spread over the sections so
that the transfer function from the stage input to every intermediate node has an L1 norm
(sum |h[n]|, the largest output for any input bounded by full scale) of 0.999: no intermediate node
can overflow for ANY input, not only for sinusoids (L-infinity) or white noise (L2); on lowpass
designs L1 and L-infinity differ by well under 1 dB at the intermediate nodes, and full-scale
square waves and steps are common test inputs. The last section keeps the remaining gain, so the
cascade's transfer function is the design's, unchanged. The section order is the one that
minimises the predicted output noise (sum over sections of the rounding noise times the power
gain from that node to the output, with its error feedback), found by dynamic programming over
subsets of sections (exact for up to 8 sections; longer cascades are ordered greedily).

Error feedback. (k1, k2) per section is chosen from {-2..2} x {0, 1} to minimise the noise power
gain |K(z) / A(z) * rest of cascade|^2, K = 1 + k1 z^-1 + k2 z^-2; (0, 0) means none. For poles
near z = 1 (narrowband lowpass) K = (1 - z^-1)^2 removes the 1/A noise amplification that would
otherwise cost 30-40 dB; for well-damped sections none is chosen and no code is emitted for it.

Coefficient width (16-bit data, ``coef`` not given). A section is widened to 32-bit coefficients
(64-bit accumulator: 32 x 16 products, as a DSP's 32x16 MAC) when its 16-bit version is unstable,
or, greedily, while the SNR of the whole cascade's coefficient-quantization error on a white input
is below both 90 dB and the predicted rounding-noise SNR less 6 dB (narrowband designs). With
``coef`` given nothing is widened.

Wider state (16-bit data, ``coef`` not given). When the predicted SNR with 16-bit intermediate
nodes (white noise at -10 dBFS) is below 72 dB and 32-bit nodes predict at least 6 dB more (long
cascades of high-Q sections), the nodes between sections are Q31 and every section has 32-bit
coefficients and a 64-bit accumulator; input and output keep their formats.

Stability. A float design with a pole on or outside the unit circle is an error; so is a
quantized section outside the stability triangle (|a2| < 1, |a1| < 1 + a2, checked on integers),
naming the section (its sos row) and the remedy (a wider coefficient format).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from .. import coefs
from .. import primitives as P
from ..analysis import stability as S
from ..errors import FxsimError
from ..qformat import QFormat, quantize
from .base import Stage, sosfilt

METHODS = ("butter", "cheby1", "cheby2", "ellip", "bessel")
DESIGN_KEYS = {"method", "order", "wn", "btype", "rp", "rs", "fs"}
BTYPES = ("low", "high", "band", "bandpass", "bandstop", "lowpass", "highpass")
#: error-feedback candidates (k1, k2)
EF_CANDIDATES = tuple((k1, k2) for k2 in (0, 1) for k1 in (0, -1, 1, -2, 2))
#: the L1 norm every intermediate node is scaled to (a hair under full scale: coefficient
#: rounding moves the gain by a few LSBs)
NODE_PEAK = 0.999
#: widen 16-bit coefficients while their quantization costs more than this (dB, white input)
WIDEN_BELOW_DB = 90.0
#: error feedback where it lowers a section's output noise by at least this much
EF_MIN_GAIN_DB = 1.0
#: widening also stops once the coefficient error's SNR is within this of the predicted
#: rounding-noise SNR (whichever of the two limits is lower applies): 16-bit coefficients (one
#: dual MAC per two taps on the Cortex-M4, against three multiplies for 32 x 16 bits) are kept
#: while their error stays near the noise the cascade makes anyway
WIDEN_MARGIN_DB = 6.0
#: acc_bits not given (16-bit data and coefficients): a 32-bit accumulator (single-word dual MACs
#: on the M4) when every section fits one with its accumulator LSB at least 2^8 below the
#: output's (the floor of the numerator and the residual then cost nothing measurable), else 40
ACC32_MIN_SHIFT = 8
MAX_DP_SECTIONS = 8
#: 16-bit data: use 32-bit intermediate nodes when 16-bit ones predict less than this (dB, white
#: noise at -10 dBFS) and 32-bit ones predict at least 6 dB more
WIDE_STATE_BELOW_DB = 72.0


class Plan(NamedTuple):
    """Execution order (sos rows), the gain multiplying each executed section's numerator (their
    product is 1), error feedback (k1, k2) per executed section, the predicted output noise power
    and the predicted SNR for white noise at -10 dBFS."""
    order: list
    gains: list
    efs: list
    noise: float
    snr_db: float


@nb.njit(cache=True)
def biquad_process(x, consts, shifts, out_bits, state, rounding, overflow):
    """Run the cascade, section after section, over the whole block.

    consts[k] = (B0, B1, B2, -A1, -A2, -k1, -k2): integer constants (left alignment shifts
    folded in); shifts[k] = (ps, s): the numerator sum is shifted right by ps (floor) into
    accumulator units, the accumulator by s to the output, rounded by ``P.round_carry``: its
    carry c is the accumulator's start (c 2^ps, so that the floor shift keeps it whole), and the
    output one shift; e = acc - c - q 2^s, the rounding residual;
    out_bits[k] = the section's output word.
    state[k] = (x[n-1], x[n-2], y[n-1], y[n-2], e[n-1], e[n-2]). Returns (y, overflow count)."""
    y = x.copy()
    n_ovf = 0
    for k in range(consts.shape[0]):
        b0, b1, b2 = consts[k, 0], consts[k, 1], consts[k, 2]
        na1, na2, nk1, nk2 = consts[k, 3], consts[k, 4], consts[k, 5], consts[k, 6]
        ps, s = shifts[k, 0], shifts[k, 1]
        bits = out_bits[k]
        unit = -(np.int64(1) << s)
        carry, mode = P.round_carry(rounding, s)
        start = carry << ps
        x1, x2, y1, y2 = state[k, 0], state[k, 1], state[k, 2], state[k, 3]
        e1, e2 = state[k, 4], state[k, 5]
        for i in range(y.size):
            x0 = y[i]
            acc = P.mac_exact(start, b0, x0)
            acc = P.mac_exact(acc, b1, x1)
            acc = P.mac_exact(acc, b2, x2)
            acc = P.shr_round(acc, ps, P.FLOOR)
            acc = P.mac_exact(acc, na1, y1)
            acc = P.mac_exact(acc, na2, y2)
            acc = P.mac_exact(acc, nk1, e1)
            acc = P.mac_exact(acc, nk2, e2)
            q = P.shr_round(acc, s, mode)
            e0 = P.mac_exact(acc - carry, q, unit)  # residual acc - c - q * 2^s, exact
            v, o = P.fit(q, bits, overflow)
            n_ovf += o
            y[i] = v
            x2, x1 = x1, x0
            y2, y1 = y1, v
            e2, e1 = e1, e0
        state[k, 0], state[k, 1], state[k, 2], state[k, 3] = x1, x2, y1, y2
        state[k, 4], state[k, 5] = e1, e2
    return y, n_ovf


def _frac_bits_for(values, word: int) -> int:
    """The fraction bits the one coefficient policy (``fxsim.coefs``) gives ``values`` in a
    ``word``-bit word (values all zero: word - 1)."""
    return coefs.quantize_coefs(values, word, None, "biquad", max_frac=62, check_snr=False).frac


def _round_int(value: float, frac: int) -> int:
    """value * 2^frac rounded to nearest (ties away from zero), exactly (fxsim.qformat.quantize
    into a 64-bit word with ``frac`` fraction bits)."""
    return int(quantize(value, QFormat(63 - frac, frac), "nearest"))


class Section:
    """One quantized section: its integer coefficients, formats, shifts and error feedback."""

    def __init__(self, row: int, sos: np.ndarray, f_x: int, f_y: int, x_max: int, y_max: int,
                 word: int, acc_bits: int, ef, fixed: QFormat | None, where: str):
        self.row, self.word, self.acc_bits, self.ef = row, word, acc_bits, ef
        self.f_x, self.f_y = f_x, f_y
        b, a = sos[:3], sos[4:6]
        if fixed is not None:
            fb = fa = fixed.frac_bits
            for name, c in zip(("b0", "b1", "b2", "a1", "a2"), (*b, *a)):
                qi = _round_int(float(c), fb)
                if not fixed.min_int <= qi <= fixed.max_int:
                    raise FxsimError(f"{where}.coef: sos row {row} {name} = {coefs.number(c)} "
                                     f"(after gain scaling) does not fit {fixed} (range "
                                     f"[{coefs.number(fixed.min_int * fixed.lsb)}, "
                                     f"{coefs.number(fixed.max_int * fixed.lsb)}]); use a format "
                                     f"with more integer bits, or drop coef to let fxsim choose")
        else:
            fb, fa = _frac_bits_for(b, word), _frac_bits_for(a, word)
        acc_frac = max(f_x + fb, f_y + fa)
        limit = 1 << (acc_bits - 1)
        while True:
            # b x keeps all f_b fraction bits: when it has more than the accumulator, the
            # numerator sum is shifted right (floor) by ps before a y is added, so small b's
            # (narrowband sections, 32-bit data) keep their precision; when it has fewer, the
            # b's are shifted left (sb, exact)
            self.fb, self.fa = fb, min(fa, acc_frac - f_y)
            self.sb, self.sa = max(0, acc_frac - f_x - fb), acc_frac - f_y - self.fa
            self.ps = max(0, f_x + fb - acc_frac)
            self.shift = acc_frac - f_y
            self.b_int = [_round_int(float(c), self.fb) for c in b]
            self.a_int = [_round_int(float(c), self.fa) for c in a]
            self.B = [c << self.sb for c in self.b_int]
            self.A = [c << self.sa for c in self.a_int]
            num_bound = sum(map(abs, self.B)) * x_max
            # |e| < 2^shift for every rounding (<= 2^(shift - 1) only to nearest)
            ef_term = (abs(ef[0]) + abs(ef[1])) * (1 << max(self.shift, 0))
            # + 2^shift: the rounded value q 2^shift (for the residual) may exceed |acc| by that
            bound = (num_bound >> self.ps) + 1 + sum(map(abs, self.A)) * y_max + ef_term + \
                (1 << max(self.shift, 0))
            # the rounding carry starts the sum (< 2^(shift + ps)); |acc| and |q 2^shift| stay
            # within the bound's + 2^shift
            num_bound += 1 << max(self.shift + self.ps, 0)
            if num_bound < limit and bound < limit and self.shift >= 0:
                if acc_bits <= 32 and self.sa > 0 and self.shift > ACC32_MIN_SHIFT:
                    # a 32-bit accumulator: one LSB coarser per step until a y needs no
                    # alignment shift, so its pair of products is one dual MAC (SMLAD)
                    acc_frac -= 1
                    continue
                break
            if fixed is not None or self.shift <= 0:
                remedy = (f"use acc_bits = {40 if acc_bits < 40 else 64} or a coef format with "
                          f"fewer fraction bits" if acc_bits < 64 else
                          "use a coef format with fewer fraction bits (or drop coef to let fxsim "
                          "choose)")
                raise FxsimError(f"{where}.acc_bits: a {acc_bits}-bit accumulator cannot hold "
                                 f"sos row {row} with coef {fixed} without overflow; {remedy}")
            if num_bound >= limit and self.ps > 0:
                fb -= 1                         # the numerator sum alone would not fit
            else:
                acc_frac -= 1
        self.acc_frac = acc_frac

    @property
    def stable(self) -> bool:
        return S.quantized_stable(self.a_int[0], self.a_int[1], self.fa)

    def pole_radius(self) -> float:
        return S.section_pole_radius(self.a_int[0] / 2.0 ** self.fa, self.a_int[1] / 2.0 ** self.fa)

    def quantized_row(self) -> np.ndarray:
        """The section as a float sos row with the quantized coefficients."""
        return np.array([*(c / 2.0 ** self.fb for c in self.b_int), 1.0,
                         *(c / 2.0 ** self.fa for c in self.a_int)])

    def constants(self) -> list[int]:
        return [*self.B, -self.A[0], -self.A[1], -self.ef[0], -self.ef[1]]

    def describe(self) -> str:
        def fmt(f):                             # a Q name, or the fraction bits of small values
            return str(QFormat(self.word - 1 - f, f)) if f <= self.word - 1 else \
                f"{self.word}-bit with {f} fraction bits"
        ef = f"error feedback k = ({self.ef[0]}, {self.ef[1]})" if any(self.ef) else \
            "no error feedback"
        align = "".join(f", {n} << {s}" for n, s in (("b x", self.sb), ("a y", self.sa)) if s)
        if self.ps:
            align += f", b x summed then >> {self.ps} (floor)"
        return (f"sos row {self.row}: b {fmt(self.fb)}, a {fmt(self.fa)}, "
                f"acc {self.acc_bits}-bit with {self.acc_frac} fraction bits{align}, {ef}, "
                f"shift {self.shift}")


class Biquad(Stage):
    kernel = "biquad"
    example = {"design": {"method": "butter", "order": 4, "wn": 0.2}}
    keys = frozenset({"sos", "sos_file", "design", "coef", "acc_bits", "error_feedback"})
    default_keys = frozenset({"coef", "acc_bits"})
    template = "c99/biquad.c.j2"

    # --- reading the design -------------------------------------------------------------------
    def _read_sos(self, opt) -> np.ndarray:
        sos = coefs.read(self, opt, "sos", "sos_file", "design", self._design_sos, 2,
                         "[[b0, b1, b2, a0, a1, a2], ...]")
        given = next(k for k in ("sos", "sos_file", "design") if k in opt)
        field = f"{self.where}.{given}"
        if sos.shape[1] != 6:
            raise FxsimError(f"{field}: shape {sos.shape}; allowed: (n, 6) with n >= 1, rows "
                             f"[b0, b1, b2, a0, a1, a2] as scipy.signal gives (output=\"sos\")")
        if np.any(sos[:, 3] == 0):
            i = int(np.argmax(sos[:, 3] == 0))
            raise FxsimError(f"{field}: row {i} has a0 = 0; allowed: a0 != 0 (rows are divided "
                             f"by a0)")
        return sos / sos[:, 3:4]

    def _design_sos(self, d, field) -> np.ndarray:
        if not isinstance(d, dict):
            raise FxsimError(f"{field}: must be a table, e.g. "
                             f"{{ method = \"butter\", order = 4, wn = 0.25 }}")
        unknown = sorted(set(d) - DESIGN_KEYS)
        if unknown:
            raise FxsimError(f"{field}: unknown key {unknown[0]!r}; allowed: "
                             f"{', '.join(sorted(DESIGN_KEYS))}")
        method = d.get("method")
        if method not in METHODS:
            raise FxsimError(f"{field}.method: {method!r}; allowed: {' | '.join(METHODS)}")
        order = d.get("order")
        if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 40:
            raise FxsimError(f"{field}.order: {order!r}; allowed: an integer from 1 to 40")
        wn = d.get("wn")
        ok = isinstance(wn, (int, float)) and not isinstance(wn, bool) or (
            isinstance(wn, list) and len(wn) == 2 and
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in wn))
        if not ok:
            raise FxsimError(f"{field}.wn: {wn!r}; allowed: a number, or [low, high] for band "
                             f"filters")
        btype = d.get("btype", "low")
        if btype not in BTYPES:
            raise FxsimError(f"{field}.btype: {btype!r}; allowed: {' | '.join(BTYPES)}")
        for k, need in (("rp", ("cheby1", "ellip")), ("rs", ("cheby2", "ellip"))):
            if method in need and not isinstance(d.get(k), (int, float)):
                raise FxsimError(f"{field}.{k}: {d.get(k)!r}; method {method!r} needs {k} "
                                 f"(dB, a positive number)")
        from scipy import signal           # at use: its import is 0.8 s of a command's start-up
        try:
            sos = signal.iirfilter(order, wn, rp=d.get("rp"), rs=d.get("rs"), btype=btype,
                                   ftype=method, output="sos", fs=d.get("fs"))
        except (ValueError, TypeError) as e:
            raise FxsimError(f"{field}: scipy.signal.iirfilter refused it: {e}") from None
        return np.asarray(sos, dtype=np.float64)

    # --- configuration ------------------------------------------------------------------------
    def configure(self, opt):
        self.sos_user = self._read_sos(opt)
        for i, row in enumerate(self.sos_user):
            r = S.section_pole_radius(row[4], row[5])
            if r >= 1.0:
                raise FxsimError(f"{self.where}: the float design is unstable: sos row {i} has a "
                                 f"pole of magnitude {r:.6g} (a1 = {row[4]:.6g}, a2 = "
                                 f"{row[5]:.6g}); "
                                 f"a stable IIR needs every pole inside the unit circle")
        wide_data = max(self.in_fmt.word_bits, self.out_fmt.word_bits) > 16
        # coef: a fixed format, or a word size; either way fxsim then widens nothing
        self.coef_word, self.fixed = self.coef_option(opt, 32 if wide_data else 16)
        acc_bits = opt.get("acc_bits", 64 if wide_data or self.coef_word > 16 else 40)
        allowed = (64,) if wide_data else (32, 40, 64)
        if acc_bits not in allowed or isinstance(acc_bits, bool):
            raise FxsimError(f"{self.where}.acc_bits: {acc_bits!r}; allowed: "
                             f"{', '.join(map(str, allowed))} for {self.in_fmt} -> "
                             f"{self.out_fmt} data")
        self.acc_bits = acc_bits
        self.auto_width = "coef" not in opt
        if self.coef_word > 16 and self.acc_bits < 64:
            raise FxsimError(f"{self.where}.acc_bits: {self.acc_bits} with {self.coef_word}-bit "
                             f"coefficients; a wider-than-16-bit coefficient needs acc_bits = 64")
        self.node_fmt = QFormat(0, self.out_fmt.word_bits - 1)
        self.allow_ef = self.key(opt, "error_feedback", bool, required=False, default=True)
        plan = plan_cascade(self.sos_user, self.node_fmt, self.out_fmt, self.allow_ef)
        # wider state: 16-bit data whose predicted SNR with 16-bit nodes is poor gets 32-bit nodes
        self.wide_state = False
        if self.auto_width and not wide_data and len(self.sos_user) > 1 and \
                plan.snr_db < WIDE_STATE_BELOW_DB:
            wide = plan_cascade(self.sos_user, QFormat(0, 31), self.out_fmt, self.allow_ef)
            if wide.snr_db > plan.snr_db + 6.0:
                self.node_fmt, plan, self.wide_state = QFormat(0, 31), wide, True
        self.plan = plan
        self.order, self.gains, self.efs = plan.order, plan.gains, plan.efs
        self.sos_plan = self.sos_user[self.order] * 1.0
        self.sos_plan[:, :3] *= np.asarray(self.gains)[:, None]
        words = [32 if self.wide_state else self.coef_word] * len(self.order)
        if "acc_bits" not in opt and self.acc_bits == 40:
            self.acc_bits = 32
            try:
                fits = all(s.shift >= ACC32_MIN_SHIFT for s in self._quantize(words))
            except FxsimError:
                fits = False
            self.acc_bits = 32 if fits else 40
        self.sections = self._quantize(words)
        if self.auto_width and not wide_data and not self.wide_state:
            self.sections = self._widen(words)
        for sec in self.sections:
            if not sec.stable:
                fmt_a = QFormat(sec.word - 1 - sec.fa, sec.fa)
                remedy = ("use a wider coefficient format, e.g. coef = \"Q1.30\" (or drop coef to "
                          "let fxsim choose)" if sec.word <= 16 else
                          "the coefficient word is already 32 bits: move the poles away from the "
                          "unit circle (a lower order or a wider band)")
                raise FxsimError(f"{self.where}: sos row {sec.row} is unstable or marginal once "
                                 f"quantized (a in {fmt_a}: a1 = {sec.a_int[0]}, a2 = "
                                 f"{sec.a_int[1]}, pole radius {sec.pole_radius():.6f}); {remedy}")
        self.coef_snr_db = self._coef_snr(self.sections)
        zero = []
        if self.coef_snr_db < coefs.MIN_COEF_SNR_DB and self.fixed is not None:
            zero = [(abs(c), sec.row, name, c) for sec, row in zip(self.sections, self.sos_plan)
                    for name, c, q in zip(("b0", "b1", "b2", "a1", "a2"), (*row[:3], *row[4:6]),
                                          (*sec.b_int, *sec.a_int)) if c != 0 and q == 0]
        if zero:                                # a fixed format too coarse for a coefficient
            worst = (f"sos row {max(zero)[1]} {max(zero)[2]} = {coefs.number(max(zero)[3])} "
                     f"(after gain scaling) rounds to 0")
            raise FxsimError(f"{self.where}.coef: quantized to {self.fixed} the coefficients move "
                             f"the response {self.coef_snr_db:.1f} dB from the design (needs >= "
                             f"{coefs.MIN_COEF_SNR_DB:g}): {worst}; use a format with more "
                             f"fraction bits, or drop coef to let fxsim choose")
        if self.coef_snr_db < coefs.MIN_COEF_SNR_DB:
            r = max(S.section_pole_radius(row[4], row[5]) for row in self.sos_user)
            hint = "" if wide_data else "use 32-bit coefficients (drop coef), or "
            raise FxsimError(f"{self.where}: the quantized coefficients move the response "
                             f"{self.coef_snr_db:.1f} dB from the design (needs >= "
                             f"{coefs.MIN_COEF_SNR_DB:g}): poles at radius {r:.6f} are too close to the "
                             f"unit circle for {self.in_fmt} data; {hint}filter at a lower sample "
                             f"rate (decimate first) or with a wider band")
        self._pack()

    def _quantize(self, words):
        n = len(self.order)
        secs = []
        for pos, row in enumerate(self.order):
            first, last = pos == 0, pos == n - 1
            f_x = self.in_fmt.frac_bits if first else self.node_fmt.frac_bits
            f_y = self.out_fmt.frac_bits if last else self.node_fmt.frac_bits
            x_max = 1 << ((self.in_fmt if first else self.node_fmt).word_bits - 1)
            y_max = 1 << ((self.out_fmt if last else self.node_fmt).word_bits - 1)
            acc = self.acc_bits if words[pos] <= 16 else 64
            secs.append(Section(int(row), self.sos_plan[pos], f_x, f_y, x_max, y_max, words[pos],
                                acc, self.efs[pos], self.fixed, self.where))
        return secs

    def _widen(self, words):
        """16-bit coefficients, widened section by section to 32 bits where they are unstable or
        where their quantization error is the largest, while its SNR is below both
        WIDEN_BELOW_DB and the predicted rounding-noise SNR less WIDEN_MARGIN_DB."""
        secs = self._quantize(words)
        for pos, sec in enumerate(secs):
            if not sec.stable:
                words[pos] = 32
        secs = self._quantize(words)
        target = min(WIDEN_BELOW_DB, self.plan.snr_db - WIDEN_MARGIN_DB)
        while self._coef_snr(secs) < target and min(words) < 32:
            best, best_snr = None, -math.inf
            for pos in range(len(words)):
                if words[pos] < 32:
                    trial = list(words)
                    trial[pos] = 32
                    snr = self._coef_snr(self._quantize(trial))
                    if snr > best_snr:
                        best, best_snr = pos, snr
            words[best] = 32
            secs = self._quantize(words)
        return secs

    def _coef_snr(self, secs) -> float:
        if not all(s.stable for s in secs):
            return -300.0
        return S.coef_error_snr(self.sos_plan, np.array([s.quantized_row() for s in secs]))

    def _pack(self):
        self.consts = np.array([s.constants() for s in self.sections], dtype=np.int64)
        self.shifts = np.array([(s.ps, s.shift) for s in self.sections], dtype=np.int64)
        n = len(self.sections)
        self.out_bits = np.array([self.node_fmt.word_bits] * (n - 1) + [self.out_fmt.word_bits],
                                 dtype=np.int64)

    def never_saturates(self) -> list[bool]:
        """Per section (run order): whether its output provably fits its word for any input, so
        that the C omits the saturation it would never apply. For a section k before the last,
        whose sections so far have no error feedback: |y_k| <= X ||h_0..k||_1 +
        sum_j E_j ||g_j..k||_1 < full scale, X the input's largest magnitude, h the impulse
        response of the quantized sections 0..k, E_j section j's largest error per sample (its
        output LSB plus its accumulator's, the floor of ps) and g_j..k the response from that
        error (1 / A_j, then sections j+1..k). The responses run until they have decayed below
        1e-15 (up to 2^16 samples), and the bound must hold with a margin of 2^-12."""
        rows = [sec.quantized_row() for sec in self.sections]
        x_max = (self.in_fmt.max_int + 1) / 2.0 ** self.in_fmt.frac_bits
        full = self.node_fmt.max_int / 2.0 ** self.node_fmt.frac_bits
        n = 1 << 16
        out = []
        for k in range(len(rows)):
            if k == len(rows) - 1 or any(any(sec.ef) for sec in self.sections[:k + 1]) \
                    or self.overflow_name == "error":
                out.append(False)
                continue
            imp = np.zeros(n)
            imp[0] = 1.0
            h = sosfilt(np.array(rows[:k + 1]), imp)
            if np.abs(h[-1000:]).max() > 1e-15:
                out.append(False)                       # too slow a decay to bound here
                continue
            bound = x_max * np.abs(h).sum()
            for j in range(k + 1):
                sec = self.sections[j]
                g = sosfilt(np.array([[1.0, 0.0, 0.0, *rows[j][3:]], *rows[j + 1:k + 1]]), imp)
                err = 2.0 ** -sec.f_y + 2.0 ** -sec.acc_frac
                bound += err * np.abs(g).sum()
            out.append(bool(bound < full * (1 - 2.0 ** -12)))
        return out

    # --- the Stage interface ------------------------------------------------------------------
    def init_state(self):
        return np.zeros((len(self.sections), 6), dtype=np.int64)

    def process(self, x, state):
        y, n = biquad_process(np.ascontiguousarray(x, dtype=np.int64), self.consts, self.shifts,
                              self.out_bits, state, self.rounding, self.overflow)
        return y, n

    def response(self, w):
        # the sections as planned carry the scaling gains: their product is put back
        from scipy import signal
        quantized = np.array([sec.quantized_row() for sec in self.sections])
        return (signal.sosfreqz(self.sos_user, worN=w)[1],
                signal.sosfreqz(quantized, worN=w)[1] / float(np.prod(self.gains)))

    def reference(self, x):
        from scipy import signal
        return signal.sosfilt(self.sos_user, np.asarray(x, dtype=np.float64))

    def reference_block(self, x, state):
        if not np.size(x):
            return np.zeros(0)
        if "zi" not in state:
            state["zi"] = np.zeros((len(self.sos_user), 2))
        return sosfilt(self.sos_user, x, state["zi"])

    def scaling(self):
        n = len(self.sections)
        secs = "; ".join(f"[{i}] {s.describe()}" for i, s in enumerate(self.sections))
        wide = " (32-bit: wider state, as 16-bit nodes would cost SNR)" if self.wide_state else ""
        return (f"Direct Form I cascade of {n} section(s), input {self.in_fmt}, output "
                f"{self.out_fmt}, intermediate nodes {self.node_fmt}{wide}; sections run in sos "
                f"row order {list(map(int, self.order))} with the gain spread by L1-norm scaling "
                f"(every intermediate node bounded by {NODE_PEAK} of full scale for any input); "
                f"acc = b x - a y - k e (exact products, no partial sum can overflow), rounded "
                f"({P.round_carry_name(self.rounding)}: the carry starts "
                f"the sum) right by the section's shift, {self.overflow_name} to "
                f"the node format (the output format after the last section); e = rounding "
                f"residual (error feedback). Sections: {secs}")

    def c_context(self):
        def ctype(fmt):
            return fmt.ctype
        n = len(self.sections)
        node_t = ctype(self.node_fmt)
        secs = []
        fits = self.never_saturates()
        for pos, s in enumerate(self.sections):
            c = s.constants()
            x_bits = (self.in_fmt if pos == 0 else self.node_fmt).word_bits
            y_bits = int(self.out_bits[pos])
            acc32 = s.acc_bits <= 32
            # |e| <= 2^shift and |q| <= 2^(acc_bits - 1 - shift) + 1: 32-bit words where they fit
            e32, q32 = s.shift <= 30, s.acc_bits - 1 - s.shift <= 30
            num = [_c_term(k, v, x_bits, acc32) for k, v in zip(c[:3], ("x0", "x1", "x2"))]
            den = [_c_term(k, v, y_bits, acc32) for k, v in zip(c[3:5], ("y1", "y2"))]
            if any(s.ef):
                den += [_c_term(k, v, s.shift + 2 if e32 else 64, acc32)
                        for k, v in zip(c[5:7], ("e1", "e2"))]
            unit = -(1 << s.shift)
            carry, mode = P.round_carry(self.rounding, s.shift)
            secs.append({"carry": int(carry), "start": int(carry) << s.ps,
                         "omode": f"FX_{P.ROUNDING_NAMES[int(mode)].upper()}","pos": pos, "row": s.row, "b0": c[0], "b1": c[1], "b2": c[2],
                         "na1": c[3], "na2": c[4], "nk1": c[5], "nk2": c[6],
                         "ef": any(s.ef), "shift": s.shift, "ps": s.ps, "fits": fits[pos],
                         "num": [t for t in num if t], "den": [t for t in den if t],
                         "acc_t": "int32_t" if acc32 else "int64_t",
                         "q_t": "int32_t" if q32 else "int64_t",
                         "res": _c_term(unit, "q", 32 if q32 else 64, acc32),
                         "dsp": _dsp_plan(s, c, x_bits, y_bits) if acc32 else None,
                         "bits": y_bits, "describe": s.describe(),
                         # the narrowest C types of the section's input and output history and
                         # of its rounding residual e (|e| <= 2^shift)
                         "x_type": ctype(self.in_fmt) if pos == 0 else node_t,
                         "y_type": ctype(self.out_fmt) if pos == n - 1 else node_t,
                         "e_type": "int32_t" if e32 else "int64_t"})
        # sections run one after another over the block, in place in the output buffer when the
        # intermediate nodes have the output's C type, else in a scratch buffer of node words
        scratch = n > 1 and node_t != ctype(self.out_fmt)
        return {"sections": secs, "nsec": n, "node_type": node_t, "scratch": scratch}

    def extra_report(self) -> dict:
        """Extra fields of this stage in ``fxsim quantize``: the zero-input limit-cycle probe."""
        return S.limit_cycle(self)


def _dsp_plan(s: Section, c: list, x_bits: int, y_bits: int) -> dict | None:
    """The constants of a section's dual-MAC path on a DSP target (SMLAD on packed 16-bit pairs:
    x[n-1] x[n-2] and y[n-1] y[n-2]), or None when it does not apply: 16-bit data, a 32-bit
    accumulator, every b constant in 16 bits, the a constants in 16 bits once their alignment
    shift is taken out (it is applied to their pair's sum). The sums are the generic path's,
    exact by the section's bound."""
    def fits16(v):
        return -(1 << 15) <= v < (1 << 15)
    na = [-a for a in s.a_int]
    if x_bits != 16 or y_bits != 16 or not all(map(fits16, c[:3])) or not all(map(fits16, na)):
        return None
    return {"b0": c[0], "bp": int(P.pack16x2(c[1], c[2])), "ap": int(P.pack16x2(*na)),
            "sa": s.sa}


def _c_term(const: int, var: str, var_bits: int, acc32: bool) -> dict | None:
    """How the generated C adds const * var to a section's accumulator, exactly, in the
    cheapest words: ``mac_exact32`` when the accumulator is 32-bit; ``mac_wide`` (32 x 32 -> 64
    bits, one SMLAL on the M4) when both fit 32 bits, or when the constant's trailing zeros can
    move onto the variable (var << sh still fits); else the 64 x 64 ``mac_exact``. None: a zero
    constant (no code)."""
    if const == 0:
        return None

    def fits(v):
        return -(1 << 31) <= v < (1 << 31)
    if acc32:
        return {"kind": "32", "c": const, "var": var, "sh": 0}
    if var_bits <= 32 and fits(const):
        return {"kind": "wide", "c": const, "var": var, "sh": 0}
    tz = (const & -const).bit_length() - 1
    sh = min(tz, 32 - var_bits)
    if var_bits <= 32 and sh > 0 and fits(const >> sh):
        return {"kind": "wide", "c": const >> sh, "var": var, "sh": sh}
    return {"kind": "64", "c": const, "var": var, "sh": 0}


def plan_cascade(sos: np.ndarray, node_fmt: QFormat, out_fmt: QFormat,
                 allow_ef: bool = True) -> Plan:
    """Section order, per-section gains (their product is 1) and error feedback for ``sos``,
    with intermediate nodes in ``node_fmt`` and the output in ``out_fmt``. A section gets error
    feedback only where it lowers that section's output noise by EF_MIN_GAIN_DB or more (it
    costs about four instructions per sample on the M4); none with ``allow_ef`` off."""
    n = len(sos)
    resp = S.section_responses(sos)
    length = S.impulse_length(sos)
    full = (1 << n) - 1
    var_node, var_out = node_fmt.lsb ** 2 / 12, out_fmt.lsb ** 2 / 12
    z1 = np.exp(-1j * S.grid())
    kresp = {k: 1.0 + k[0] * z1 + k[1] * z1 * z1 for k in EF_CANDIDATES}

    prod_cache = {0: np.ones(S.GRID, dtype=complex)}

    def prod(mask):                              # product of H_j, j in mask, on the grid
        if mask not in prod_cache:
            j = (mask & -mask).bit_length() - 1
            prod_cache[mask] = prod(mask & ~(1 << j)) * resp[j][0]
        return prod_cache[mask]

    imp_cache = {0: S.impulse_response(np.zeros((0, 6)), length)}

    def imp(mask):                               # impulse response of the sections in mask
        if mask not in imp_cache:
            j = (mask & -mask).bit_length() - 1
            imp_cache[mask] = sosfilt(sos[j:j + 1], imp(mask & ~(1 << j)))
        return imp_cache[mask]

    def l1(mask):
        return float(np.abs(imp(mask)).sum())

    def best_ef(k, rest_mask):
        rest = prod(rest_mask) / resp[k][1]
        gains = {kk: S.power_gain(kresp[kk] * rest) for kk in (EF_CANDIDATES if allow_ef
                                                                else [(0, 0)])}
        kk = min(gains, key=lambda c: (gains[c], abs(c[0]) + abs(c[1])))
        if gains[kk] * 10 ** (EF_MIN_GAIN_DB / 10) > gains[(0, 0)]:
            kk = (0, 0)                          # not worth its instructions
        return kk, gains[kk]

    def cost(k, mask):                           # section k placed last of the prefix ``mask``
        ef, g = best_ef(k, full & ~mask)
        factor = var_out if mask == full else var_node * (l1(mask) / NODE_PEAK) ** 2
        return factor * g, ef

    if n <= MAX_DP_SECTIONS:
        best = {0: (0.0, [], [])}
        for mask in sorted(range(1, full + 1), key=lambda m: bin(m).count("1")):
            cand = None
            for k in range(n):
                if mask >> k & 1 and (mask & ~(1 << k)) in best:
                    c0, order, efs = best[mask & ~(1 << k)]
                    c, ef = cost(k, mask)
                    if cand is None or c0 + c < cand[0] - 1e-30:
                        cand = (c0 + c, order + [k], efs + [ef])
            best[mask] = cand
        noise, order, efs = best[full]
    else:                                        # greedy: the cheapest next section each time
        order, efs, mask, noise = [], [], 0, 0.0
        while mask != full:
            c, ef, k = min((cost(k, mask | 1 << k) + (k,) for k in range(n) if not mask >> k & 1),
                           key=lambda t: t[0])
            order.append(k)
            efs.append(ef)
            mask |= 1 << k
            noise += c
    gains, prev, mask = [], 1.0, 0
    for pos, k in enumerate(order):
        mask |= 1 << k
        cum = 1.0 if pos == n - 1 else NODE_PEAK / l1(mask)
        gains.append(cum / prev)
        prev = cum
    signal_power = 0.1 * S.power_gain(prod(full))
    snr = 300.0 if noise <= 0 else 10 * math.log10(max(signal_power, 1e-300) / noise)
    return Plan(order, gains, efs, noise, snr)
