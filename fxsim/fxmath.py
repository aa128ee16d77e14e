"""Integer math with measured accuracy: sqrt, log2 / log10 / dB, pow2, 10^(x/20), reciprocal,
division, integer square roots. The C twin is ``c_ref/fxsim_math.c`` (``fxm_<name>`` there is
``<name>`` here), bit for bit; both read their tables from ``c_ref/fxsim_tables.h`` /
``fxsim.tables``, which one Python module generates.

Every public function takes integers in a format ``fmt`` (a QFormat or its text: ``Q15``,
``Q31``, ``Q3.12``, ``UQ0.16`` ...) and returns ``(integers, output QFormat)``. Inputs must fit
``fmt`` (FxsimError otherwise); words up to 32 bits, at most 31 value bits (so ``UQ*`` words are
at most 31 bits). All arithmetic is integer, through ``fxsim.primitives``; results are rounded to
nearest (ties away from zero) once, at the end, and saturated to the output format. ``out=``
overrides the documented output format where a function allows it.

Notation: the input has m integer bits, n fraction bits, word W, B value bits (W - 1 signed, W
unsigned); the output has F fraction bits. "LSB" is one unit of the output format.

Measured accuracy against float64 (``benchmarks/bench_fxmath.py``; Q15 exhaustive, Q31 over
2 * 10^6 uniform and log-uniform random draws, 1.5 * 10^6 distinct, plus corners) is quoted in
each function's docstring.

Internals. ``sqrt`` is an exact integer square root of x * 2**k (k = 2F - n) with round-to-nearest
from the remainder, so it is correctly rounded by construction. Logs normalise x = 2**p (1 + f)
with ``norm``, evaluate log2(1 + f) by a 64-segment cubic table in Q40 (error < 2**-32), add
p - n and, for log10 / dB, multiply by the constant in a split 41 x 42-bit product. ``pow2``
splits x into integer part i and fraction f, evaluates 2**f by a 64-segment cubic table in Q40
(error < 2**-36) and shifts by i. ``db_to_lin`` scales the dB value by log2(10) / 20 into Q40 and
goes through ``pow2``.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from . import primitives as P
from . import tables as T
from .errors import FxsimError
from .qformat import QFormat

NEWTON, BISECTION = 0, 1
METHODS = {"newton": NEWTON, "bisection": BISECTION}
LOG2, LOG10, DB = 0, 1, 2

_LOG2_POLY = T.LOG2_POLY
_POW2_POLY = T.POW2_POLY
_K_LOG10_2, _K_LOG10_2_FRAC = T.CONSTANTS["LOG10_2"]
_K_DB_2, _K_DB_2_FRAC = T.CONSTANTS["DB_2"]
_K_DBLIN, _K_DBLIN_FRAC = T.CONSTANTS["LOG2_10_OVER_20"]

_SEG_SHIFT = 40 - T.SEG_BITS          # a 40-bit fraction: top SEG_BITS bits pick the segment
_Q = T.COEF_FRAC                      # polynomial values in Q40
_DB_LIMIT = 1023                      # |dB| clamp of db_to_lin: beyond it every output saturates

_jit = nb.njit(cache=True, inline="always")


# ---------------------------------------------------------------------------------------------
# scalar cores (each has a twin of the same name in c_ref/fxsim_math.c)

@_jit
def mul_k(a, k, shift):
    """a * k / 2**shift rounded to nearest, within 1 unit, for |a| < 2**41, |k| < 2**41.7 and
    shift >= 21: a = ah 2**21 + al with 0 <= al < 2**21, so both partial products fit int64."""
    ah = a >> 21
    al = a & ((np.int64(1) << 21) - 1)
    return (P.shr_round(ah * k, shift - 21, P.NEAREST)
            + P.shr_round(al * k, shift, P.NEAREST))


@_jit
def poly_q40(table, f40):
    """The table's piecewise cubic at f = f40 / 2**40 (0 <= f40 < 2**40), in Q40.
    Horner in u = (f - centre) * 64, held as d = u * 2**34 (|d| <= 2**33); each step
    acc * d / 2**34 goes through the split product ``mul_k`` (|acc| < 2**36)."""
    seg = f40 >> _SEG_SHIFT
    d = (f40 & ((np.int64(1) << _SEG_SHIFT) - 1)) - (np.int64(1) << (_SEG_SHIFT - 1))
    row = 4 * seg
    acc = table[row + 3]
    acc = table[row + 2] + mul_k(d, acc, _SEG_SHIFT)
    acc = table[row + 1] + mul_k(d, acc, _SEG_SHIFT)
    return table[row] + mul_k(d, acc, _SEG_SHIFT)


@_jit
def isqrt_bisection(n):
    """floor(sqrt(n)) of an int64 n >= 0 (0 for n < 0), digit by digit: one result bit per
    step, from the highest power of 4 <= n down, each kept if its square still fits the
    remainder. (The C twin runs values below 2**32 in 32-bit words: the same steps.)"""
    if n <= 0:
        return np.int64(0)
    bit = np.int64(1) << ((P.bit_length(n) - 1) & ~1)
    res = np.int64(0)
    while bit != 0:
        if n >= res + bit:
            n -= res + bit
            res = (res >> 1) + bit
        else:
            res >>= 1
        bit >>= 2
    return res


SQRT_SEED0, SQRT_SEED_SLOPE = T.SQRT_SEED0, T.SQRT_SEED_SLOPE


@_jit
def isqrt32_newton(n):
    """floor(sqrt(n)) for 0 < n < 2**32 in 32-bit words: n normalised by an even shift s to m in
    [2**30, 2**32), seeded by a line (within 4.2 % of sqrt(m)), two Newton steps
    y <- floor((y + floor(m / y)) / 2) (the first lands at or above floor(sqrt(m)) from any seed,
    each squares the relative error: the second is within 1 of it), one correction down, and
    floor(sqrt(m)) >> s/2 = floor(sqrt(n)). Checked against bisection for every n < 2**32
    (tests/test_fxmath.py). Two divisions: about 30 instructions on the Cortex-M4 (UDIV)."""
    s = (32 - P.bit_length(n)) & ~1
    m = n << s
    y = SQRT_SEED0 + (((m >> 16) * SQRT_SEED_SLOPE) >> 16)
    y = (y + m // y) >> 1
    y = (y + m // y) >> 1
    if y * y > m:
        y -= 1
    return y >> (s >> 1)


@_jit
def isqrt_newton(n):
    """floor(sqrt(n)) of an int64 n >= 0 (0 for n < 0) by integer Newton iteration: below 2**32
    ``isqrt32_newton``; above, y <- floor((y + floor(n / y)) / 2) from 2**ceil(bits(n) / 2) >=
    sqrt(n): the sequence falls monotonically to floor(sqrt(n)) and stops when it no longer
    decreases (<= 6 steps)."""
    if n <= 0:
        return np.int64(0)
    if n < (np.int64(1) << 32):
        return isqrt32_newton(n)
    y = np.int64(1) << ((P.bit_length(n) + 1) >> 1)
    z = (y + P.div_round(n, y, P.FLOOR)) >> 1
    while z < y:
        y = z
        z = (y + P.div_round(n, y, P.FLOOR)) >> 1
    return y


@_jit
def sqrt_rounded(n, method):
    """sqrt(n) rounded to nearest (n >= 0): r = floor(sqrt(n)) rounds up iff n - r**2 > r, since
    (r + 1/2)**2 = r**2 + r + 1/4 is never an integer (so there are no ties)."""
    r = isqrt_newton(n) if method == NEWTON else isqrt_bisection(n)
    if n - r * r > r:
        r += 1
    return r


@_jit
def sqrt_q(x, k, out_bits, method):
    """round(sqrt(x * 2**k)) saturated to out_bits signed bits; x <= 0 gives 0."""
    if x <= 0:
        return np.int64(0)
    return P.saturate(sqrt_rounded(x << k, method), out_bits)[0]


@_jit
def log_q(x, value_bits, in_frac, base, out_frac, out_bits, table):
    """log_base(x / 2**in_frac) in Q(out_frac), rounded to nearest, saturated to out_bits;
    x <= 0 gives the output minimum. base: LOG2, LOG10 or DB (10 log10)."""
    if x <= 0:
        return P.min_int(out_bits)
    shift = P.norm(x, value_bits + 1)
    p = value_bits - 1 - shift                       # x = 2**p (1 + f), 0 <= f < 1
    mant = x << shift                                # in [2**(B-1), 2**B)
    f40 = (mant - (np.int64(1) << (value_bits - 1))) << (41 - value_bits)
    lg = ((p - in_frac) << _Q) + poly_q40(table, f40)     # log2 in Q40, |lg| < 2**45
    if base == LOG10:
        lg = mul_k(P.shr_round(lg, 4, P.NEAREST), _K_LOG10_2, 36 + _K_LOG10_2_FRAC - _Q)
    elif base == DB:
        lg = mul_k(P.shr_round(lg, 4, P.NEAREST), _K_DB_2, 36 + _K_DB_2_FRAC - _Q)
    return P.saturate(P.shr_round(lg, _Q - out_frac, P.NEAREST), out_bits)[0]


@_jit
def pow2_split(ipart, f40, out_frac, out_bits, table):
    """2**(ipart + f40 / 2**40) in Q(out_frac), rounded to nearest, saturated to out_bits
    (out_bits <= 33, out_frac <= 40): 2**f from the table (Q40, in [1, 2]) shifted by ipart."""
    if ipart >= out_bits - 1 - out_frac:             # 2**ipart reaches the output's range
        return P.max_int(out_bits)
    mant = poly_q40(table, f40)
    return P.saturate(P.shr_round(mant, _Q - out_frac - ipart, P.NEAREST), out_bits)[0]


@_jit
def pow2_q(x, in_frac, out_frac, out_bits, table):
    """2**(x / 2**in_frac) in Q(out_frac) (in_frac <= 32)."""
    ipart = x >> in_frac
    f40 = (x & ((np.int64(1) << in_frac) - 1)) << (40 - in_frac)
    return pow2_split(ipart, f40, out_frac, out_bits, table)


@_jit
def db_to_lin_q(x, in_frac, out_frac, out_bits, table):
    """10**(v / 20), v = x / 2**in_frac dB (in_frac <= 31), in Q(out_frac): v is clamped to
    +-1023 dB (where every output has saturated or is 0), held in Q31 (|a| < 2**41), scaled by
    log2(10) / 20 into a Q40 exponent and passed to pow2."""
    lim = np.int64(_DB_LIMIT) << in_frac
    if x > lim:
        x = lim
    elif x < -lim:
        x = -lim
    a = x << (31 - in_frac)
    w = mul_k(a, _K_DBLIN, 31 + _K_DBLIN_FRAC - _Q)          # |w| < 2**48
    return pow2_split(w >> _Q, w & ((np.int64(1) << _Q) - 1), out_frac, out_bits, table)


@_jit
def reciprocal_q(x, word_bits):
    """round(2**(2 word_bits - 2) / x) saturated to 2 word_bits signed bits; x = 0 gives the
    maximum."""
    out_bits = 2 * word_bits
    if x == 0:
        return P.max_int(out_bits)
    num = np.int64(1) << (2 * word_bits - 2)
    return P.saturate(P.div_round(num, x, P.NEAREST), out_bits)[0]


@_jit
def div_q(num, den, shift, out_bits, mode):
    """(num * 2**shift) / den rounded by mode, saturated to out_bits; den = 0 gives the maximum
    (num >= 0) or the minimum (num < 0). A negative shift scales den up instead."""
    if den == 0:
        return P.max_int(out_bits) if num >= 0 else P.min_int(out_bits)
    if shift >= 0:
        q = P.div_round(num << shift, den, mode)
    else:
        q = P.div_round(num, den << (-shift), mode)
    return P.saturate(q, out_bits)[0]


# ---------------------------------------------------------------------------------------------
# array loops

@nb.njit(cache=True)
def _sqrt_array(x, k, out_bits, method):
    y = np.empty(x.size, np.int64)
    for i in range(x.size):
        y[i] = sqrt_q(x[i], k, out_bits, method)
    return y


@nb.njit(cache=True)
def _isqrt_array(x, method):
    y = np.empty(x.size, np.int64)
    for i in range(x.size):
        y[i] = isqrt_newton(x[i]) if method == NEWTON else isqrt_bisection(x[i])
    return y


@nb.njit(cache=True)
def _log_array(x, value_bits, in_frac, base, out_frac, out_bits, table):
    y = np.empty(x.size, np.int64)
    for i in range(x.size):
        y[i] = log_q(x[i], value_bits, in_frac, base, out_frac, out_bits, table)
    return y


@nb.njit(cache=True)
def _pow2_array(x, in_frac, out_frac, out_bits, table):
    y = np.empty(x.size, np.int64)
    for i in range(x.size):
        y[i] = pow2_q(x[i], in_frac, out_frac, out_bits, table)
    return y


@nb.njit(cache=True)
def _db_to_lin_array(x, in_frac, out_frac, out_bits, table):
    y = np.empty(x.size, np.int64)
    for i in range(x.size):
        y[i] = db_to_lin_q(x[i], in_frac, out_frac, out_bits, table)
    return y


@nb.njit(cache=True)
def _reciprocal_array(x, word_bits):
    y = np.empty(x.size, np.int64)
    for i in range(x.size):
        y[i] = reciprocal_q(x[i], word_bits)
    return y


@nb.njit(cache=True)
def _div_array(num, den, shift, out_bits, mode):
    y = np.empty(num.size, np.int64)
    for i in range(num.size):
        y[i] = div_q(num[i], den[i], shift, out_bits, mode)
    return y


# ---------------------------------------------------------------------------------------------
# formats and argument checks

def _fmt(fmt, field="fmt") -> QFormat:
    f = QFormat.parse(fmt, field=field)
    if _value_bits(f) > 31:
        raise FxsimError(f"{field}: {f} has {_value_bits(f)} value bits; fxmath allows at most 31 "
                         "(signed words up to 32 bits, unsigned up to 31)")
    return f


def _value_bits(f: QFormat) -> int:
    return f.word_bits - 1 if f.signed else f.word_bits


def _sat_bits(f: QFormat) -> int:
    """Width of the signed saturation that clamps to f's maximum (unsigned: one more bit)."""
    return _value_bits(f) + 1


