"""fir, decimate, interpolate: FIR filters, plain and polyphase, on the primitive layer.

Keys (besides data / rounding / overflow):
  taps = [...] | taps_file = "h.npy" (1-D, relative to the design file) |
  design = { method = "firwin" | "remez", ... }  (the other keys go to scipy.signal.<method>)
  coef = "Qm.n" (fixes the coefficient format) or a word size, 2..32 (the format is chosen to
         use the whole word: the one policy of fxsim.coefs). Default: 32-bit words: with Q15 data the coefficient
         error then stays far below the output LSB (16-bit words cost ~0.6 LSB of max error).
  acc_bits = 32 | 40 | 64. Default: 40 for data and coefficient words <= 16 bits, else 64.
  product_shift = n, 0..31 (fir, decimate, interpolate; not with overlap-save). Default 0: exact
         products. n > 0 drops the n low bits of every product (an arithmetic shift: floor) before
         it is accumulated. With 16-bit data, 32-bit taps, acc_bits = 32 and n = 16 this is the
         Cortex-M4's SMLAWB / SMLAWT: one instruction a tap, where an exact 48-bit product needs
         a 64-bit accumulator (SMLAL) and twice the registers. Each product then errs by less
         than 2^(n - f_x - f_c) (well below the output LSB when f_x + f_c - n > f_y + 8).
  factor = M (decimate, interpolate): an integer >= 1. Without taps the filter is
         firwin(16 M, 1 / M) (hamming), times M for interpolate (the anti-image gain).

Scaling (the same statement is rendered per stage by ``scaling()`` into reports and the C):
  input x:       the stage's input format (f_x fraction bits, w_x-bit word);
  coefficients:  the taps quantized (round to nearest) to w_c-bit words with f_c fraction bits.
                 Unless ``coef`` fixes the format, f_c is the largest that holds every tap in the
                 symmetric range +-(2^(w_c-1) - 1): taps with |h| < 2^-k get k extra fraction
                 bits, the DSP "post-shift", so the whole word carries precision; it gives up
                 fraction bits only where needed to keep sum |h| max |x| < 2^(acc_bits-1)
                 (guard bits: the accumulator then provably never overflows);
  products:      x h exact, f_x + f_c fraction bits (at most 63 bits, formed in 64); with
                 product_shift = n, floor(x h / 2^n), f_x + f_c - n fraction bits;
  accumulator:   acc_bits wide, starting at 0, summing the products oldest sample first; it
                 saturates or wraps per ``overflow`` at every addition ("error" saturates, counts
                 and raises). When sum |h| * max |x| < 2^(acc_bits - 1) no partial sum can
                 overflow, so the plain multiply-add (``mac_exact``) gives the same bits;
  output:        one rounding, acc shifted right by f_x + f_c - n - f_y with the design's rounding,
                 then saturated (or wrapped) to the output word.

Polyphase structure and phase convention (the same as ``scipy.signal.upfirdn``, the reference):
  decimate by M:    y[m] = sum_k h[k] x[mM - k]: the first output is formed at input 0, then at
                    every M-th input; a call of n inputs yields the outputs whose input indices
                    fall in it, so any split gives the same stream. Only kept outputs are computed.
  interpolate by L: y[iL + p] = sum_q h[qL + p] x[i - q], p = 0..L-1: every input gives L outputs,
                    each from one polyphase branch h_p[q] = h[qL + p] (zero-padded to ceil(T/L)).
  Outputs compare with upfirdn(h, x, 1, M)[:ceil(N/M)] and upfirdn(h, x, L, 1)[:N L].
Streaming state: the last ceil(T/L) - 1 (or T - 1) inputs and, for decimate, the input phase mod M.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numba as nb
import numpy as np
# scipy.signal is imported where it is used (design, responses, whole-signal references): its
# import costs about 0.8 s, which a quantize of given taps need not pay (kernels.base.lfilter_block)

from .. import coefs
from .. import primitives as P
from ..errors import FxsimError
from .base import Stage, lfilter_block

DESIGN_METHODS = ("firwin", "remez")
#: longest filter accepted (a generated delay line and table of this size still fit an MCU's RAM)
MAX_TAPS = 8192
ACC_BITS = (32, 40, 64)
#: input samples the generated C processes per pass (its delay line holds taps - 1 + CHUNK)
C_CHUNK = 256
#: coefficients are split into (h >> SPLIT_BITS, h & mask) for the numba 16-bit fast path
SPLIT_BITS = 8


# --- numba loops -------------------------------------------------------------------------------
# ext = the last Q - 1 inputs followed by the new ones; the output at position pos of the new
# inputs is the dot product of a table row (time-reversed taps, oldest sample first) with
# ext[pos : pos + Q]. Positions are first, first + step, ...; each position gives one output per
# table row (rows > 1 for the interpolator's polyphase branches), stored position-major.

@nb.njit(cache=True)
def _positions(n_ext, q, first, step):
    n_new = n_ext - (q - 1)
    return 0 if first >= n_new else (n_new - first + step - 1) // step


# The row loops handle one table row (a contiguous 1-D array, so numba vectorises the inner
# product) for positions k0 .. k0 + m - 1 and leave the accumulators in acc[(k - k0) rows + p].
# The drivers run every row over chunks of CHUNK positions, then round the chunk's accumulators to
# the outputs: the accumulator buffer stays in the L1 cache however long the signal.
CHUNK = 1024


@nb.njit(cache=True)
def _row_checked(ext, h, first, step, k0, m, acc, p, rows, acc_bits, overflow, pshift):
    q = h.size
    n_ovf = 0
    for k in range(m):
        w = ext[first + (k0 + k) * step:]
        a = np.int64(0)
        for j in range(q):              # the product floored by 2^pshift (pshift 0: exact)
            a, o = P.add(a, P.mul_round(np.int64(h[j]), np.int64(w[j]), pshift, P.FLOOR),
                         acc_bits, overflow)
            n_ovf += o
        acc[k * rows + p] = a
    return n_ovf


@nb.njit(cache=True)
def _row_shr(ext, h, first, step, k0, m, acc, p, rows, pshift):
    """_row_exact's sums of products that each drop their pshift low bits (``mac_shr``); a loop
    of its own, so that the exact form's (the default) stays as numba vectorises it."""
    q = h.size
    for k in range(m):
        w = ext[first + (k0 + k) * step:]
        a = np.int64(0)
        for j in range(q):
            a = P.mac_shr(a, np.int64(h[j]), np.int64(w[j]), pshift)
        acc[k * rows + p] = a