def _ints(x, fmt: QFormat, what="x"):
    a = np.asarray(x)
    if a.dtype.kind not in "iu":
        if a.dtype.kind == "f" and a.size and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
            pass
        elif a.size:
            raise FxsimError(f"{what}: expected integers in {fmt}, got dtype {a.dtype}")
    flat = np.ascontiguousarray(a, dtype=np.int64).ravel()
    if not fmt.fits(flat):
        bad = flat[(flat < fmt.min_int) | (flat > fmt.max_int)][0]
        raise FxsimError(f"{what}: value {bad} does not fit {fmt} [{fmt.min_int}, {fmt.max_int}]")
    return flat, a.shape


def _out(y, shape, fmt: QFormat):
    return y.astype(fmt.dtype).reshape(shape), fmt


def _override(out, default: QFormat, max_frac=40, signed=None, field="out") -> QFormat:
    if out is None:
        return default
    f = _fmt(out, field=field)
    if f.frac_bits > max_frac:
        raise FxsimError(f"{field}: {f} has {f.frac_bits} fraction bits; allowed: at most {max_frac}")
    if signed is not None and f.signed != signed:
        raise FxsimError(f"{field}: {f} must be {'signed' if signed else 'unsigned'} here")
    return f


def _method(method) -> int:
    if method not in METHODS:
        raise FxsimError(f"method: unknown {method!r}; allowed: {' | '.join(METHODS)}")
    return METHODS[method]