@nb.njit(cache=True)
def _row_exact(ext, h, first, step, k0, m, acc, p, rows):
    q = h.size
    k = 0
    while k + 4 <= m:                      # four positions share each coefficient load
        w0 = ext[first + (k0 + k) * step:]  # views: indices j >= 0 let numba vectorise
        w1 = ext[first + (k0 + k + 1) * step:]
        w2 = ext[first + (k0 + k + 2) * step:]
        w3 = ext[first + (k0 + k + 3) * step:]
        a0 = np.int64(0)
        a1 = np.int64(0)
        a2 = np.int64(0)
        a3 = np.int64(0)
        for j in range(q):
            c = np.int64(h[j])
            a0 = P.mac_exact(a0, c, np.int64(w0[j]))
            a1 = P.mac_exact(a1, c, np.int64(w1[j]))
            a2 = P.mac_exact(a2, c, np.int64(w2[j]))
            a3 = P.mac_exact(a3, c, np.int64(w3[j]))
        acc[k * rows + p] = a0
        acc[(k + 1) * rows + p] = a1
        acc[(k + 2) * rows + p] = a2
        acc[(k + 3) * rows + p] = a3
        k += 4
    while k < m:
        w = ext[first + (k0 + k) * step:]
        a = np.int64(0)
        for j in range(q):
            a = P.mac_exact(a, np.int64(h[j]), np.int64(w[j]))
        acc[k * rows + p] = a
        k += 1


@nb.njit(cache=True)
def _row_split16(ext, h_hi, h_lo, lo_bits, first, step, k0, m, acc, p, rows):
    q = h_hi.size
    for k in range(m):
        w = ext[first + (k0 + k) * step:]
        a_hi = np.int32(0)
        for j in range(q):
            a_hi = P.mac_exact32(a_hi, h_hi[j], w[j])
        a_lo = np.int32(0)
        for j in range(q):
            a_lo = P.mac_exact32(a_lo, h_lo[j], w[j])
        acc[k * rows + p] = P.shr_round(np.int64(a_hi), -lo_bits, P.FLOOR) + np.int64(a_lo)