# ---------------------------------------------------------------------------------------------
# public API

def sqrt_format(fmt) -> QFormat:
    """Output format of sqrt: the same word and signedness, ceil(m / 2) integer bits."""
    f = _fmt(fmt)
    ib = (f.int_bits + 1) // 2
    return QFormat(ib, _value_bits(f) - ib, f.signed)


def sqrt(x, fmt, method="newton", out=None):
    """Square root, correctly rounded: y = round(sqrt(x / 2**n) * 2**F), to nearest.

    Formats: Qm.n -> Q(ceil(m/2)).(W - 1 - ceil(m/2)) (same word; Q15 -> Q15, Q31 -> Q31,
    Q3.12 -> Q2.13); UQm.n likewise unsigned. ``out`` may choose another F with 2F >= n and
    B + 2F - n <= 62. Computed as the integer square root of N = x * 2**(2F - n) < 2**62 (Newton
    iteration or bisection / digit-by-digit, ``method``; both give the same result), rounded to
    nearest from the remainder N - r**2 (no ties exist), saturated. x <= 0 gives 0.

    Measured: max |error| 0.5 LSB, 100 % correctly rounded, both methods, Q15 (all 32768 inputs)
    and Q31 (2 * 10^6 inputs); bias ~0. (CMSIS arm_sqrt: 7.15 LSB Q15, 9.0 LSB Q31.)
    """
    f = _fmt(fmt)
    m = _method(method)
    of = _override(out, sqrt_format(f), max_frac=62, signed=f.signed)
    k = 2 * of.frac_bits - f.frac_bits
    if k < 0 or _value_bits(f) + k > 62:
        raise FxsimError(f"out: {of} needs x * 2**{k}, which must be an exact integer below 2**62 "
                         f"for input {f}")
    xs, shape = _ints(x, f)
    return _out(_sqrt_array(xs, k, _sat_bits(of), m), shape, of)