@nb.njit(cache=True)
def _round_out(acc, count, y, start, shift, rounding, out_bits, overflow):
    """The one rounding: y[start + i] = fit(round(acc[i] / 2^shift)); returns the overflows."""
    n_ovf = 0
    for i in range(count):
        v, o = P.fit(P.shr_round(acc[i], shift, rounding), out_bits, overflow)
        y[start + i] = v
        n_ovf += o
    return n_ovf


@nb.njit(cache=True)
def run_checked(ext, h, first, step, acc_bits, pshift, shift, rounding, out_bits, overflow):
    """Accumulators that saturate or wrap at every addition (``add``); returns (y, count)."""
    rows, q = h.shape
    npos = _positions(ext.size, q, first, step)
    y = np.empty(npos * rows, dtype=np.int64)
    acc = np.empty(CHUNK * rows, dtype=np.int64)
    n_ovf = 0
    for k0 in range(0, npos, CHUNK):
        m = min(CHUNK, npos - k0)
        for p in range(rows):
            n_ovf += _row_checked(ext, h[p], first, step, k0, m, acc, p, rows, acc_bits, overflow,
                                  pshift)
        n_ovf += _round_out(acc, m * rows, y, k0 * rows, shift, rounding, out_bits, overflow)
    return y, n_ovf


@nb.njit(cache=True)
def run_exact(ext, h, first, step, pshift, shift, rounding, out_bits, overflow):
    """Accumulators proved not to overflow: plain multiply-adds (``mac_exact``; ``mac_shr`` for
    products shifted right by pshift > 0)."""
    rows, q = h.shape
    npos = _positions(ext.size, q, first, step)
    y = np.empty(npos * rows, dtype=np.int64)
    acc = np.empty(CHUNK * rows, dtype=np.int64)
    n_ovf = 0
    for k0 in range(0, npos, CHUNK):
        m = min(CHUNK, npos - k0)
        for p in range(rows):
            if pshift:
                _row_shr(ext, h[p], first, step, k0, m, acc, p, rows, pshift)
            else:
                _row_exact(ext, h[p], first, step, k0, m, acc, p, rows)
        n_ovf += _round_out(acc, m * rows, y, k0 * rows, shift, rounding, out_bits, overflow)
    return y, n_ovf


@nb.njit(cache=True)
def run_split16(ext, h_hi, h_lo, lo_bits, first, step, shift, rounding, out_bits, overflow):
    """16-bit data and taps, accumulator proved not to overflow: h = h_hi 2^lo_bits + h_lo, and
    each half's dot product is proved (by the caller) to fit 32 bits, so both run as int32
    multiply-adds that numba vectorises; acc = (hi << lo_bits) + lo is the exact sum."""
    rows, q = h_hi.shape
    npos = _positions(ext.size, q, first, step)
    y = np.empty(npos * rows, dtype=np.int64)
    acc = np.empty(CHUNK * rows, dtype=np.int64)
    n_ovf = 0
    for k0 in range(0, npos, CHUNK):
        m = min(CHUNK, npos - k0)
        for p in range(rows):
            _row_split16(ext, h_hi[p], h_lo[p], lo_bits, first, step, k0, m, acc, p, rows)
        n_ovf += _round_out(acc, m * rows, y, k0 * rows, shift, rounding, out_bits, overflow)
    return y, n_ovf


# --- taps ----------------------------------------------------------------------------------------