_LOG_SCALE = {LOG2: 1.0, LOG10: math.log10(2.0), DB: 10.0 * math.log10(2.0)}


def log_format(fmt, base=LOG2) -> QFormat:
    """Output format of log2 / log10 / db: signed, the input's word (B + 1 bits for UQ input),
    the fewest integer bits i with 2**i >= c max(n, m), c = 1, log10(2) or 10 log10(2): the
    output range is (-c n, c m). Q15 -> Q4.11 (log2), Q3.12 (log10), Q6.9 (dB);
    Q31 -> Q5.26, Q4.27, Q7.24."""
    f = _fmt(fmt)
    span = max(f.frac_bits, f.int_bits) * _LOG_SCALE[base]
    i = 0
    while (1 << i) < span:
        i += 1
    word = _value_bits(f) + 1 if not f.signed else f.word_bits
    return QFormat(i, word - 1 - i, True)


def _log(x, fmt, base, out):
    f = _fmt(fmt)
    of = _override(out, log_format(f, base), max_frac=40, signed=True)
    xs, shape = _ints(x, f)
    y = _log_array(xs, _value_bits(f), f.frac_bits, base, of.frac_bits, of.word_bits, _LOG2_POLY)
    return _out(y, shape, of)


def log2(x, fmt, out=None):
    """Base-2 logarithm of v = x / 2**n: y = round(log2(v) * 2**F), to nearest, saturated.

    Formats: see ``log_format`` (Q15 -> Q4.11, Q31 -> Q5.26, Q3.12 -> Q4.11). x <= 0 gives the
    output format's minimum (-2**(W-1)), the stand-in for -inf. Method: x = 2**p (1 + f) by
    ``norm``; log2(1 + f) from a 64-segment cubic table in Q40 (error < 2**-32); + p - n; one
    rounding to F bits.

    Measured: max |error| 0.500 LSB Q15 (all inputs, 100 % correctly rounded) and 0.511 LSB Q31
    (1.5 * 10^6 distinct inputs, 99.8 % correctly rounded); bias |mean| < 0.001 LSB.
    (CMSIS arm_vlog_q15: 1.75 LSB, -0.88 LSB bias.)
    """
    return _log(x, fmt, LOG2, out)


def log10(x, fmt, out=None):
    """Base-10 logarithm: y = round(log10(x / 2**n) * 2**F); formats as ``log_format``
    (Q15 -> Q3.12, Q31 -> Q4.27); x <= 0 gives the output minimum. log2 in Q40 as in ``log2``,
    times log10(2) (Q42 constant, split product), one rounding to F bits.

    Measured: max |error| 0.500 LSB Q15 (100 % correctly rounded), 0.507 LSB Q31 (99.9 %);
    bias |mean| < 0.001 LSB."""
    return _log(x, fmt, LOG10, out)


def db(x, fmt, out=None):
    """Power in decibels, 10 log10(x / 2**n): y = round(10 log10(v) * 2**F); formats as
    ``log_format`` (Q15 -> Q6.9, Q31 -> Q7.24); x <= 0 gives the output minimum. log2 in Q40,
    times 10 log10(2) (Q39 constant, split product), one rounding to F bits.

    Measured: max |error| 0.500 LSB Q15 (100 % correctly rounded), 0.508 LSB Q31 (99.85 %);
    bias |mean| < 0.001 LSB."""
    return _log(x, fmt, DB, out)


def pow2_format(fmt) -> QFormat:
    """Output format of pow2: same word and signedness, min(2**m, B - 1) integer bits (2**v < 2**(2**m)):
    Q15 -> Q1.14, Q31 -> Q1.30, Q2.13 -> Q4.11, UQ0.16 -> UQ1.15."""
    f = _fmt(fmt)
    ib = min(1 << f.int_bits, _value_bits(f) - 1)
    return QFormat(ib, _value_bits(f) - ib, f.signed)