def design_taps(spec, field: str) -> np.ndarray:
    """Taps from ``design = { method = ..., ... }`` via scipy.signal.<method>(**rest)."""
    if not isinstance(spec, dict):
        raise FxsimError(f"{field}: {spec!r} is not a table; write design = {{ method = "
                         f"\"firwin\", numtaps = 64, cutoff = 0.25 }}")
    method = spec.get("method")
    if method not in DESIGN_METHODS:
        raise FxsimError(f"{field}.method: {method!r} is not a supported scipy.signal FIR design; "
                         f"allowed: {' | '.join(DESIGN_METHODS)}")
    from scipy import signal
    kwargs = {k: v for k, v in spec.items() if k != "method"}
    numtaps = kwargs.get("numtaps")
    if isinstance(numtaps, int) and numtaps > MAX_TAPS:   # refuse before scipy spends minutes
        raise FxsimError(f"{field}.numtaps: {numtaps}; allowed: at most {MAX_TAPS}")
    try:
        taps = getattr(signal, method)(**kwargs)
    except (TypeError, ValueError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise FxsimError(f"{field}: scipy.signal.{method}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) "
                         f"failed: {msg}") from None
    return np.asarray(taps, dtype=np.float64)


# --- the stages ----------------------------------------------------------------------------------

class _FirFamily(Stage):
    """Shared by fir, decimate and interpolate: a table of time-reversed taps with ``rows``
    polyphase rows, outputs at positions ``first + k step`` of each call's inputs."""

    template = "c99/fir.c.j2"
    default_keys = frozenset({"coef", "acc_bits"})
    keys = frozenset({"taps", "taps_file", "design", "coef", "acc_bits", "product_shift"})
    factor = 1

    # -- configuration --
    def configure(self, opt):
        self.factor = self._read_factor(opt)
        self.taps = self._read_taps(opt)
        in_w = self.in_fmt.word_bits
        if in_w > 32 or (in_w == 32 and not self.in_fmt.signed):
            raise FxsimError(f"{self.where}: input format {self.in_fmt}; allowed: signed words up "
                             f"to 32 bits, unsigned up to 31")
        word, fixed = self.coef_option(opt, 32)
        default_acc = 40 if in_w <= 16 and word <= 16 else 64
        self.acc_bits = opt.get("acc_bits", default_acc)
        if not isinstance(self.acc_bits, int) or isinstance(self.acc_bits, bool) or \
                self.acc_bits not in ACC_BITS:
            raise FxsimError(f"{self.where}.acc_bits: {self.acc_bits!r}; allowed: 32, 40, 64")
        n = self.product_shift = opt.get("product_shift", 0)
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 31:
            raise FxsimError(f"{self.where}.product_shift: {n!r}; allowed: an integer from 0 to 31")
        x_peak = max(-self.in_fmt.min_int, self.in_fmt.max_int)
        # the output shift f_x + f_c - f_y stays <= 62 (the primitives' largest shift)
        max_frac = 62 + self.out_fmt.frac_bits - self.in_fmt.frac_bits
        field = f"{self.where}.coef" if fixed else f"{self.where}.taps"
        self.coef = coefs.quantize_coefs(self.taps, word, fixed, field, max_frac)
        # automatic format: keep guard bits so that the accumulator provably cannot overflow
        # (sum |h| max |x| < 2^(acc_bits-1)), giving up fraction bits only when it must
        acc_max = (1 << (self.acc_bits - 1)) - 1
        while fixed is None and self.coef.frac > 0 and \
                self._acc_bound(self._row_abs_max(self.coef.ints) * x_peak) > acc_max:
            self.coef = coefs.quantize_coefs(self.taps, word, None, field, self.coef.frac - 1)
        self.h_int, self.coef_frac = self.coef.ints, self.coef.frac   # coef_word: coef_option's
        # signed x signed: w_x + w_c - 1 bits; an unsigned input adds a bit
        self.prod_bits = in_w + self.coef_word - (1 if self.in_fmt.signed else 0)
        prod_bits = self.prod_bits - n                 # after the product shift
        if prod_bits > self.acc_bits:
            raise FxsimError(f"{self.where}.acc_bits: {self.acc_bits} cannot hold the {prod_bits}-bit "
                             f"products of {self.in_fmt} data and {self.coef_word}-bit coefficients"
                             f"{f' shifted right {n}' if n else ''}; "
                             f"allowed: acc_bits >= {prod_bits} (32, 40 or 64)")
        prod_frac = self.in_fmt.frac_bits + self.coef_frac - n
        self.shift = prod_frac - self.out_fmt.frac_bits
        if self.shift < 0:
            raise FxsimError(f"{self.where}.data: {self.out_fmt} has more fraction bits than the "
                             f"products ({prod_frac}); use an output format with at most that many")
        self.table = self._table()
        self.acc_bound = self._acc_bound(int(np.abs(self.table).sum(axis=1).max()) * x_peak)
        self.exact = self.acc_bound <= (1 << (self.acc_bits - 1)) - 1
        self.x_dtype = np.int16 if self.in_fmt.signed and in_w <= 16 else np.int32
        self._prepare_fast_path(x_peak)

    def _read_factor(self, opt):
        return 1

    def _acc_bound(self, exact_bound: int) -> int:
        """Bound on |acc| given the bound sum |h| max |x| on the exact products' sum: each shifted
        product floor(x h / 2^n) exceeds |x h| / 2^n by less than 1 (the taps add one each)."""
        n = self.product_shift
        return exact_bound if not n else (exact_bound >> n) + len(self.taps)

    def _default_taps(self):
        raise FxsimError(f"{self.where}: needs one of taps, taps_file or design")

    def _read_taps(self, opt):
        if not any(k in opt for k in ("taps", "taps_file", "design")):
            return self._default_taps()
        taps = coefs.read(self, opt, "taps", "taps_file", "design", design_taps, 1, "[0.25, 0.5, 0.25]")
        if taps.size > MAX_TAPS:
            raise FxsimError(f"{self.where}: {taps.size} taps; allowed: at most {MAX_TAPS}")
        return taps

    def _row_abs_max(self, h_int) -> int:
        """max over polyphase rows of sum |h| (the accumulator bound per unit input)."""
        return int(np.abs(h_int).sum())

    def _table(self) -> np.ndarray:
        """rows x Q table of time-reversed taps (int64)."""
        return self.h_int[::-1].reshape(1, -1).copy()

    def _prepare_fast_path(self, x_peak):
        """Choose the numba loop: checked, exact int64, or the split 16-bit int32 path (only when
        each half's dot product provably fits 32 bits)."""
        self.path = "checked" if not self.exact else "exact"
        if self.exact and self.x_dtype == np.int16 and self.coef_word <= 16 and \
                not self.product_shift:
            lim = (1 << 31) - 1
            h_hi = self.table >> SPLIT_BITS
            h_lo = self.table & ((1 << SPLIT_BITS) - 1)
            if (int(np.abs(h_hi).sum(axis=1).max()) * x_peak <= lim and
                    int(h_lo.sum(axis=1).max()) * x_peak <= lim):
                self.path = "split16"
                self.h_hi = h_hi.astype(np.int16)
                self.h_lo = h_lo.astype(np.int16)
        self.table_x = self.table.astype(np.int32 if self.coef_word <= 32 else np.int64)

    # -- model --
    @property
    def q(self) -> int:
        return self.table.shape[1]

    @property
    def rows(self) -> int:
        return self.table.shape[0]

    def init_state(self):
        return [np.zeros(self.q - 1, dtype=self.x_dtype), np.zeros(1, dtype=np.int64)]

    def _first_step(self, state, n):
        return 0, 1

    def process(self, x, state):
        hist, _ = state
        q = self.q
        x = np.asarray(x)
        ext = np.empty(q - 1 + x.size, dtype=self.x_dtype)
        ext[:q - 1] = hist
        ext[q - 1:] = x
        first, step = self._first_step(state, x.size)
        out = (self.shift, self.rounding, self.out_fmt.word_bits, self.overflow)
        if self.path == "split16":
            y, n = run_split16(ext, self.h_hi, self.h_lo, SPLIT_BITS, first, step, *out)
        elif self.path == "exact":
            y, n = run_exact(ext, self.table_x, first, step, self.product_shift, *out)
        else:
            y, n = run_checked(ext, self.table_x, first, step, self.acc_bits, self.product_shift,
                               *out)
        if q > 1:
            hist[:] = ext[ext.size - (q - 1):]
        n = int(n)
        return y, n

    # -- description --
    def response(self, w):
        from scipy import signal
        if getattr(self, "ols", None):   # overlap-save quantizes the taps' spectrum instead
            return None
        return (signal.freqz(self.taps, worN=w)[1],
                signal.freqz(self.h_int / 2.0 ** self.coef_frac, worN=w)[1])

    def structure(self) -> str:
        return f"{len(self.taps)} taps"

    def scaling(self):
        fx, fc, n = self.in_fmt.frac_bits, self.coef_frac, self.product_shift
        prod_bits = self.prod_bits
        if self.exact:
            what = "sum |h| * max |x| =" if not n else f"sum |floor(h x / 2^{n})| <="
            acc = (f"{self.acc_bits}-bit accumulator that cannot overflow ({what} "
                   f"2^{math.log2(max(self.acc_bound, 1)):.2f} < 2^{self.acc_bits - 1}): plain "
                   f"multiply-adds")
        else:
            acc = (f"{self.acc_bits}-bit accumulator that {'wraps' if self.overflow_name == 'wrap' else 'saturates'} "
                   f"at every addition")
        prod = (f"exact {prod_bits}-bit products with {fx + fc} fraction bits" if not n else
                f"{prod_bits}-bit products shifted right {n} (floor) to {prod_bits - n} bits with "
                f"{fx + fc - n} fraction bits")
        return (f"{self.structure()}; x {self.in_fmt} * h {self.coef.describe()} -> {prod}; "
                f"{acc}, oldest sample "
                f"first; output: shift right {self.shift} with rounding {self.rounding_name}, "
                f"{self.overflow_name} to {self.out_fmt}")

    def c_context(self):
        # |acc| <= sum |h| * max |x|: the output's rounding may then be the one-add
        # shr_round_small, and its quotient a 32-bit word when it fits one
        bound = self.acc_bound
        small = self.exact and bound + (1 << self.shift) < (1 << 63)
        # a 32-bit accumulator when the bound (and the rounding's carry) fits one: single-word
        # MACs, half the registers
        acc32 = self.exact and bound + (1 << self.shift) < (1 << 31)
        # the rounded output provably fits its word (|round(acc / 2^s)| <= (bound >> s) + 1):
        # the output needs no saturation, nor a count of saturations
        out_fits = small and (bound >> self.shift) + 1 <= P.max_int(self.out_fmt.word_bits)
        h16 = self.coef_word <= 16
        return {
            # 16-bit data and taps on an exact accumulator: on the Cortex-M4 they go through the
            # dual MACs in pairs (SMLAD / SMLALD)
            "pairs": int(self.exact and self.x_dtype == np.int16 and h16 and not self.product_shift),
            # 16-bit data and 32-bit taps (up to 64) into an exact 64-bit accumulator: SMLAL
            "words": int(self.exact and self.x_dtype == np.int16 and not h16 and not acc32
                         and not self.product_shift and self.q <= 64),
            "acc32": int(acc32), "acc_t": "int32_t" if acc32 else "int64_t",
            "round_small": int(small), "q32": int(small and (bound >> self.shift) + 1 < (1 << 31)),
            "rows": self.rows, "q": self.q, "table": [int(v) for v in self.table.ravel()],
            "h_type": "int16_t" if h16 else "int32_t",
            "x_type": "int16_t" if self.x_dtype == np.int16 else "int32_t",
            "acc_bits": self.acc_bits, "exact": int(self.exact), "shift": self.shift,
            "decimate": int(self.kernel == "decimate"), "factor": self.factor,
            "pshift": self.product_shift, "out_fits": int(out_fits),
            "step": self.factor if self.kernel == "decimate" else 1, "chunk": C_CHUNK,
            # 16-bit delay lines start with a pad sample when q - 1 is odd, so that the new
            # inputs start on a 32-bit word (the delay line follows the 32-bit saturation count
            # in the state struct): memcpy then copies words, not bytes (newlib's goes a byte
            # at a time between misaligned buffers)
            "pad": int(self.x_dtype == np.int16 and (self.q - 1) % 2 == 1),
        }


class Fir(_FirFamily):
    """y[n] = sum_k h[k] x[n-k]; ``method = "overlap-save"`` computes it by blocks of FFTs
    (fxsim.kernels.fastconv: for long filters)."""
    kernel = "fir"
    keys = _FirFamily.keys | {"method", "nfft"}
    example = {"design": {"method": "firwin", "numtaps": 31, "cutoff": 0.3}}
    METHODS = ("direct", "overlap-save")

    def configure(self, opt):
        super().configure(opt)
        method = opt.get("method", "direct")
        if method not in self.METHODS:
            raise FxsimError(f"{self.where}.method: {method!r}; allowed: "
                             f"{' | '.join(self.METHODS)}")
        if "nfft" in opt and method != "overlap-save":
            raise FxsimError(f"{self.where}.nfft: only with method = \"overlap-save\"")
        if self.product_shift and method == "overlap-save":
            raise FxsimError(f"{self.where}.product_shift: only with method = \"direct\" "
                             f"(overlap-save forms no tap products)")
        self.ols = None
        if method == "overlap-save":
            from .fastconv import OverlapSave
            self.ols = OverlapSave(self, opt)
            self.template = "c99/fir_ols.c.j2"

    def init_state(self):
        return self.ols.init_state() if self.ols else super().init_state()

    def process(self, x, state):
        return self.ols.process(self, x, state) if self.ols else super().process(x, state)

    def max_out(self, n):
        return self.ols.max_out(n) if self.ols else n

    def min_input(self):
        return self.ols.block if self.ols else 1

    def scaling(self):
        return self.ols.scaling(self) if self.ols else super().scaling()

    def c_context(self):
        return self.ols.c_context(self) if self.ols else super().c_context()

    def reference(self, x):
        from scipy import signal
        return signal.lfilter(self.taps, [1.0], np.asarray(x, dtype=np.float64))

    def reference_block(self, x, state):
        return lfilter_block(self.taps, [1.0], np.asarray(x, dtype=np.float64), state)




class _Resampler(_FirFamily):
    keys = _FirFamily.keys | {"factor"}

    def _read_factor(self, opt):
        if "factor" not in opt:
            raise FxsimError(f"{self.where}: missing key 'factor' (an integer >= 1)")
        f = opt["factor"]
        if not isinstance(f, int) or isinstance(f, bool) or f < 1:
            raise FxsimError(f"{self.where}.factor: {f!r}; allowed: an integer >= 1")
        if f > 256:
            raise FxsimError(f"{self.where}.factor: {f}; allowed: an integer from 1 to 256")
        return f

    def _default_taps(self):
        m = self.factor
        if m == 1:
            return np.array([1.0])
        h = coefs.designed(design_taps, {"method": "firwin", "numtaps": 16 * m, "cutoff": 1.0 / m},
                           f"{self.where}.taps")
        return h * m if self.kernel == "interpolate" else h

class Decimate(_Resampler):
    """Keep every factor-th output of the FIR, computing only those (phase: input 0 is kept)."""
    kernel = "decimate"
    example = {"factor": 3}

    @property
    def rate(self):
        return Fraction(1, self.factor)

    def max_out(self, n):
        return -(-n // self.factor)               # whatever the phase

    def _first_step(self, state, n):
        phase = int(state[1][0])
        state[1][0] = (phase + n) % self.factor
        return (-phase) % self.factor, self.factor

    def reference(self, x):
        from scipy import signal
        x = np.asarray(x, dtype=np.float64)
        return signal.upfirdn(self.taps, x, 1, self.factor)[: -(-x.size // self.factor)]

    def reference_block(self, x, state):
        # the FIR's outputs at input positions 0, factor, 2 factor, ... of the whole signal
        y = lfilter_block(self.taps, [1.0], np.asarray(x, dtype=np.float64), state)
        pos = state.get("pos", 0)
        state["pos"] = (pos + y.size) % self.factor
        return y[(-pos) % self.factor:: self.factor]

    def structure(self):
        return f"{len(self.taps)} taps, keep 1 output in {self.factor} (input 0 first)"


class Interpolate(_Resampler):
    """factor outputs per input from factor polyphase branches h_p[q] = h[q factor + p]."""
    kernel = "interpolate"
    example = {"factor": 2}

    @property
    def rate(self):
        return Fraction(self.factor)

    def max_out(self, n):
        return n * self.factor

    def _table(self):
        m, t = self.factor, self.h_int.size
        q = -(-t // m)
        padded = np.zeros(q * m, dtype=np.int64)
        padded[:t] = self.h_int
        branches = padded.reshape(q, m).T            # branch p: h[p], h[p + m], ...
        return branches[:, ::-1].copy()               # time-reversed, oldest sample first

    def _row_abs_max(self, h_int):
        m = self.factor
        return max(int(np.abs(h_int[p::m]).sum()) for p in range(m))

    def reference(self, x):
        from scipy import signal
        x = np.asarray(x, dtype=np.float64)
        # taps shorter than the factor: the missing branch outputs are zeros, which upfirdn's
        # shorter output leaves out
        taps = np.pad(self.taps, (0, max(0, self.factor - self.taps.size)))
        return signal.upfirdn(taps, x, self.factor, 1)[: x.size * self.factor]

    def reference_block(self, x, state):
        up = np.zeros(np.size(x) * self.factor)      # zero-stuffed, then the FIR
        up[:: self.factor] = x
        return lfilter_block(self.taps, [1.0], up, state)

    def structure(self):
        return (f"{len(self.taps)} taps as {self.factor} polyphase branches of "
                f"{-(-len(self.taps) // self.factor)}")