def pow2(x, fmt, out=None):
    """2**v, v = x / 2**n: y = round(2**v * 2**F), to nearest, saturated (values >= the output
    range give its maximum; very negative v gives 0).

    Formats: ``pow2_format`` (Q15 -> Q1.14, Q31 -> Q1.30), or ``out`` (value bits <= 31,
    F <= 40). Method: v = i + f (i = floor(v)); 2**f from a 64-segment cubic table in Q40
    (error < 2**-36); shift by i with one rounding.

    Measured: max |error| 0.500 LSB Q15 (all inputs, 100 % correctly rounded), 0.510 LSB Q31
    (1.5 * 10^6 distinct inputs, 99.7 %); bias |mean| < 0.001 LSB. (CMSIS has no fixed-point exp.)"""
    f = _fmt(fmt)
    of = _override(out, pow2_format(f), max_frac=40)
    xs, shape = _ints(x, f)
    return _out(_pow2_array(xs, f.frac_bits, of.frac_bits, _sat_bits(of), _POW2_POLY), shape, of)


def db_to_lin(x, fmt, out=None):
    """Amplitude gain of a level in dB: 10**(v / 20), v = x / 2**n dB, rounded to nearest,
    saturated. Default output Q1.(W-2) (signed input; gains up to +6.02 dB) or UQ1.(W-1);
    ``out`` chooses another (value bits <= 31, F <= 40).

    Method: v clamped to +-1023 dB (beyond, every output is saturated or 0), scaled by
    log2(10) / 20 (Q43 constant, split product) into a Q40 exponent, then ``pow2``'s table.

    Measured: Q7.8 dB -> Q1.14: max |error| 0.500 LSB (all inputs, 100 % correctly rounded);
    Q31 -> Q1.30: 0.507 LSB (99.7 %)."""
    f = _fmt(fmt)
    vb = _value_bits(f)
    default = QFormat(1, vb - 1, f.signed)
    of = _override(out, default, max_frac=40)
    xs, shape = _ints(x, f)
    y = _db_to_lin_array(xs, f.frac_bits, of.frac_bits, _sat_bits(of), _POW2_POLY)
    return _out(y, shape, of)


def reciprocal_format(fmt) -> QFormat:
    """Output format of reciprocal: Q(n+1).(2W-2-n), a word of 2W bits (Q15 -> Q16.15 in int32,
    Q31 -> Q32.31 in int64), which holds every 1/v of the input range without saturating."""
    f = _fmt(fmt)
    if not f.signed:
        raise FxsimError(f"fmt: reciprocal takes a signed format, got {f}")
    return QFormat(f.frac_bits + 1, 2 * f.word_bits - 2 - f.frac_bits, True)


def reciprocal(x, fmt):
    """1 / v, v = x / 2**n (signed formats): y = round(2**(2W-2) / x), to nearest (ties away
    from zero): correctly rounded, by one exact integer division. x = 0 gives the output maximum.
    Formats: ``reciprocal_format``. Error: <= 0.5 LSB by construction (tested)."""
    f = _fmt(fmt)
    of = reciprocal_format(f)
    xs, shape = _ints(x, f)
    return _out(_reciprocal_array(xs, f.word_bits), shape, of)


def div32_16(num, den, num_fmt="Q31", den_fmt="Q15", out="Q15", rounding="nearest"):
    """Fixed-point division a / b of a 32-bit numerator by a 16-bit denominator.

    num in ``num_fmt`` (word <= 32), den in ``den_fmt`` (word <= 16), result in ``out``:
    y = round(num * 2**s / den) with s = F_out + n_den - n_num (a negative s scales den up), by
    one exact integer division with ``rounding`` (floor | ceil | zero | nearest | convergent),
    saturated to ``out``: |a/b| >= the output range (the usual div_s case |a| >= |b| for
    Q31 / Q15 -> Q15) gives its maximum or minimum. den = 0 gives the maximum (num >= 0) or the
    minimum. Error: <= 0.5 LSB with "nearest" (exact division, tested)."""
    from .qformat import rounding_mode
    nf, df = _fmt(num_fmt, "num_fmt"), _fmt(den_fmt, "den_fmt")
    of = _fmt(out, "out")
    if nf.word_bits > 32 or df.word_bits > 16:
        raise FxsimError(f"div32_16: num_fmt word must be <= 32 bits and den_fmt <= 16; got "
                         f"{nf} and {df}")
    shift = of.frac_bits + df.frac_bits - nf.frac_bits
    if not -46 <= shift <= 30:
        raise FxsimError(f"out: {of} needs a scale of 2**{shift}; allowed: -46 to 30")
    mode = rounding_mode(rounding)
    ns, shape = _ints(num, nf, "num")
    ds, dshape = _ints(den, df, "den")
    ns, ds = np.broadcast_arrays(ns.reshape(shape), ds.reshape(dshape))
    shape = ns.shape
    y = _div_array(np.ascontiguousarray(ns).ravel(), np.ascontiguousarray(ds).ravel(), shift,
                   _sat_bits(of), mode)
    return _out(y, shape, of)


def isqrt32(x, method="bisection"):
    """floor(sqrt(x)) of unsigned 32-bit integers 0 <= x < 2**32 (others: FxsimError);
    returns an int64 array (values < 2**16). Newton or bisection, same result."""
    a = np.asarray(x, dtype=np.int64)
    if a.size and (a.min() < 0 or a.max() >= 1 << 32):
        raise FxsimError("isqrt32: x must be in [0, 2**32)")
    return _isqrt_array(a.ravel(), _method(method)).reshape(a.shape)


def isqrt64(x, method="bisection"):
    """floor(sqrt(x)) of int64 values (non-negative int64, 0 <= x < 2**63; negative gives 0, as
    in C); returns an int64 array. Newton or bisection, same result."""
    a = np.asarray(x)
    if a.dtype == np.uint64 and a.size and a.max() >= 1 << 63:
        raise FxsimError("isqrt64: x must be below 2**63 (non-negative int64)")
    a = a.astype(np.int64)
    return _isqrt_array(a.ravel(), _method(method)).reshape(a.shape)


# ---------------------------------------------------------------------------------------------
# float64 reference (for accuracy measurements, never for the model's arithmetic)

def reference(name, x, fmt, out_fmt):
    """The exact value of fxmath function ``name`` at integers x of ``fmt``, in units of the
    output format's LSB, as float64 (before rounding or saturation; log of x <= 0 gives -inf,
    sqrt of x < 0 gives 0). Names: sqrt, log2, log10, db, pow2, db_to_lin, reciprocal."""
    f = QFormat.parse(fmt) if not isinstance(fmt, QFormat) else fmt
    v = np.asarray(x, dtype=np.float64) * 2.0 ** -f.frac_bits
    scale = 2.0 ** out_fmt.frac_bits
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if name == "sqrt":
            r = np.sqrt(np.maximum(v, 0.0))
        elif name == "log2":
            r = np.where(v > 0, np.log2(np.maximum(v, 1e-300)), -np.inf)
        elif name == "log10":
            r = np.where(v > 0, np.log10(np.maximum(v, 1e-300)), -np.inf)
        elif name == "db":
            r = np.where(v > 0, 10.0 * np.log10(np.maximum(v, 1e-300)), -np.inf)
        elif name == "pow2":
            r = np.exp2(v)
        elif name == "db_to_lin":
            r = 10.0 ** (v / 20.0)
        elif name == "reciprocal":
            r = 1.0 / v
        else:
            raise FxsimError(f"reference: unknown function {name!r}")
        return r * scale
